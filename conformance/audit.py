"""The GraphQL-over-HTTP audit (graphql-http's ``serverAudits``) and its verdict.

    python -m conformance.audit                 # a fresh `dxgraph serve` on a temp SQLite
    python -m conformance.audit URL             # any GraphQL endpoint, e.g. a deployment

prints the JSON summary of ``audit.mjs`` and exits 1 unless every MUST audit and at least
90% of the SHOULD audits pass.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from conformance.server import live_server
from conformance.tools import ensure_node_modules, run_node

#: share of the SHOULD audits that must pass; every MUST audit must
SHOULD_SHARE = 0.9


def run_audit(url: str) -> dict[str, Any]:
    """The audit's summary: ``levels`` (passed/failed per MUST, SHOULD, MAY), ``failures``."""
    ensure_node_modules()
    return run_node("audit.mjs", url)


def shortfalls(summary: dict[str, Any]) -> list[str]:
    """Why the summary falls short of MUST 100% and SHOULD 90%; empty when it does not."""
    found: list[str] = []
    must, should = summary["levels"]["MUST"], summary["levels"]["SHOULD"]
    if must["passed"] == 0 or must["failed"]:
        found.append(f"{must['failed']} MUST audits fail ({must['passed']} pass)")
    total = should["passed"] + should["failed"]
    if not total or should["passed"] / total < SHOULD_SHARE:
        found.append(f"{should['passed']}/{total} SHOULD audits pass, {SHOULD_SHARE:.0%} needed")
    return found


def failures(summary: dict[str, Any], level: str) -> str:
    """The failing audits of one level, as JSON for a report."""
    failed = [f for f in summary["failures"] if f["level"] == level]
    return json.dumps(failed, indent=2, ensure_ascii=False)


def main(argv: list[str]) -> int:
    if argv:
        summary = run_audit(argv[0])
    else:
        with tempfile.TemporaryDirectory(prefix="dxgraph-audit-") as tmp:
            root = Path(tmp)
            with live_server(root / "dxgraph.db", root / "serve.log") as base:
                summary = run_audit(f"{base}/graphql")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    problems = shortfalls(summary)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
