"""The heaviest requests the limits accept, and the memory 100 distinct heavy answers take.

Starts ``dxgraph serve`` on a fresh SQLite file with the bundled sources (default limits,
an unlimited anonymous rate), then:

1. sends each candidate heavy request (``CANDIDATES``: the red team's 30 aliased
   ``search(first: 100)`` over common words, 30 aliased 32-word searches, the deepest
   nested connections the cost limit lets through) ``--repeat`` times with a fresh nonce
   (no cache hit), and reports, for each, whether the limits accept it and its median
   latency; the heaviest accepted one is the slowest of those accepted;
2. sends 100 distinct heavy answers (100 questions with their answers each, a new page
   or nonce each time) and reports the server's RSS before and after.

    python -m bench.heavy [--repeat 3] [--json bench/results/heavy-DATE.json]

Measured numbers go to bench/README.md ("Heaviest accepted request"); this is a
measurement, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.scenarios import UNLIMITED_RATE, with_nonce
from bench.servers import VENV_BIN, free_port, reaper

COMMON_WORDS = ["số", "dữ liệu", "chuyển đổi", "tỉnh", "xã", "công dân"]
HIT = "score snippet item { __typename ... on Question { id text answer } }"


def _aliased_searches(queries: list[str], first: int) -> str:
    fields = "\n".join(
        f"s{n}: search(query: {json.dumps(q, ensure_ascii=False)}, first: {first})"
        f" {{ totalCount nodes {{ {HIT} }} }}"
        for n, q in enumerate(queries)
    )
    return f"query Heavy {{ {fields} }}"


LONG = (
    "chuyển đổi số quốc gia dữ liệu công dân tỉnh xã huyện nền tảng hạ tầng chính phủ số "
    "kinh tế số xã hội số dịch vụ công trực tuyến thanh toán điện tử định danh an toàn "
    "thông tin mạng kỹ năng đào tạo"
)

CANDIDATES: dict[str, str] = {
    "30 aliased search(first: 100), common words": _aliased_searches(
        [COMMON_WORDS[n % len(COMMON_WORDS)] for n in range(30)], 100
    ),
    "30 aliased 32-word searches (first: 20)": _aliased_searches(
        [" ".join(LONG.split()[n:] + LONG.split()[:n]) for n in range(30)], 20
    ),
    "one search(first: 100), common word": _aliased_searches(["số"], 100),
    "5 aliased search(first: 100), common words": _aliased_searches(COMMON_WORDS[:5], 100),
    "7 aliased search(first: 100), common words": _aliased_searches(
        [COMMON_WORDS[n % len(COMMON_WORDS)] for n in range(7)], 100
    ),
    "8 aliased search(first: 20), common words": _aliased_searches(
        [COMMON_WORDS[n % len(COMMON_WORDS)] for n in range(8)], 20
    ),
    "8 aliased search(first: 10), one common word each": _aliased_searches(
        ["số", "tỉnh", "xã", "số", "tỉnh", "xã", "số", "tỉnh"], 10
    ),
    "7 aliased search(first: 100) + questions(first: 100) with answers": (
        _aliased_searches([COMMON_WORDS[n % len(COMMON_WORDS)] for n in range(7)], 100)[:-2]
        + " questions(first: 100) { totalCount nodes { id text answer documents "
        "{ number title } } } }"
    ),
    "questions(first: 100) with answers and documents": (
        "query Heavy { questions(first: 100) { totalCount nodes "
        "{ id text answer documents { number title } pillars { code } } } }"
    ),
    "provinces → documents(first: 100) → targets(first: 10)": (
        "query Heavy { provinces { documents(first: 100) { nodes "
        "{ number title targets(first: 10) { nodes { text } } } } } }"
    ),
}

PAGE = (
    "query Page($after: String) { questions(first: 100, after: $after) "
    "{ pageInfo { endCursor } nodes { id text answer } } }"
)


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    seconds = time.perf_counter() - started
    return seconds, response.json()


def measure(base_url: str, repeat: int, rss: Any) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for name, query in CANDIDATES.items():
            _post(client, query, with_nonce({}))  # warm-up: document cache, corpus stats
            times: list[float] = []
            codes: list[str] = []
            size = 0
            for _ in range(repeat):
                seconds, body = _post(client, query, with_nonce({}))
                times.append(seconds)
                codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
                size = len(json.dumps(body))
            results[name] = {
                "accepted": not codes,
                "refused_with": sorted(set(codes)) or None,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "response_bytes": size,
            }
        before = rss()
        after_cursor: str | None = None
        for _ in range(100):
            _, body = _post(client, PAGE, with_nonce({"after": after_cursor}))
            end = body["data"]["questions"]["pageInfo"]["endCursor"]
            after_cursor = end if end and len(body["data"]["questions"]["nodes"]) == 100 else None
        after = rss()
    accepted = {k: v for k, v in results.items() if v["accepted"]}
    heaviest = max(accepted, key=lambda k: accepted[k]["median_ms"]) if accepted else None
    return {
        "candidates": results,
        "heaviest_accepted": heaviest,
        "heaviest_accepted_median_ms": accepted[heaviest]["median_ms"] if heaviest else None,
        "rss_mib_before_100_heavy_answers": round(before, 1),
        "rss_mib_after_100_heavy_answers": round(after, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dxgraph-heavy-") as folder, reaper() as keeper:
        port = free_port()
        server = keeper.start(
            "dxgraph",
            # one worker: compared with one PostGraphile process, RSS read from that process
            [
                str(VENV_BIN / "dxgraph"),
                "serve",
                "--workers",
                "1",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={
                "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/heavy.db",
                "DXGRAPH_ANON_RATE_LIMIT": UNLIMITED_RATE,
            },
            port=port,
            logdir=Path(folder),
            timeout=300,
        )
        report = measure(server.base_url, args.repeat, server.rss_mib)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
