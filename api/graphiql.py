"""GraphiQL without a CDN: Strawberry's page, pointed at files this app serves itself.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg.
dxgraph needs no network at run time, so those exact files (byte-identical npm copies,
checked against the page's ``integrity`` hashes) are vendored in ``api/static/graphiql``
with the page itself (``index.html``, its CDN addresses already pointed at them), and
served under ``/graphiql-assets`` with an immutable cache policy. The page is vendored
too so that a newer Strawberry, whose page may name other versions, cannot leave it
pointing at files that are not here; refresh both with
``python -m conformance.offline_graphiql api/static/graphiql``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PREFIX = "/graphiql-assets"
ASSETS = Path(__file__).resolve().parent / "static" / "graphiql"

#: a CDN file in the page: unpkg's address, and the integrity attribute that follows it
CDN_FILE = re.compile(
    r"""https://unpkg\.com/(?P<name>(?:@[^/"]+/)?[^@/"]+)@(?P<version>[^/"]+)/(?P<path>[^"]+)"
    (?P<between>\s+integrity=")(?P<integrity>sha\d+-[^"]+)""",
    re.VERBOSE,
)


def offline_html(html: str, prefix: str = PREFIX) -> str:
    """The page with every CDN address replaced by ``PREFIX/NAME@VERSION/PATH``."""

    def local(m: re.Match[str]) -> str:
        return f'{prefix}/{m["name"]}@{m["version"]}/{m["path"]}"{m["between"]}{m["integrity"]}'

    return CDN_FILE.sub(local, html)


PAGE = ASSETS / "index.html"


@functools.cache
def page() -> str:
    """The vendored GraphiQL page (Strawberry's, served from this app's own files)."""
    return PAGE.read_text(encoding="utf-8")


class Assets(StaticFiles):
    """The vendored files; their names carry versions, so browsers may keep them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def assets() -> Assets:
    return Assets(directory=ASSETS)
