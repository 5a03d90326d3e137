# dxgraph: `make run` serves the API on SQLite with the bundled sources; `make test` runs
# every test (SQLite and a throwaway PostgreSQL). Needs only python3 (3.11+), pip and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint format bench bench-quick clean conformance

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "dxgraph needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# npm packages of the conformance checks (graphql-http's audit, playwright-core)
NODE_STAMP := conformance/node_modules/.package-lock.json
$(NODE_STAMP): conformance/package.json conformance/package-lock.json
	cd conformance && npm ci --no-audit --no-fund --silent

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/dxgraph migrate
	$(BIN)/dxgraph load
	$(BIN)/dxgraph serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.load_time
	$(BIN)/python -m bench.search_latency
	$(BIN)/python -m bench.run

# the same harness, short runs at x1 and x10 only (minutes, not an hour)
bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

# the GraphQL-over-HTTP audit (graphql-http), 300 fuzzed queries per database, GraphiQL in
# headless Chromium; a smaller slice of the same runs in `make test`
conformance: $(STAMP) $(NODE_STAMP)
	DXGRAPH_CONFORMANCE=1 $(BIN)/pytest tests/conformance

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -rf conformance/node_modules bench/peers/node_modules
	rm -f dxgraph.db dxgraph.db-wal dxgraph.db-shm
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
