"""Packaging: the wheel carries what it needs; compose and Dockerfile are what the docs say."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import httpx
import yaml

from conformance.server import free_port, live_server

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    db, redis, load, api, proxy = (
        services[name] for name in ("db", "redis", "load", "api", "proxy")
    )
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert redis["image"].startswith("redis:")
    # one loader migrates and loads before the replicas start: they never race
    assert load["command"] == ["dxgraph", "load"]
    assert load["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["build"] == load["build"] == "."
    for service in (load, api):
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
    assert api["depends_on"]["load"]["condition"] == "service_completed_successfully"
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"
    assert api["environment"]["DXGRAPH_REDIS_URL"] == "redis://redis:6379/0"
    assert api["environment"]["DXGRAPH_ENV"] == "production"
    assert " ".join(api["command"]).startswith("dxgraph serve")
    assert api["deploy"]["replicas"] >= 2
    # replicas publish no port of their own: nginx spreads requests over them
    assert "ports" not in api
    assert proxy["ports"] == ["8000:8000"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server api:8000;" in nginx
    assert "X-Forwarded-For" in nginx


def test_dockerfile_runs_as_non_root_on_slim_python() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    assert lines[[line.startswith("FROM") for line in lines].index(True)].endswith("-slim")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    for folder in ("api", "schema", "loaders", "db", "alembic", "data"):
        assert any(line.startswith(f"COPY {folder} ") for line in lines), folder
    # installs come from the hash-pinned locks, and the package as a wheel (not editable)
    runs = " ".join(line for line in lines if not line.startswith("#"))
    assert "--require-hashes --no-deps -r requirements/runtime.txt" in runs
    assert "--require-hashes --no-deps -r requirements/build.txt" in runs
    assert "pip install --no-deps --no-build-isolation ." in runs
    assert "pip install -e" not in runs


def _build_wheel(into: Path) -> Path:
    """The wheel of this checkout, built offline with the locked hatchling."""
    hatchling = Path(sys.executable).parent / "hatchling"
    subprocess.run(
        [str(hatchling), "build", "--target", "wheel", "--directory", str(into)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = into.glob("dxgraph-*.whl")
    return wheel


def test_wheel_ships_migrations_and_bundled_sources(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    migrations = {p.name for p in (ROOT / "alembic" / "versions").glob("*.py")}
    assert {f"db/migrations/versions/{name}" for name in migrations} <= names
    assert {"db/migrations/env.py", "db/migrations/script.py.mako"} <= names
    sources = {p.name for p in (ROOT / "data" / "sources").iterdir()}
    assert "manifest.toml" in sources
    assert {f"loaders/bundled/{name}" for name in sources} <= names
    assert "api/static/graphiql/graphiql@3.8.3/graphiql.min.js" in names
    assert not any(name.startswith(("tests/", "bench/", "devkit/", ".venv/")) for name in names)


def test_installed_wheel_serves_the_bundled_content_from_an_empty_folder(
    tmp_path: Path,
) -> None:
    """`dxgraph serve` from the wheel alone: migrates a fresh database, loads, serves.

    The wheel is unpacked as an installer would lay it out and put first on the path, so
    nothing of the checkout (migrations, sources) can stand in for what the wheel lacks.
    """
    wheel = _build_wheel(tmp_path / "dist")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    port = free_port()
    script = (
        "import sys, api, db.migrate, loaders.manifest;"
        f"assert api.__file__.startswith({str(site)!r}), api.__file__;"
        f"assert str(db.migrate.MIGRATIONS).startswith({str(site)!r});"
        f"assert str(loaders.manifest.BUNDLED_MANIFEST).startswith({str(site)!r});"
        "from api.cli import main;"
        f"sys.argv = ['dxgraph', 'serve', '--host', '127.0.0.1', '--port', '{port}'];"
        "main()"
    )
    command = [sys.executable, "-c", script]
    with live_server(
        empty / "dxgraph.db", tmp_path / "serve.log", command, port, {"PYTHONPATH": str(site)}
    ) as base:
        query = (
            "{ provinces { slug }"
            ' hg: province(slug: "ha-giang") { questions { totalCount } }'
            ' kh: province(slug: "khanh-hoa") { questions { totalCount } } }'
        )
        answer = httpx.post(f"{base}/graphql", json={"query": query}, timeout=30).json()
    assert "errors" not in answer, answer
    slugs = {p["slug"] for p in answer["data"]["provinces"]}
    assert slugs == {"ha-giang", "khanh-hoa", "lao-cai", "ha-tinh"}
    # the booklets' Phần II: Câu hỏi 35–52 about Hà Giang, Câu 24–50 about Khánh Hòa
    assert answer["data"]["hg"]["questions"]["totalCount"] == 18
    assert answer["data"]["kh"]["questions"]["totalCount"] == 27
    assert sorted(p.name for p in empty.iterdir()) == ["dxgraph.db"]


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def _locked(path: Path) -> dict[str, str]:
    """``name -> version`` of a lock file, each pin followed by its hashes."""
    text = path.read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(?: ;[^\\]*)? \\\n\s+--hash=sha256:", text, re.M)
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M)), "a pin without hash"
    return {name.lower(): version for name, version in pins}


def test_locks_pin_every_declared_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _locked(ROOT / "requirements" / "runtime.txt")
    dev = _locked(ROOT / "requirements" / "dev.txt")
    assert _names(project["dependencies"]) <= runtime.keys()
    extras = (
        project["optional-dependencies"]["dev"] + project["optional-dependencies"]["test-servers"]
    )
    assert _names(project["dependencies"] + extras) <= dev.keys()
    # one version of each package everywhere
    assert {name: dev[name] for name in runtime} == runtime
    assert _locked(ROOT / "requirements" / "build.txt")["hatchling"] == dev["hatchling"]
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes --no-deps -r $(LOCK)" in makefile
    assert "LOCK := requirements/dev.txt" in makefile
