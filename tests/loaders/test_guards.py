"""Loads that would lose content or read outside the manifest's folder are refused, the
database unchanged (issue 15, loaders.guards and loaders.manifest); two loads started
together get distinct content versions. Every database test runs on both backends."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import models
from db.session import create_engine
from loaders.guards import stated_questions
from loaders.ingest import LoadError, load_manifest
from loaders.manifest import read_manifest
from loaders.records import ParseError
from tests.conftest import load_into

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
KHANH_HOA = SOURCES / "khanh-hoa-hoi-dap-2022.txt"
HA_GIANG = SOURCES / "ha-giang-hoi-dap-2022.txt"


@pytest.fixture
async def loaded_copy(db_url: str) -> str:
    """A database of its own (each backend) with the bundled sources: these tests write."""
    await load_into(db_url)
    return db_url


def manifest(folder: Path, *entries: tuple[str, str, str, str]) -> Path:
    """A manifest of (slug, file, kind, province) entries in ``folder``."""
    blocks = [
        f'[[source]]\nslug = "{slug}"\nfile = "{file}"\nkind = "{kind}"\n'
        f'title = "{slug}"\nprovince = "{province}"\n'
        for slug, file, kind, province in entries
    ]
    path = folder / "manifest.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


async def load(url: str, path: Path, *, allow_shrink: bool = False) -> int:
    engine = create_engine(url)
    try:
        return (await load_manifest(engine, path, allow_shrink=allow_shrink)).version
    finally:
        await engine.dispose()


async def state(url: str) -> tuple[int, dict[str, int]]:
    """The content version and the questions per source."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(select(models.ContentVersion.version))
            rows = await conn.execute(
                select(models.Question.source_id, func.count()).group_by(models.Question.source_id)
            )
            return int(version or 0), {source: int(n) for source, n in rows.all()}
    finally:
        await engine.dispose()


# --- manifest paths ---------------------------------------------------------------------


@pytest.mark.parametrize("file", ["../../../../etc/passwd", "/etc/passwd", "../outside.txt"])
def test_manifest_files_stay_inside_its_folder(tmp_path: Path, file: str) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text("Câu hỏi 1: x?\nTrả lời: y\n", encoding="utf-8")
    path = manifest(folder, ("etc", file, "QA_BOOKLET", "khanh-hoa"))
    with pytest.raises(ParseError, match="outside the manifest's folder"):
        read_manifest(path)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "booklet.txt").symlink_to("/etc/hostname")
    with pytest.raises(ParseError, match="outside the manifest's folder"):
        read_manifest(manifest(folder, ("etc", "booklet.txt", "QA_BOOKLET", "khanh-hoa")))


def test_files_inside_the_folder_and_the_bundled_texts_are_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kh.txt").write_text(KHANH_HOA.read_text(encoding="utf-8"))
    entries = read_manifest(
        manifest(
            tmp_path,
            ("inside", "sub/../sub/kh.txt", "QA_BOOKLET", "khanh-hoa"),
            ("bundled", str(HA_GIANG), "QA_BOOKLET", "ha-giang"),
        )
    )
    assert [e.path for e in entries] == [tmp_path / "sub" / "kh.txt", HA_GIANG]


async def test_a_traversing_manifest_leaves_the_database_unchanged(
    loaded_copy: str, tmp_path: Path
) -> None:
    before = await state(loaded_copy)
    path = manifest(
        tmp_path, ("khanh-hoa-hoi-dap-2022", "../../../../etc/passwd", "QA_BOOKLET", "khanh-hoa")
    )
    with pytest.raises(LoadError, match="outside the manifest's folder"):
        await load(loaded_copy, path)
    assert await state(loaded_copy) == before


# --- shrinking sources ------------------------------------------------------------------


def test_the_stated_count_is_read_from_the_text() -> None:
    # Khánh Hòa's booklet, line 21: "… gồm 50 câu hỏi và trả lời …"
    assert stated_questions(KHANH_HOA.read_text(encoding="utf-8")) == 50
    assert stated_questions(HA_GIANG.read_text(encoding="utf-8")) is None


async def test_a_booklet_cut_in_half_contradicts_its_stated_count(
    loaded_copy: str, tmp_path: Path
) -> None:
    lines = lines_of(KHANH_HOA)
    cut = next(i for i, line in enumerate(lines) if line.startswith("Câu hỏi 31:"))
    (tmp_path / "kh.txt").write_text("".join(lines[:cut]), encoding="utf-8")
    path = manifest(tmp_path, ("khanh-hoa-hoi-dap-2022", "kh.txt", "QA_BOOKLET", "khanh-hoa"))
    before = await state(loaded_copy)
    assert before[1]["khanh-hoa-hoi-dap-2022"] == 50
    with pytest.raises(LoadError) as refused:
        await load(loaded_copy, path)
    message = str(refused.value)
    assert str(tmp_path / "kh.txt") in message
    assert "states 50 questions" in message and "30 were found" in message
    assert await state(loaded_copy) == before
    # the operator says it really is shorter
    version = await load(loaded_copy, path, allow_shrink=True)
    after = await state(loaded_copy)
    assert version == before[0] + 1 and after[1]["khanh-hoa-hoi-dap-2022"] == 30


async def test_fewer_than_half_the_records_of_the_same_slug_is_refused(
    loaded_copy: str, tmp_path: Path
) -> None:
    """Hà Giang's booklet states no count: under half its 52 loaded questions is refused,
    half of them is not."""
    lines = lines_of(HA_GIANG)
    before = await state(loaded_copy)
    assert before[1]["ha-giang-hoi-dap-2022"] == 52

    def first_questions(n: int) -> Path:
        cut = next(i for i, line in enumerate(lines) if line.startswith(f"Câu hỏi {n + 1}:"))
        (tmp_path / f"hg{n}.txt").write_text("".join(lines[:cut]), encoding="utf-8")
        return manifest(tmp_path, ("ha-giang-hoi-dap-2022", f"hg{n}.txt", "QA_BOOKLET", "ha-giang"))

    with pytest.raises(LoadError) as refused:
        await load(loaded_copy, first_questions(20))
    assert "20 questions where the database has 52" in str(refused.value)
    assert str(tmp_path / "hg20.txt") in str(refused.value)
    assert await state(loaded_copy) == before


async def test_a_booklet_declared_as_slides_is_refused(loaded_copy: str, tmp_path: Path) -> None:
    (tmp_path / "kh.txt").write_text(KHANH_HOA.read_text(encoding="utf-8"), encoding="utf-8")
    path = manifest(tmp_path, ("khanh-hoa-slides", "kh.txt", "SLIDES", "khanh-hoa"))
    before = await state(loaded_copy)
    with pytest.raises(LoadError, match="no rankings for a SLIDES source"):
        await load(loaded_copy, path)
    assert await state(loaded_copy) == before


# --- concurrent loads -------------------------------------------------------------------


async def test_loads_started_together_get_distinct_versions(
    loaded_copy: str, tmp_path: Path
) -> None:
    """Two loads of different content at once: each that succeeds has its own version."""
    start, _ = await state(loaded_copy)
    manifests = []
    for n in range(3):
        folder = tmp_path / f"m{n}"
        folder.mkdir()
        (folder / "kh.txt").write_text(
            KHANH_HOA.read_text(encoding="utf-8") + f"\nGhi chú {n}\n", encoding="utf-8"
        )
        manifests.append(manifest(folder, (f"kh-{n}", "kh.txt", "QA_BOOKLET", "khanh-hoa")))
    results = await asyncio.gather(
        *(load(loaded_copy, m, allow_shrink=True) for m in manifests), return_exceptions=True
    )
    versions = [r for r in results if isinstance(r, int)]
    failures = [r for r in results if not isinstance(r, int)]
    assert all(isinstance(f, Exception) for f in failures), failures
    assert len(versions) >= 1
    assert len(set(versions)) == len(versions), versions
    final, _ = await state(loaded_copy)
    assert final == start + len(versions) == max(versions)
