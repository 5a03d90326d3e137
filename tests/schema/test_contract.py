"""The served schema has no breaking change against the public contract (1.1, whole)."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes, find_dangerous_changes

from schema.root import build_schema as build_served

ROOT = Path(__file__).resolve().parents[2]


def test_project_copy_matches_the_shared_contract() -> None:
    shared = ROOT.parent / "shared" / "contract" / "schema.graphql"
    if shared.exists():  # beside a clone in CI and development; not in an sdist
        assert (ROOT / "schema" / "contract.graphql").read_text() == shared.read_text()


def test_served_schema_has_no_breaking_change() -> None:
    contract = build_schema((ROOT / "schema" / "contract.graphql").read_text())
    served = build_schema(build_served().as_str())
    assert [c.description for c in find_breaking_changes(contract, served)] == []
    # defaults (first: Int = 20, orderBy = DEADLINE_ASC, index = "DTI") are kept too
    assert [c.description for c in find_dangerous_changes(contract, served)] == []
