"""One JSON log line per request, and the Prometheus metrics at /metrics."""

from __future__ import annotations

import json
import re

import pytest

from devkit.client import app_client, statements


def _value(metrics: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{sample} not in /metrics"
    return float(match.group(1))


async def test_metrics_count_requests_durations_and_statements(loaded_url: str) -> None:
    query = {"query": "query Provinces { provinces { slug tasks(first: 5) { totalCount } } }"}
    async with app_client(loaded_url) as client:
        for _ in range(3):
            assert (await client.post("/graphql", json=query)).status_code == 200
        await client.post("/graphql", json={"query": "{ pillars { code } }"})
        sent = statements(client)
        response = await client.get("/metrics")
    text = response.text
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert _value(text, 'dxgraph_requests_total{operation="Provinces",status="200"}') == 3
    assert _value(text, 'dxgraph_requests_total{operation="anonymous",status="200"}') == 1
    assert _value(text, 'dxgraph_request_duration_seconds_count{operation="Provinces"}') == 3
    assert (
        _value(text, 'dxgraph_request_duration_seconds_bucket{le="+Inf",operation="Provinces"}')
        == 3
    )
    # the app's own statements, plus the background reads of the content version
    assert _value(text, "dxgraph_db_statements_total") >= sent > 0
    assert _value(text, "dxgraph_cache_hits_total") == 2


async def test_operation_labels_stay_bounded(db_url: str) -> None:
    async with app_client(db_url) as client:
        await client.post("/graphql", json={"query": "query Q1 { pillars { code } }"})
        await client.post(
            "/graphql",
            json={"query": "{ pillars { code } }", "operationName": "x" * 200},
        )
        text = (await client.get("/metrics")).text
    assert 'operation="Q1"' in text
    assert "x" * 65 not in text


async def test_one_json_log_line_per_request(
    loaded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    query = {"query": "query Pillars { pillars { code } }"}
    async with app_client(loaded_url) as client:
        capsys.readouterr()
        first = await client.post("/graphql", json=query, headers={"X-Request-ID": "req-1"})
        await client.post("/graphql", json=query, headers={"X-Request-ID": "req-2"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    requests = [line for line in lines if line["event"] == "request"]
    assert first.status_code == 200
    assert [r["request_id"] for r in requests] == ["req-1", "req-2"]
    assert [r["cache"] for r in requests] == ["miss", "hit"]
    for record in requests:
        assert record["operation"] == "Pillars"
        assert record["status"] == 200
        assert record["duration_ms"] > 0
        assert record["level"] == "info"
        assert record["timestamp"].endswith("Z")
