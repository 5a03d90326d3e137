"""The compose file, Dockerfile and manifest are what the docs say (no Docker engine here)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    db, api = services["db"], services["api"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert api["build"] == "."
    assert api["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in api["environment"]["DATABASE_URL"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    command = " ".join(api["command"])
    assert command.index("dxgraph migrate") < command.index("dxgraph serve")
    assert api["deploy"]["replicas"] >= 2
    # replicas cannot share a fixed host port: only the container port is published
    assert all(":" not in str(port) for port in api["ports"])
    assert "8000" in [str(port) for port in api["ports"]]


def test_dockerfile_runs_as_non_root_on_slim_python() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    assert lines[[line.startswith("FROM") for line in lines].index(True)].endswith("-slim")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    for folder in ("api", "schema", "loaders", "db", "alembic", "data"):
        assert any(line.startswith(f"COPY {folder} ") for line in lines), folder
