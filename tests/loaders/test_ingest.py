"""Ingest on both databases: counts, citations, stable IDs, all-or-nothing, reloads."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import models
from db.session import create_engine, create_sessionmaker
from loaders.ingest import CONTENT_TABLES, LoadError, build_rows, digest, parse_all
from loaders.manifest import read_manifest
from tests.conftest import BUNDLED_MANIFEST, load_into

SOURCES = BUNDLED_MANIFEST.parent


async def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every content row of every table, sorted: equal snapshots mean equal content."""
    engine = create_engine(url)
    snapshot: dict[str, list[tuple[object, ...]]] = {}
    try:
        async with engine.connect() as conn:
            for model in CONTENT_TABLES:
                table = model.__table__
                rows = (await conn.execute(select(table))).all()
                snapshot[table.name] = sorted((tuple(r) for r in rows), key=repr)
    finally:
        await engine.dispose()
    return snapshot


def _manifest(folder: Path, entries: list[str]) -> Path:
    path = folder / "manifest.toml"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def _entry(slug: str, file: str, kind: str, province: str | None) -> str:
    lines = [
        "[[source]]",
        f'slug = "{slug}"',
        f'file = "{file}"',
        f'kind = "{kind}"',
        f'title = "{slug}"',
    ]
    if province:
        lines.append(f'province = "{province}"')
    return "\n".join(lines) + "\n"


async def test_counts_of_the_bundled_sources(loaded_url: str) -> None:
    engine = create_engine(loaded_url)
    try:
        async with create_sessionmaker(engine)() as s:

            async def count(model, *where):  # type: ignore[no-untyped-def]
                return await s.scalar(select(func.count()).select_from(model).where(*where))

            Q, T, K = models.Question, models.Target, models.Task
            assert await count(Q, Q.source_id == "ha-giang-hoi-dap-2022") == 52
            assert await count(Q, Q.source_id == "khanh-hoa-hoi-dap-2022") == 50
            numbers = (
                await s.scalars(
                    select(Q.number)
                    .where(Q.source_id == "khanh-hoa-hoi-dap-2022")
                    .order_by(Q.number)
                )
            ).all()
            assert numbers == list(range(1, 51))
            assert await count(Q, Q.source_id == "lao-cai-tai-lieu-tuyen-truyen-2022") > 30
            assert await count(Q, Q.answer == "") == 0
            hg = T.source_id == "ha-giang-hoi-dap-2022"
            assert await count(T, hg, T.year == 2025) == 9
            assert await count(T, hg, T.year == 2030) == 7
            lc = K.source_id == "lao-cai-tai-lieu-tuyen-truyen-2022"
            assert await count(K, lc) == 39
            groups = (await s.scalars(select(K.group).where(lc).distinct())).all()
            assert len(groups) == 6
            # Phần II questions belong to the province; Phần I ones are general
            q35 = await s.get(Q, "ha-giang-hoi-dap-2022/q/35")
            q1 = await s.get(Q, "ha-giang-hoi-dap-2022/q/1")
            assert q35 is not None and q35.province_id == "ha-giang"
            assert q1 is not None and q1.province_id is None
            # Kế hoạch 293/KH-UBND implements Nghị quyết 18-NQ/TU
            plan = await s.scalar(
                select(models.Document).where(models.Document.number == "293/KH-UBND")
            )
            resolution = await s.scalar(
                select(models.Document).where(models.Document.number == "18-NQ/TU")
            )
            assert plan is not None and resolution is not None
            link = await s.get(models.DocumentLink, (plan.id, resolution.id))
            assert link is not None
            assert resolution.kind == "RESOLUTION" and resolution.province_id == "ha-giang"
            assert str(resolution.issued_on) == "2021-10-29"
            # Hà Tĩnh's DTI for two years, overall and per pillar
            R = models.Ranking
            years = (
                await s.scalars(select(R.year).where(R.province_id == "ha-tinh").distinct())
            ).all()
            assert sorted(y for y in years if y) == [2020, 2021]
            hg_overall = await s.scalar(
                select(R).where(R.province_id == "ha-giang", R.pillar_code.is_(None))
            )
            assert hg_overall is not None and (hg_overall.rank, hg_overall.out_of) == (26, 63)
    finally:
        await engine.dispose()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _in_order(words: list[str], within: list[str]) -> bool:
    """True when ``words`` appear in ``within`` in this order (other words between)."""
    rest = iter(within)
    return all(any(word == other for other in rest) for word in words)


async def test_every_citation_points_at_lines_holding_the_text(loaded_url: str) -> None:
    """A record's excerpt is the exact source lines of its span, and they hold its text."""
    engine = create_engine(loaded_url)
    try:
        async with create_sessionmaker(engine)() as s:
            sources = {src.id: src for src in await s.scalars(select(models.Source))}
            texts = {
                slug: (SOURCES / Path(slug + ".txt").name).read_text(encoding="utf-8").split("\n")
                for slug in sources
            }
            checked = 0
            for model, field in (
                (models.Question, "text"),
                (models.Target, "text"),
                (models.Task, "title"),
            ):
                for row in await s.scalars(select(model)):
                    src = sources[row.source_id]
                    assert 1 <= row.line_start <= row.line_end <= src.line_count
                    lines = texts[row.source_id][row.line_start - 1 : row.line_end]
                    assert row.excerpt == "\n".join(lines).strip()
                    if model is models.Task and "\t" in row.excerpt:
                        # a table row: the title's cell is interleaved with the other cells
                        assert _in_order(getattr(row, field).split(), row.excerpt.split()), row.id
                    else:
                        # line joins may split a word ("293/KH-" + "UBND"): ignore spaces;
                        # a page number may stand between two lines of the text ("57")
                        unpaged = re.sub(r"(?m)^\s*\d{1,3}\s*$", "", row.excerpt)
                        assert _squash(getattr(row, field)) in _squash(unpaged), row.id
                    checked += 1
            for cite in await s.scalars(select(models.DocumentCitation)):
                doc = await s.get(models.Document, cite.document_id)
                assert doc is not None
                assert _squash(doc.number) in _squash(cite.excerpt)
                checked += 1
            for ranking in await s.scalars(select(models.Ranking)):
                assert str(ranking.rank) in ranking.excerpt
                checked += 1
            for passage in await s.scalars(select(models.Passage)):
                lines = texts[passage.source_id][passage.line_start - 1 : passage.line_end]
                assert passage.excerpt == "\n".join(lines).strip()
                # every character of the text, in order (furniture and emphasis left out)
                assert _in_order(list(_squash(passage.text)), list(_squash(passage.excerpt)))
                if passage.heading:  # the heading it sits under: above it, or its first line
                    above = texts[passage.source_id][: passage.line_end]
                    assert _squash(passage.heading) in _squash("".join(above)), passage.id
                checked += 1
            for figure in await s.scalars(select(models.Figure)):
                lines = texts[figure.source_id][figure.line_start - 1 : figure.line_end]
                assert figure.excerpt == "\n".join(lines).strip()
                said = "%" if figure.unit == "PERCENT" else figure.unit_text or ""
                assert _squash(said) in _squash(figure.excerpt), figure.id
                checked += 1
            assert checked > 500
    finally:
        await engine.dispose()


async def test_reload_is_idempotent(db_url: str, loaded_url: str) -> None:
    first = await _snapshot(loaded_url)
    await load_into(db_url, BUNDLED_MANIFEST)
    await load_into(db_url, BUNDLED_MANIFEST)
    assert await _snapshot(db_url) == first


async def test_same_content_and_ids_on_both_backends(loaded_urls: dict[str, str]) -> None:
    lite = await _snapshot(loaded_urls["sqlite"])
    pg = await _snapshot(loaded_urls["postgresql"])
    assert sum(len(rows) for rows in lite.values()) > 500
    assert len(lite["passages"]) > 50 and len(lite["figures"]) > 100
    for table in lite:
        assert lite[table] == pg[table], table


async def test_passage_and_figure_ids_come_from_content_not_row_order(
    db_url: str, loaded_url: str, tmp_path: Path
) -> None:
    """Loading the slides alone, then everything again, changes no passage or figure ID."""
    full = await _snapshot(loaded_url)
    slides = "ha-tinh-slides-2022"
    shutil.copy(SOURCES / f"{slides}.txt", tmp_path / f"{slides}.txt")
    await load_into(
        db_url, _manifest(tmp_path, [_entry(slides, f"{slides}.txt", "SLIDES", "ha-tinh")])
    )
    alone = await _snapshot(db_url)
    for table in ("passages", "figures"):
        ids = {row[0] for row in full[table] if str(row[0]).startswith(slides)}
        assert ids and {row[0] for row in alone[table]} == ids, table
    await load_into(db_url, BUNDLED_MANIFEST)  # a changed load: everything rewritten
    again = await _snapshot(db_url)
    for table in ("passages", "figures", "passage_documents"):
        assert again[table] == full[table], table


async def test_broken_source_aborts_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    await load_into(db_url, BUNDLED_MANIFEST)
    before = await _snapshot(db_url)
    shutil.copy(SOURCES / "khanh-hoa-hoi-dap-2022.txt", tmp_path / "good.txt")
    (tmp_path / "bad.txt").write_bytes("Câu 1: Chuyển đổi số là gì?\n".encode() + b"\xff\xfe\n")
    manifest = _manifest(
        tmp_path,
        [
            _entry("good", "good.txt", "QA_BOOKLET", "khanh-hoa"),
            _entry("bad", "bad.txt", "QA_BOOKLET", "56"),
        ],
    )
    with pytest.raises(LoadError, match=r"bad\.txt:2"):
        await load_into(db_url, manifest)
    assert await _snapshot(db_url) == before


async def test_sources_missing_from_the_manifest_are_removed_and_keys_kept(
    db_url: str, tmp_path: Path
) -> None:
    await load_into(db_url, BUNDLED_MANIFEST)
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s, s.begin():
            s.add(models.ApiKey(name="partner", key_hash="x" * 64, created_at=datetime.now(UTC)))
        shutil.copy(SOURCES / "ha-tinh-slides-2022.txt", tmp_path / "slides.txt")
        await load_into(
            db_url, _manifest(tmp_path, [_entry("slides", "slides.txt", "SLIDES", "ha-tinh")])
        )
        async with create_sessionmaker(engine)() as s:
            assert await s.scalar(select(func.count()).select_from(models.Question)) == 0
            assert (await s.scalars(select(models.Source.id))).all() == ["slides"]
            assert await s.scalar(select(func.count()).select_from(models.Ranking)) > 0
            assert await s.scalar(select(func.count()).select_from(models.ApiKey)) == 1
    finally:
        await engine.dispose()


def _rewrap(text: str) -> str:
    """The same booklet extracted differently: other line breaks and page numbers.

    The original's page numbers belong to its page layout: a new extraction has its own,
    on lines of their own at other places.
    """
    kept = [line.strip() for line in text.split("\n") if line.strip()]
    words = " ".join(line for line in kept if not line.isdigit()).split(" ")
    out: list[str] = []
    line: list[str] = []
    page = 1
    for word in words:
        if re.match(r"^(Câu|Trả|Phần|PHẦN)$", word) and line:
            out.append(" ".join(line))
            line = []
        line.append(word)
        if len(" ".join(line)) > 70:
            out.append(" ".join(line))
            line = []
            if len(out) % 40 == 0:
                page += 1
                out.append(str(page))
    out.append(" ".join(line))
    return "\n".join(out) + "\n"


async def test_a_rewrapped_booklet_loads_by_manifest_entry_alone(
    db_url: str, tmp_path: Path
) -> None:
    original = (SOURCES / "khanh-hoa-hoi-dap-2022.txt").read_text(encoding="utf-8")
    (tmp_path / "rewrapped.txt").write_text(_rewrap(original), encoding="utf-8")
    shutil.copy(SOURCES / "khanh-hoa-hoi-dap-2022.txt", tmp_path / "original.txt")
    await load_into(
        db_url,
        _manifest(
            tmp_path,
            [
                _entry("original", "original.txt", "QA_BOOKLET", "khanh-hoa"),
                _entry("rewrapped", "rewrapped.txt", "QA_BOOKLET", "khanh-hoa"),
            ],
        ),
    )
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:

            def rows(slug: str):  # type: ignore[no-untyped-def]
                return (
                    select(models.Question.number, models.Question.text, models.Question.answer)
                    .where(models.Question.source_id == slug)
                    .order_by(models.Question.number)
                )

            original_rows = (await s.execute(rows("original"))).all()
            rewrapped_rows = (await s.execute(rows("rewrapped"))).all()
    finally:
        await engine.dispose()
    assert len(original_rows) == 50
    assert [(n, _squash(t), _squash(a)) for n, t, a in rewrapped_rows] == [
        (n, _squash(t), _squash(a)) for n, t, a in original_rows
    ]


def _dxgraph(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from api.cli import main; main()", *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
        cwd=Path(__file__).resolve().parents[2],
    )


def test_cli_load_reports_and_fails_cleanly(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    ok = _dxgraph("load", url=url)
    assert ok.returncode == 0, ok.stderr
    assert "khanh-hoa-hoi-dap-2022" in ok.stdout and "content version 1" in ok.stdout
    # the share of each source's content lines that records serve (tests/loaders/test_coverage)
    assert "lines served" in ok.stdout
    rows = [line for line in ok.stdout.splitlines() if line.startswith("│")]
    shares = [float(m) for line in rows for m in re.findall(r"(\d+\.\d)%", line)]
    assert len(rows) == len(shares) == 5 and min(shares) >= 90, ok.stdout
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    manifest = _manifest(tmp_path, [_entry("empty", "empty.txt", "HANDBOOK", "lao-cai")])
    bad = _dxgraph("load", "--manifest", str(manifest), url=url)
    assert bad.returncode != 0
    assert "empty.txt" in bad.stderr and "unchanged" in bad.stderr
    again = _dxgraph("load", url=url)
    assert "content unchanged" in again.stdout and "content version 1" in again.stdout


def test_the_digest_is_the_sha256_of_the_rows_json_without_building_it() -> None:
    """Streamed row by row, the digest stays what it was (databases loaded before keep
    matching): the SHA-256 of the whole rows mapping as sorted-key JSON."""
    rows, _ = build_rows(parse_all(read_manifest(BUNDLED_MANIFEST)))
    rows["empty_table"] = []
    whole = json.dumps(
        rows, sort_keys=True, ensure_ascii=False, default=lambda d: d.isoformat()
    ).encode()
    assert any(isinstance(v, date) for table in rows.values() for r in table for v in r.values())
    assert digest(rows) == hashlib.sha256(whole).hexdigest()
    rows["questions"][0]["text"] += "."
    assert digest(rows) != hashlib.sha256(whole).hexdigest()
