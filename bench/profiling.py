"""Where a server's CPU time goes under load: py-spy samples, summed by layer.

``py-spy record --format raw`` attaches to the running server (no restart, no code
change) and writes collapsed stacks; ``summarize`` charges each sample to the layer of
its innermost frame (GraphQL validation, SQLAlchemy, the driver, our own code…; graphql-core's
validation visitors build namedtuples from generated code, ``<string>``, counted under
"namedtuples, builtins, C") and lists
the functions of our code (api/, schema/, db/, loaders/) that hold the most samples.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

#: (layer, substrings of a frame's file) in priority order: the first match wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "GraphQL validation (visitors)",
        ("graphql/validation/", "graphql/utilities/type_info", "graphql/language/visitor"),
    ),
    ("GraphQL parse", ("graphql/language/",)),
    ("GraphQL execution", ("graphql/execution/", "graphql/pyutils/")),
    ("Strawberry", ("strawberry/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("asyncpg / aiosqlite / sqlite3", ("asyncpg/", "aiosqlite/", "sqlite3/")),
    ("greenlet", ("greenlet",)),
    ("Starlette / uvicorn / HTTP", ("starlette/", "uvicorn/", "httptools", "h11/")),
    ("logging / metrics", ("structlog/", "logging/", "prometheus_client/")),
    ("json", ("json/",)),
    ("asyncio", ("asyncio/", "uvloop/")),
    ("GraphQL (other)", ("graphql/",)),
)
#: py-spy prints a file relative to its sys.path entry: ours start with these.
OURS: tuple[tuple[str, str], ...] = (
    ("dxgraph api/", "api/"),
    ("dxgraph schema/", "schema/"),
    ("dxgraph db/", "db/"),
    ("dxgraph loaders/", "loaders/"),
    ("bench", "bench/"),
)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def start(pid: int, duration_s: float, out: Path, rate: int = 250) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``duration_s`` (runs alongside the load)."""
    binary = py_spy()
    if binary is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    return subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(duration_s))),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _frame_file(frame: str) -> str:
    # py-spy raw frames read "function (path/to/file.py:line)"
    start, end = frame.rfind("("), frame.rfind(")")
    return frame[start + 1 : end] if start != -1 else frame


def summarize(raw: Path, top: int = 12) -> dict[str, Any]:
    """Samples by layer (innermost frame) and the heaviest functions of our code."""
    layers: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        path = _frame_file(frames[-1])
        layer = next((name for name, prefix in OURS if path.startswith(prefix)), None)
        if layer is None:
            layer = next(
                (name for name, keys in LAYERS if any(k in path for k in keys)),
                "namedtuples, builtins, C" if path.startswith("<") else "other",
            )
        layers[layer] += n
        for frame in set(frames):
            where = _frame_file(frame)
            # the command line and the server loop hold every sample: not informative
            if where.startswith(tuple(p for _, p in OURS)) and not where.startswith("api/cli"):
                ours[frame] += n
    if not total:
        return {"samples": 0, "layers": {}, "ours": {}}
    return {
        "samples": total,
        "layers": {k: round(v / total, 3) for k, v in layers.most_common()},
        "ours": {k: round(v / total, 3) for k, v in ours.most_common(top)},
    }
