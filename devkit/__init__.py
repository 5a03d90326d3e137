"""Development harness shared by the tests and the benchmarks (never imported by the app):
an in-process HTTP client of the app and throwaway PostgreSQL and Redis servers. It lives here, not
in ``tests/``, so ``bench/`` does not import the tests."""
