"""The compose setup trusts only nginx's address, keeps /metrics in, and keeps rate-limit
counters where cache eviction cannot reach them (issue 15; no Docker engine here)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_replicas_trust_forwarded_for_from_nginx_only() -> None:
    services = compose()["services"]
    trusted = services["api"]["environment"]["DXGRAPH_FORWARDED_ALLOW_IPS"]
    assert "*" not in trusted
    nginx_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    assert [t.strip() for t in trusted.split(",")] == [nginx_address]
    subnet = compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(nginx_address) in ipaddress.ip_network(subnet)
    # nothing but nginx and the replicas sits on that network
    on_edge = {name for name, s in services.items() if "edge" in (s.get("networks") or [])}
    assert on_edge == {"api", "proxy"}


def test_metrics_stay_off_the_public_proxy() -> None:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    block = nginx.split("location = /metrics", 1)[1].split("}", 1)[0]
    assert "return 404" in block or "deny all" in block
    assert "DXGRAPH_METRICS_TOKEN" in compose()["services"]["api"]["environment"]
    for timeout in ("client_header_timeout", "client_body_timeout"):
        assert timeout in nginx


def test_cache_eviction_cannot_drop_rate_limit_counters() -> None:
    services = compose()["services"]
    cache = " ".join(services["redis"]["command"])
    limits = " ".join(services["redis-limits"]["command"])
    assert "--maxmemory-policy volatile-lru" in cache
    assert "--maxmemory-policy noeviction" in limits
    env = services["api"]["environment"]
    assert env["DXGRAPH_RATE_LIMIT_REDIS_URL"] == "redis://redis-limits:6379/0"
    assert env["DXGRAPH_REDIS_URL"] != env["DXGRAPH_RATE_LIMIT_REDIS_URL"]
