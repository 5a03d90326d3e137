"""Benchmarks: measured by hand (`make bench`), never run as timed unit tests.

Each module is a runnable script (``python -m bench.<name>``) that prints its figures,
writes them as JSON under ``bench/results/`` and refreshes its table in
``bench/README.md``. Nothing here asserts on time: a slow machine is not a failing test.
"""
