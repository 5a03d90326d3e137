"""Synthetic content at ×N the real corpus, built from the real corpus, for PostgreSQL.

×N is the bundled sources as ``dxgraph load`` writes them, plus N−1 copies of every row,
each copy as if another set of provinces had published the same kind of material:

- four new provinces per copy (names recombined from real province-name syllables, new
  slugs and GSO-like codes), so every ID that names a province or a source is new;
- province names in the text replaced by the copy's ("Khánh Hòa" → "Quảng Lâm 7");
- answers recombined from real sentences: about a third of each answer's sentences
  swapped for sentences of other answers (seeded, so a scale is the same every run);
- provincial documents, agencies, tasks, targets, questions, rankings, passages, figures,
  citations and search entries multiply; national documents (749/QĐ-TTg…) stay one row each, cited
  from every copy.

The scenario queries ask about the real provinces, so their answers are the same at
every scale: what grows is the tables around them — the test of the indexes. Search
runs across all provinces, so its match counts grow with N.

The rows go through the loader's own write transaction (``loaders.ingest.write_rows``,
digest included), so the load time and peak memory are the loader's. Run as a process of
its own, which prints one JSON line (times, rows, peak RSS)::

    python -m bench.corpus postgresql+asyncpg://…/db --scale 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from db import models
from db.reference import PROVINCES
from db.session import create_engine
from dxtext.text import slugify
from loaders.ingest import build_rows, parse_all, search_entries, write_rows
from loaders.manifest import read_manifest
from loaders.search_index import search_terms

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "data" / "sources" / "manifest.toml"

Rows = dict[str, list[dict[str, Any]]]

#: Syllables of real province names, recombined into new ones.
FIRST = (
    "Quảng", "Bình", "Thái", "Nam", "Hà", "Long", "Kiên", "Tiền", "Hậu", "Lâm",
    "Gia", "Phú", "Yên", "Tuyên", "Cao", "Lạng", "Bắc", "Sơn", "Điện", "Lai",
    "Hòa", "Ninh", "Thanh", "Trà", "Vĩnh", "Đồng", "Tây", "Khánh", "Kon", "Đắk",
)  # fmt: skip
SECOND = (
    "Ngãi", "Định", "Thuận", "Giang", "Trị", "Nguyên", "Phước", "Tháp", "Xuyên", "Lộc",
    "Hưng", "Bình", "Nông", "Lắk", "Tum", "Châu", "Biên", "An", "Minh", "Vinh",
    "Ninh", "Hải", "Phòng", "Dương", "Lâm", "Hòa", "Sơn", "Yên", "Thái", "Cà",
)  # fmt: skip

#: Fields holding IDs (which embed province and source slugs) in each table.
ID_FIELDS: dict[str, tuple[str, ...]] = {
    "sources": ("id", "province_id"),
    "documents": ("id", "province_id"),
    "document_links": ("document_id", "implemented_id"),
    "document_citations": ("id", "document_id", "source_id"),
    "agencies": ("id", "province_id"),
    "targets": ("id", "province_id", "document_id", "source_id"),
    "quantities": ("target_id",),
    "tasks": ("id", "province_id", "document_id", "source_id"),
    "task_agencies": ("task_id", "agency_id"),
    "questions": ("id", "province_id", "source_id"),
    "question_aliases": ("id", "question_id"),
    "question_documents": ("question_id", "document_id"),
    "question_citations": ("question_id", "source_id"),
    "record_pillars": ("record_id",),
    "rankings": ("id", "province_id", "source_id"),
    "passages": ("id", "province_id", "source_id"),
    "passage_documents": ("passage_id", "document_id"),
    "figures": ("id", "province_id", "passage_id", "source_id"),
}
#: Fields holding text where a province's name may appear.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "sources": ("title", "publisher"),
    "documents": ("title", "issuer"),
    "document_citations": ("excerpt",),
    "agencies": ("name",),
    "targets": ("text", "excerpt"),
    "tasks": ("title", "group", "excerpt"),
    "questions": ("text", "answer", "excerpt"),
    "question_citations": ("excerpt",),
    "rankings": ("excerpt",),
    "passages": ("heading", "text", "excerpt"),
    "figures": ("label", "excerpt"),
}
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def real_rows() -> Rows:
    """The bundled sources' rows, exactly as ``dxgraph load`` builds them."""
    rows, _ = build_rows(parse_all(read_manifest(MANIFEST)))
    return rows


def province_names(index: int) -> tuple[str, str]:
    """Name and slug of synthetic province number ``index`` (0-based), all distinct."""
    combos = len(FIRST) * len(SECOND)
    name = f"{FIRST[index % len(FIRST)]} {SECOND[(index // len(FIRST)) % len(SECOND)]}"
    if index >= combos:
        name += f" {index // combos + 1}"
    return name, slugify(name)


class Copy:
    """The mapping of real provinces to copy ``n``'s new ones, for IDs and text."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.provinces: list[dict[str, str]] = []
        slugs: dict[str, str] = {}
        names: dict[str, str] = {}
        for i, ref in enumerate(PROVINCES):
            index = (n - 1) * len(PROVINCES) + i
            name, slug = province_names(index)
            slug = f"{slug}-{n:04d}"
            slugs[ref.slug] = slug
            names[ref.name] = name
            names[ref.name.upper()] = name.upper()
            self.provinces.append({"id": slug, "code": f"9{index:06d}", "name": name})
        self._slug = re.compile("|".join(re.escape(s) for s in slugs))
        self._slugs = slugs
        self._name = re.compile("|".join(re.escape(s) for s in sorted(names, key=len)[::-1]))
        self._names = names

    def ids(self, value: str) -> str:
        return self._slug.sub(lambda m: self._slugs[m.group(0)], value)

    def text(self, value: str) -> str:
        return self._name.sub(lambda m: self._names[m.group(0)], value)


def sentence_pool(rows: Rows) -> list[str]:
    return [
        sentence
        for q in rows["questions"]
        for paragraph in q["answer"].split("\n\n")
        for sentence in _SENTENCE_END.split(paragraph)
        if len(sentence) > 40
    ]


def recombine(answer: str, pool: list[str], rng: random.Random) -> str:
    """About a third of the sentences of ``answer`` swapped for real ones from ``pool``."""
    paragraphs = []
    for paragraph in answer.split("\n\n"):
        sentences = _SENTENCE_END.split(paragraph)
        paragraphs.append(
            " ".join(rng.choice(pool) if rng.random() < 1 / 3 else s for s in sentences)
        )
    return "\n\n".join(paragraphs)


def make_copy(base: Rows, copy: Copy, pool: list[str], existing_documents: set[str]) -> Rows:
    """Copy ``n`` of every content row: new IDs, provinces' names, recombined answers."""
    rng = random.Random(copy.n)
    rows: Rows = {}
    for table, table_rows in base.items():
        if table in ("search_entries", "search_terms"):
            continue  # rebuilt from the rows, as the loader builds them
        ids, texts = ID_FIELDS.get(table, ()), TEXT_FIELDS.get(table, ())
        out: list[dict[str, Any]] = []
        for row in table_rows:
            new = dict(row)
            for key in ids:
                if isinstance(new.get(key), str):
                    new[key] = copy.ids(new[key])
            if table == "documents" and new["id"] in existing_documents:
                continue  # a national document: one row, cited from every copy
            if table == "document_links" and new == row:
                continue  # between two national documents: already there
            for key in texts:
                if isinstance(new.get(key), str):
                    new[key] = copy.text(new[key])
            if table == "questions":
                new["answer"] = recombine(new["answer"], pool, rng)
            if table == "sources":
                new["position"] = row["position"] + copy.n * len(base["sources"])
                new["sha256"] = f"{copy.n:064x}"
            out.append(new)
        rows[table] = out
    # search entries are rebuilt from the copy's own rows, as the loader builds them
    rows["search_entries"] = search_entries(rows)
    offset = copy.n * len(base["search_entries"])
    for entry in rows["search_entries"]:
        entry["position"] += offset
    return rows


def scaled_rows(scale: int) -> tuple[Rows, list[dict[str, str]]]:
    """The real rows plus ``scale - 1`` copies, and the synthetic provinces they need."""
    base = real_rows()
    pool = sentence_pool(base)
    existing = {d["id"] for d in base["documents"]}
    rows: Rows = {table: list(table_rows) for table, table_rows in base.items()}
    provinces: list[dict[str, str]] = []
    for n in range(1, scale):
        copy = Copy(n)
        provinces += copy.provinces
        for table, table_rows in make_copy(base, copy, pool, existing).items():
            rows.setdefault(table, []).extend(table_rows)
    # the vocabulary of every copy's entries together (one row per word)
    rows["search_terms"] = search_terms(rows["search_entries"])
    return rows, provinces


async def load(url: str, scale: int) -> dict[str, Any]:
    """Build ×``scale`` and write it with the loader's transaction; times in seconds."""
    start = time.perf_counter()
    rows, provinces = scaled_rows(scale)
    built = time.perf_counter()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            # provinces are reference data, not content: the loader never writes them
            for chunk in range(0, len(provinces), 1000):
                await conn.execute(insert(models.Province), provinces[chunk : chunk + 1000])
        changed, _ = await write_rows(engine, rows)
        written = time.perf_counter()
        if engine.dialect.name == "postgresql":
            # autovacuum would within a minute; every scenario should see statistics
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return {
        "scale": scale,
        "changed": changed,
        "rows": sum(len(r) for r in rows.values()),
        "provinces_added": len(provinces),
        "build_s": round(built - start, 3),
        "write_s": round(written - built, 3),
        "analyze_s": round(time.perf_counter() - written, 3),
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("url", help="a migrated, empty database (DATABASE_URL form)")
    parser.add_argument("--scale", type=int, default=10, help="×N the real corpus")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    result = asyncio.run(load(args.url, args.scale))
    result["peak_rss_mib"] = round(peak_rss_mib(), 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
