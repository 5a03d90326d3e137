"""GraphiQL in headless Chromium: a query typed into the editor runs and its result shows.

The page is the app's own GraphiQL route (``GET /graphql`` from a browser) on a live
``dxgraph serve``. There is no network here: conformance/graphiql.mjs answers requests
for CDN files from npm copies of the same versions and records them, so the first test
proves the page works and the ``conformance`` ones say whether the app needs a CDN at all
(it must not), and that serving the files itself (conformance/offline_graphiql.py) works.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.server import REPO, free_port, live_server
from conformance.tools import run_node

QUERY = "{ provinces { slug name } pillars { code } }"
EXPECTED = {
    "data": {
        "provinces": [
            {"slug": "ha-giang", "name": "Hà Giang"},
            {"slug": "lao-cai", "name": "Lào Cai"},
            {"slug": "ha-tinh", "name": "Hà Tĩnh"},
            {"slug": "khanh-hoa", "name": "Khánh Hòa"},
        ],
        "pillars": [
            {"code": "DIGITAL_GOVERNMENT"},
            {"code": "DIGITAL_ECONOMY"},
            {"code": "DIGITAL_SOCIETY"},
        ],
    }
}


def _browse(base: str, screenshot: Path) -> dict[str, Any]:
    return run_node("graphiql.mjs", f"{base}/graphql", QUERY, str(screenshot))


def _show(run: dict[str, Any]) -> str:
    return json.dumps(run, indent=2, ensure_ascii=False)


@pytest.fixture(scope="module")
def app_page(node_modules: None, chromium: Path, live_base: str, live_dir: Path) -> dict[str, Any]:
    """One browser session on the app's GraphiQL page.

    Typing key by key into CodeMirror on a loaded 2-core machine has failed about one run
    in five (seen on main, not reproduced on demand): a session whose typed text or answer
    came out wrong gets one more try, and the first attempt rides along in the result so
    a failure of both shows each.
    """
    run = _browse(live_base, live_dir / "graphiql.png")
    if not run["ok"] or run.get("editorText") != QUERY or run.get("result") != EXPECTED:
        retried = _browse(live_base, live_dir / "graphiql-retry.png")
        retried["first_attempt"] = run
        return retried
    return run


def test_a_query_typed_into_graphiql_runs(app_page: dict[str, Any]) -> None:
    assert app_page["ok"], _show(app_page)
    assert app_page["editorText"] == QUERY, _show(app_page)
    assert app_page["result"] == EXPECTED, _show(app_page)
    assert app_page["blockedRequests"] == [], _show(app_page)
    assert app_page["consoleErrors"] == [], _show(app_page)


@pytest.mark.conformance
def test_graphiql_needs_no_cdn(app_page: dict[str, Any]) -> None:
    """The app serves every file its GraphiQL page loads: nothing asked of unpkg."""
    assert app_page["cdnRequests"] == [], (
        "the app's GraphiQL page loads these from a CDN (answered here from npm copies; "
        "see conformance/offline_graphiql.py for serving them from the app):\n"
        + "\n".join(app_page["cdnRequests"])
    )


@pytest.mark.conformance
def test_graphiql_served_offline_around_the_app(
    node_modules: None, chromium: Path, live_base: str, live_dir: Path
) -> None:
    """The approach for the app, proven: vendored npm files and a rewritten page.

    Runs after ``live_base`` has loaded the SQLite file, and reads it alongside.
    """
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(REPO)),
        "conformance.offline_graphiql:create_app",
        *("--host", "127.0.0.1", "--port", str(port)),
    ]
    with live_server(
        live_dir / "dxgraph.db", live_dir / "offline.log", command=command, port=port
    ) as base:
        run = _browse(base, live_dir / "graphiql-offline.png")
    assert run["ok"], _show(run)
    assert run["result"] == EXPECTED, _show(run)
    assert run["cdnRequests"] == [], _show(run)
    assert run["blockedRequests"] == [], _show(run)
    assert run["consoleErrors"] == [], _show(run)
