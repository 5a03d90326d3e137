"""The ``dxgraph`` command line (contract: shared/contract/CLI.md)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from api.settings import Settings
from loaders.manifest import BUNDLED_MANIFEST

if TYPE_CHECKING:
    from api.keys import KeyInfo, Sessionmaker
    from loaders.ingest import LoadReport

T = TypeVar("T")

app = typer.Typer(help="dxgraph: a GraphQL content API for Vietnam's digital transformation.")


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
    allow_shrink: Annotated[
        bool,
        typer.Option(
            help="load a source even when it yields under half its loaded records, none "
            "of its kind, or not the count its text states"
        ),
    ] = False,
) -> None:
    """Migrate if needed, then load every source of the manifest, all or nothing."""
    from db.migrate import upgrade
    from loaders.ingest import LoadError

    settings = _settings()
    upgrade(settings.database_url)
    try:
        _load_and_report(settings.database_url, manifest, allow_shrink=allow_shrink)
    except LoadError as exc:
        typer.echo(f"load failed, the database is unchanged: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _load_and_report(url: str, manifest: Path, *, allow_shrink: bool = False) -> None:
    """Load with a progress bar while the sources parse, then print the load's report."""
    from rich.progress import Progress

    from loaders.ingest import load_manifest_sync

    with Progress(transient=True) as bar:
        task = bar.add_task("parsing sources")
        report = load_manifest_sync(
            url,
            manifest,
            on_parsed=lambda e: bar.update(task, advance=1, description=e.slug),
            allow_shrink=allow_shrink,
        )
    print_report(report)


def print_report(report: LoadReport) -> None:
    """The load's table (records per source), its warnings, and whether content changed."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 140))
    table = Table(title="dxgraph load")
    columns = (
        "source",
        "questions",
        "targets",
        "tasks",
        "documents",
        "rankings",
        "passages",
        "figures",
        "lines served",
        "warnings",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "source" else "right", no_wrap=True)
    for s in report.sources:
        table.add_row(
            s.slug,
            str(s.questions),
            str(s.targets),
            str(s.tasks),
            str(s.documents),
            str(s.rankings),
            str(s.passages),
            str(s.figures),
            f"{s.coverage:.1%}",
            str(len(s.warnings)),
        )
    console.print(table)
    for s in report.sources:
        for warning in s.warnings:
            console.print(f"[yellow]warning[/yellow] {s.slug}: {warning}", highlight=False)
    state = "content changed" if report.changed else "content unchanged, nothing written"
    console.print(f"{state}; content version {report.version}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(help="worker processes [default: one per CPU with Redis, else one]", min=1),
    ] = None,
) -> None:
    """Migrate; load the bundled sources if the database holds no content; serve the API."""
    import uvicorn

    from api.metrics import multiprocess_directory
    from db.migrate import upgrade
    from loaders.ingest import has_content

    settings = _settings()
    upgrade(settings.database_url)
    if not asyncio.run(has_content(settings.database_url)):
        typer.echo("the database holds no content: loading the bundled sources")
        _load_and_report(settings.database_url, BUNDLED_MANIFEST)
    shared_limits = bool(settings.rate_limit_redis_url or settings.redis_url)
    count = workers or default_workers(shared_limits=shared_limits)
    with contextlib.ExitStack() as stack:
        if count > 1:
            # /metrics whole across workers (api.metrics); the workers inherit the env
            stack.enter_context(multiprocess_directory())
            if not shared_limits:
                typer.echo(
                    f"{count} workers without Redis: each keeps its own rate-limit counts "
                    "(DXGRAPH_REDIS_URL or --workers 1 for one exact limit)",
                    err=True,
                )
            if POOL_SIZE_ENV not in os.environ:
                # the database's connection budget is the deployment's, not each worker's
                size = max(MIN_POOL_SIZE, settings.db_pool_size // count)
                stack.enter_context(_scoped_env(POOL_SIZE_ENV, str(size)))
        _run_uvicorn(uvicorn, settings, host, port, count)


@contextlib.contextmanager
def _scoped_env(name: str, value: str) -> Iterator[None]:
    """``name=value`` in the environment the workers inherit, for the block only."""
    os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)


#: ``DXGRAPH_DB_POOL_SIZE``; ``dxgraph serve`` divides the default among its workers
POOL_SIZE_ENV = "DXGRAPH_DB_POOL_SIZE"
MIN_POOL_SIZE = 5


def default_workers(*, shared_limits: bool) -> int:
    """One worker per CPU this process may run on (a container's CPU set, not the host's)
    when the rate limits are shared through Redis; one otherwise, since workers without
    Redis would each keep their own counts and so let an address through N times over."""
    if not shared_limits:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _run_uvicorn(uvicorn: Any, settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "api.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # X-Forwarded-For is the app's (api.app, DXGRAPH_FORWARDED_ALLOW_IPS)
        proxy_headers=False,
        # slow clients: idle connections close after 5 s, and past this many connections
        # new requests get 503 at once rather than queue (DXGRAPH_MAX_CONNECTIONS)
        timeout_keep_alive=5,
        limit_concurrency=settings.max_connections,
        # and a request's headers must arrive within DXGRAPH_HEADER_TIMEOUT
        http="api.slow_clients:HeaderDeadline",
        # one structured line per request comes from the app (api.observe) instead
        access_log=False,
    )


@app.command("export-schema")
def export_schema() -> None:
    """Print the served schema as SDL."""
    from schema.root import build_schema

    typer.echo(build_schema().as_str())


keys_app = typer.Typer(help="Create, list and revoke API keys (only their hashes are stored).")
app.add_typer(keys_app, name="keys")


def _with_keys_database(action: Callable[[Sessionmaker], Awaitable[T]]) -> T:
    """Migrate if needed, then run ``action`` with a sessionmaker of its own event loop."""
    from db.migrate import upgrade
    from db.session import create_engine, create_sessionmaker

    url = _settings().database_url
    upgrade(url)

    async def run() -> T:
        engine = create_engine(url)
        try:
            return await action(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="a unique name for the key's holder")],
    rate_limit: Annotated[
        str, typer.Option(help="requests allowed, in the limits library's notation")
    ] = "600/minute",
) -> None:
    """Create a key and print it: it is shown this once and cannot be recovered."""
    from api.keys import ApiKeyError, create_key, validate_name, validate_rate_limit

    try:
        # Validate before migrating or connecting: a typo fails fast and touches nothing.
        validate_name(name)
        validate_rate_limit(rate_limit)
        key = _with_keys_database(lambda maker: create_key(maker, name, rate_limit))
    except ApiKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(key)
    typer.echo(
        f"created key {name.strip()!r} ({rate_limit.strip()}); "
        "store it now, it will not be shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """Names, rate limits, created and last-used times, and state; never the keys."""
    from api.keys import list_keys

    infos = _with_keys_database(list_keys)
    if not infos:
        typer.echo("no API keys")
        return
    typer.echo(_keys_table(infos))


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="the name of the key")]) -> None:
    """Revoke a key: requests presenting it are refused from now on."""
    from api.keys import revoke_key

    if not _with_keys_database(lambda maker: revoke_key(maker, name)):
        typer.echo(f"error: no key named {name!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"revoked key {name!r}")


def _keys_table(infos: list[KeyInfo]) -> str:
    """Plain aligned columns: they never wrap or truncate a name, and grep well."""

    def when(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "never"

    header = ("NAME", "RATE LIMIT", "CREATED", "LAST USED", "STATE")
    rows = [
        (
            i.name,
            i.rate_limit,
            when(i.created_at),
            when(i.last_used_at),
            "revoked" if i.revoked else "active",
        )
        for i in infos
    ]
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def main() -> None:
    app()
