"""GraphiQL with no CDN: the files Strawberry's page loads, served by the app itself.

Strawberry's GraphiQL page (``strawberry/static/graphiql.html``) loads React, GraphiQL and
its explorer plugin from ``https://unpkg.com/NAME@VERSION/PATH``, each with an
``integrity`` hash. The npm registry has the same packages, byte for byte, so:

1. ``vendor(dest)`` copies each file the page names from an npm install of the same
   versions (``conformance/node_modules``) to ``dest/NAME@VERSION/PATH``, checking every
   file against the page's integrity hash;
2. ``offline_html(html, prefix)`` points the page at ``PREFIX/NAME@VERSION/PATH`` instead
   (the hashes stay, and still match);
3. the app serves ``dest`` under ``prefix``.

``create_app`` does this around the real app (``api.app.create_app``) without touching it:
the proof that the approach works, used by tests/conformance/test_graphiql.py. The app can
do the same with a route and a view that returns ``offline_html(...)``.

    python -m conformance.offline_graphiql DEST   # vendor the files and the page into DEST
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

from api.graphiql import CDN_FILE as _CDN_FILE
from api.graphiql import PREFIX, offline_html
from conformance.tools import NODE_MODULES

#: where ``create_app`` serves the files, and where it keeps them
DEFAULT_ASSETS = NODE_MODULES / ".graphiql-assets"


@dataclass(frozen=True)
class Asset:
    """One CDN file of the page: npm package, version, path in the package, integrity."""

    name: str
    version: str
    path: str
    integrity: str

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}/{self.path}"


def cdn_assets(html: str) -> list[Asset]:
    return [
        Asset(m["name"], m["version"], m["path"], m["integrity"]) for m in _CDN_FILE.finditer(html)
    ]


def sri(data: bytes, algorithm: str = "sha384") -> str:
    """A subresource-integrity value (``sha384-…``) for ``data``."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def vendor(dest: Path, html: str | None = None, source: Path = NODE_MODULES) -> list[Asset]:
    """Copy every file the page names from ``source`` (node_modules) to ``dest``."""
    html = html if html is not None else get_graphql_ide_html("graphiql")
    assets = cdn_assets(html)
    for asset in assets:
        origin = source / asset.name / asset.path
        data = origin.read_bytes()
        algorithm = asset.integrity.split("-", 1)[0]
        if sri(data, algorithm) != asset.integrity:
            raise ValueError(
                f"{origin} does not match the page's integrity {asset.integrity}: "
                f"install {asset.name}@{asset.version} exactly"
            )
        target = dest / asset.key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    return assets


class OfflineGraphiQL:
    """ASGI wrapper: serves the vendored files, and rewrites the app's GraphiQL page."""

    def __init__(self, app: ASGIApp, assets: Path, prefix: str = PREFIX) -> None:
        self.app = app
        self.prefix = prefix
        self.static = StaticFiles(directory=assets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # the lifespan reaches the real app
            return
        if scope["path"].startswith(self.prefix + "/"):
            path = scope["path"][len(self.prefix) :]
            await self.static({**scope, "path": path, "root_path": ""}, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    await send(message)
                    return
                start = message  # hold it: the length changes with the body
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = offline_html(b"".join(chunks).decode(), self.prefix).encode()
            kept = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            await send({**start, "headers": [*kept, (b"content-length", b"%d" % len(body))]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def create_app() -> OfflineGraphiQL:
    """The real app (settings from the environment), its GraphiQL served offline."""
    from api.app import create_app as create_real_app

    vendor(DEFAULT_ASSETS)
    return OfflineGraphiQL(create_real_app(), DEFAULT_ASSETS)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m conformance.offline_graphiql DEST", file=sys.stderr)
        return 2
    dest = Path(argv[0])
    for asset in vendor(dest):
        print(f"{asset.key}  {asset.integrity}")
    # the page with them (api.graphiql serves it): it names exactly these files
    page = dest / "index.html"
    page.write_text(offline_html(get_graphql_ide_html("graphiql")), encoding="utf-8")
    print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
