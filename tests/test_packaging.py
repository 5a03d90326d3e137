"""The compose file, Dockerfile and manifest are what the docs say (no Docker engine here)."""

from __future__ import annotations

from pathlib import Path

import yaml

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
