"""Which size of the checks runs: the slice of ``make test``, or all of ``make conformance``.

``DXGRAPH_CONFORMANCE=1`` selects all of them (tests marked ``conformance`` included);
``DXGRAPH_FUZZ_EXAMPLES=N`` sets the number of generated queries per fuzz test and
``DXGRAPH_FUZZ_BACKENDS=sqlite,postgresql`` the databases it runs on.
"""

from __future__ import annotations

import os

#: every check, as ``make conformance`` runs them
FULL = os.environ.get("DXGRAPH_CONFORMANCE", "") not in ("", "0")
#: generated queries per fuzz test: at least 50 in ``make test``, 300 in ``make conformance``
FUZZ_EXAMPLES = int(os.environ.get("DXGRAPH_FUZZ_EXAMPLES", "300" if FULL else "50"))
#: databases the fuzz runs on: both, in ``make test`` and ``make conformance``
FUZZ_BACKENDS = tuple(os.environ.get("DXGRAPH_FUZZ_BACKENDS", "sqlite,postgresql").split(","))
