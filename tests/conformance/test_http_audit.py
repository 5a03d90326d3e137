"""graphql-http's server audits (GraphQL over HTTP) against ``dxgraph serve``.

Every MUST audit passes; with DXGRAPH_CONFORMANCE=1, at least 90% of the SHOULD ones too.
A failure prints each failing audit with graphql-http's reason and the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.audit import SHOULD_SHARE, failures, run_audit


@pytest.fixture(scope="module")
def audit(live_base: str) -> dict[str, Any]:
    return run_audit(f"{live_base}/graphql")


def test_every_must_audit_passes(audit: dict[str, Any]) -> None:
    must = audit["levels"]["MUST"]
    assert must["passed"] > 0, audit
    assert must["failed"] == 0, failures(audit, "MUST")


@pytest.mark.conformance
def test_most_should_audits_pass(audit: dict[str, Any]) -> None:
    should = audit["levels"]["SHOULD"]
    total = should["passed"] + should["failed"]
    assert total > 0, audit
    assert should["passed"] / total >= SHOULD_SHARE, (
        f"{should['passed']}/{total} SHOULD audits pass, {SHOULD_SHARE:.0%} needed:\n"
        + failures(audit, "SHOULD")
    )
