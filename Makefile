# dxgraph: `make run` serves the API on SQLite with the bundled sources; `make test` runs
# every test (SQLite and a throwaway PostgreSQL). Needs only python3 (3.11+), pip and make:
# every Python package comes from the hash-pinned lock in requirements/, and the servers,
# Node.js and Chromium the tests use come from scripts/provision.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint format bench bench-quick clean conformance

LOCK := requirements/dev.txt
# the venv's node, npm, and the tools the tests start come first
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: provision lock

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "dxgraph needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# PostgreSQL, Redis (Valkey), Node.js with the conformance npm packages, Chromium
provision: $(STAMP)
	scripts/provision

# re-resolve the locks after a change to pyproject.toml's ranges (the only step that
# resolves anything; every install takes the pinned, hashed versions)
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command 'make lock' -q -o requirements/runtime.txt
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  --extra dev --extra test-servers --custom-compile-command 'make lock' -q -o $(LOCK)
	$(BIN)/uv pip compile requirements/build.in --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command 'make lock' -q -o requirements/build.txt

run: $(STAMP)
	$(BIN)/dxgraph migrate
	$(BIN)/dxgraph load
	$(BIN)/dxgraph serve --host $(HOST) --port $(PORT)

test: provision
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/deptry .
	$(BIN)/deptry api schema loaders db dxtext --optional-dependencies-dev-groups dev,test-servers \
	  --per-rule-ignores 'DEP002=aiosqlite|asyncpg'

bench: provision
	$(BIN)/python -m bench.load_time
	$(BIN)/python -m bench.search_latency
	$(BIN)/python -m bench.run

# the same harness, short runs at x1 and x10 only (minutes, not an hour)
bench-quick: provision
	$(BIN)/python -m bench.run --quick

# the GraphQL-over-HTTP audit (graphql-http), 300 fuzzed queries per database, GraphiQL in
# headless Chromium; a smaller slice of the same runs in `make test`
conformance: provision
	DXGRAPH_CONFORMANCE=1 $(BIN)/pytest tests/conformance

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -rf conformance/node_modules bench/peers/node_modules
	rm -f dxgraph.db dxgraph.db-wal dxgraph.db-shm
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
