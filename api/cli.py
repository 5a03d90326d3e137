"""The ``dxgraph`` command line (contract: shared/contract/CLI.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from api.settings import Settings

app = typer.Typer(help="dxgraph: a GraphQL content API for Vietnam's digital transformation.")

BUNDLED_MANIFEST = Path(__file__).resolve().parent.parent / "data" / "sources" / "manifest.toml"


def _settings() -> Settings:
    return Settings()


@app.command()
def migrate() -> None:
    """Bring the database schema to the latest migration (alembic upgrade head)."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is at the latest migration")


@app.command()
def load(
    manifest: Annotated[
        Path, typer.Option(help="the source manifest (TOML)", exists=False)
    ] = BUNDLED_MANIFEST,
) -> None:
    """Migrate if needed, then load every source of the manifest, all or nothing."""
    from db.migrate import upgrade
    from loaders.ingest import LoadError, load_manifest_sync

    settings = _settings()
    upgrade(settings.database_url)
    try:
        load_manifest_sync(settings.database_url, manifest, report=True)
    except LoadError as exc:
        typer.echo(f"load failed, the database is unchanged: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Migrate; load the bundled sources if the database holds no content; serve the API."""
    import uvicorn

    from db.migrate import upgrade
    from loaders.ingest import has_content, load_manifest_sync

    settings = _settings()
    upgrade(settings.database_url)
    if not asyncio.run(has_content(settings.database_url)):
        typer.echo("the database holds no content: loading the bundled sources")
        load_manifest_sync(settings.database_url, BUNDLED_MANIFEST, report=True)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )


@app.command("export-schema")
def export_schema() -> None:
    """Print the served schema as SDL."""
    from schema.root import build_schema

    typer.echo(build_schema().as_str())


def main() -> None:
    app()
