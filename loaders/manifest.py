"""The source manifest (TOML): which texts to load, of which kind, for which province.

A ``file`` is read only from inside the manifest's own folder (after following symlinks),
or from the bundled sources (``data/sources``, which test and benchmark manifests name by
absolute path): ``file = "../../../../etc/passwd"`` used to load as a source.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from db.reference import PROVINCES, pre_merger_provinces
from loaders.records import ParseError

SOURCE_KINDS = frozenset({"QA_BOOKLET", "HANDBOOK", "ARTICLE", "SLIDES"})

#: The bundled sources' manifest: inside the package in an installed wheel
#: (loaders/bundled, mapped from data/sources by the build), in data/sources in a checkout.
_PACKAGED = Path(__file__).resolve().parent / "bundled" / "manifest.toml"
BUNDLED_MANIFEST = (
    _PACKAGED
    if _PACKAGED.is_file()
    else Path(__file__).resolve().parent.parent / "data" / "sources" / "manifest.toml"
)
#: the texts that ship with dxgraph: a manifest anywhere may name them
BUNDLED_SOURCES = BUNDLED_MANIFEST.parent
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One ``[[source]]`` of a manifest, validated; ``path`` is absolute."""

    slug: str
    path: Path
    kind: str
    title: str
    province: str | None = None
    publisher: str | None = None
    year: int | None = None


def resolve_province(value: str) -> str | None:
    """The slug of a province given by slug or GSO code; None when unknown.

    Any of the 63 provinces as they were before 1 July 2025 (the ones the database
    holds): a new province's booklet loads by a manifest entry alone.
    """
    needle = value.strip().lower()
    known = [(ref.slug, ref.code) for ref in PROVINCES]
    known += [(ref.slug, ref.code) for ref in pre_merger_provinces()]
    for slug, code in known:
        if needle in (slug, code):
            return slug
    return None


def read_manifest(path: Path) -> list[SourceEntry]:
    """Parse and validate a manifest; any problem is a ParseError naming the manifest."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ParseError(name, None, "manifest not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(name, None, f"not a valid TOML manifest: {exc}") from exc
    raw_sources = data.get("source")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ParseError(name, None, "no [[source]] entries")
    entries: list[SourceEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sources, start=1):
        where = f"[[source]] #{index}"
        if not isinstance(raw, dict):
            raise ParseError(name, None, f"{where} is not a table")
        for key in ("slug", "file", "kind", "title"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ParseError(name, None, f"{where}: '{key}' is required (a string)")
        slug = raw["slug"].strip()
        if not _SLUG.match(slug):
            raise ParseError(name, None, f"{where}: slug '{slug}' must be lower-case-with-dashes")
        if slug in seen:
            raise ParseError(name, None, f"{where}: slug '{slug}' appears twice")
        seen.add(slug)
        kind = raw["kind"].strip()
        if kind not in SOURCE_KINDS:
            raise ParseError(
                name, None, f"{where}: kind '{kind}' is not one of {sorted(SOURCE_KINDS)}"
            )
        province: str | None = None
        if raw.get("province") is not None:
            province = resolve_province(str(raw["province"]))
            if province is None:
                raise ParseError(name, None, f"{where}: unknown province '{raw['province']}'")
        year = raw.get("year")
        if year is not None and not isinstance(year, int):
            raise ParseError(name, None, f"{where}: year must be an integer")
        publisher = raw.get("publisher")
        file = (path.parent / raw["file"]).resolve()
        folder = path.parent.resolve()
        if not (file.is_relative_to(folder) or file.is_relative_to(BUNDLED_SOURCES)):
            raise ParseError(
                name, None, f"{where}: file '{raw['file']}' is outside the manifest's folder"
            )
        entries.append(
            SourceEntry(
                slug=slug,
                path=file,
                kind=kind,
                title=raw["title"].strip(),
                province=province,
                publisher=publisher.strip() if isinstance(publisher, str) else None,
                year=year,
            )
        )
    return entries
