"""Every question, target and task served before issue 14 keeps its ID and its content.

``fixtures/ids_before_issue14.json`` was dumped from ``build_rows`` over the bundled
manifest before issue 14 changed any parser: ID → question text, target text, task title.
New records may be added; none of these may disappear or change what its ID names.
"""

from __future__ import annotations

import json

import pytest

from loaders.ingest import build_rows, parse_all
from loaders.manifest import read_manifest
from tests.conftest import BUNDLED_MANIFEST
from tests.loaders.sources import FIXTURES

_FIELD = {"questions": "text", "targets": "text", "tasks": "title"}


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, object]]]:
    built, _ = build_rows(parse_all(read_manifest(BUNDLED_MANIFEST)))
    return built


@pytest.mark.parametrize("table", sorted(_FIELD))
def test_pre_existing_ids_name_the_same_content(
    rows: dict[str, list[dict[str, object]]], table: str
) -> None:
    before: dict[str, str] = json.loads(
        (FIXTURES / "ids_before_issue14.json").read_text(encoding="utf-8")
    )[table]
    now = {str(row["id"]): row[_FIELD[table]] for row in rows[table]}
    gone = set(before) - set(now)
    if table == "questions":
        # A question the source prints twice is served once (issue 14): the repeat's ID
        # goes, and the question kept, with the same text in the same source, cites it.
        cited_twice = {r["question_id"] for r in rows["question_citations"] if r["position"] > 1}
        kept = {(i.split("/q/")[0], t) for i, t in now.items() if i in cited_twice}
        assert {(i.split("/q/")[0], before[i]) for i in gone} <= kept
        assert len(gone) == 4  # the four Phần I questions Lào Cai's Phần 2 prints again
        # ...and each gone ID is an alias of the question kept with its text
        aliases = {r["id"]: r["question_id"] for r in rows["question_aliases"]}
        assert set(aliases) == gone
        assert all(now[aliases[i]] == before[i] for i in gone)
    else:
        assert gone == set()
    assert {i: now[i] for i in before if i not in gone} == {
        i: t for i, t in before.items() if i not in gone
    }


def test_ids_are_unique(rows: dict[str, list[dict[str, object]]]) -> None:
    for table in _FIELD:
        ids = [row["id"] for row in rows[table]]
        assert len(ids) == len(set(ids)), table
