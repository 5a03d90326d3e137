"""graphql-http's server audits (GraphQL over HTTP) against ``dxgraph serve``.

Every MUST audit passes; with DXGRAPH_CONFORMANCE=1, at least 90% of the SHOULD ones too.
A failure prints each failing audit with graphql-http's reason and the server's answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.tools import run_node

SHOULD_SHARE = 0.9


@pytest.fixture(scope="module")
def audit(node_modules: None, live_base: str) -> dict[str, Any]:
    return run_node("audit.mjs", f"{live_base}/graphql")


def _failures(audit: dict[str, Any], level: str) -> str:
    failed = [f for f in audit["failures"] if f["level"] == level]
    return json.dumps(failed, indent=2, ensure_ascii=False)


def test_every_must_audit_passes(audit: dict[str, Any]) -> None:
    must = audit["levels"]["MUST"]
    assert must["passed"] > 0, audit
    assert must["failed"] == 0, _failures(audit, "MUST")


@pytest.mark.conformance
def test_most_should_audits_pass(audit: dict[str, Any]) -> None:
    should = audit["levels"]["SHOULD"]
    total = should["passed"] + should["failed"]
    assert total > 0, audit
    assert should["passed"] / total >= SHOULD_SHARE, (
        f"{should['passed']}/{total} SHOULD audits pass, {SHOULD_SHARE:.0%} needed:\n"
        + _failures(audit, "SHOULD")
    )
