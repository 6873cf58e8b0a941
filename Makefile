# 聚势 Jushi. `make demo` serves the Kashgar demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed

.PHONY: setup demo serve worker test test-pg test-browser fuzz-api bench bench-indicators bench-projects bench-rush lint format check-deploy clean

setup: $(STAMP_PY) $(STAMP_JS)

$(STAMP_PY): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# `make demo PORT=8001` serves on another port (HOST=0.0.0.0 to open it to the network).
HOST ?= 127.0.0.1
PORT ?= 8000
demo: setup
	DEBUG=1 $(BIN)/jushi demo --addrport $(HOST):$(PORT)

# Production serving: gunicorn with WhiteNoise, workers from the CPU count, on DATABASE_URL (docs/OPERATIONS.md).
# Background jobs need `make worker` (or `jushi worker`) running beside it.
serve: setup
	$(BIN)/jushi serve --addrport $(HOST):$(PORT)

worker: setup
	$(BIN)/jushi worker

test: setup
	$(BIN)/jushi makemigrations --check --dry-run
	$(BIN)/jushi check
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite against PostgreSQL: DATABASE_URL must point at it (.ci/run sets it up).
test-pg: setup
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "test-pg: DATABASE_URL must be a postgres:// URL" >&2; exit 2;; esac
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# Browser tests only, failing (not skipping) when Chromium is missing.
test-browser: setup
	JUSHI_REQUIRE_BROWSER=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

# schemathesis over /api/schema/ against a live demo server (a fresh SQLite file unless DATABASE_URL names an
# empty PostgreSQL database), as staff and as a reporter; fails on any 5xx or schema violation.
fuzz-api: setup
	.ci/fuzz_api.sh

# Figures, not a test: import one month for 20,000 enterprises from XLSX against openpyxl alone.
# BENCH_ARGS="--enterprises 2000" for a quick run; see bench/README.md.
BENCH_ARGS ?=
bench: $(STAMP_PY)
	$(BIN)/python bench/reporting_import.py $(BENCH_ARGS)

# A synthetic province: 100 zones, 20,000 enterprises, 33 periods; about 2 minutes on SQLite.
bench-indicators: $(STAMP_PY)
	$(BIN)/python bench/indicators_province.py $(BENCH_ARGS)

# A project ledger of 50,000 projects, 500,000 funds records, 200,000 stage changes; pages and refresh.
bench-projects: $(STAMP_PY)
	$(BIN)/python bench/projects_ledger.py $(BENCH_ARGS)

# The reporting-deadline rush: locust against `jushi serve` on PostgreSQL (when DATABASE_URL names one, or the
# local cluster) and on the SQLite default; 50 users for 60 s, then ramped to the knee (bench/README.md).
bench-rush: $(STAMP_PY)
	$(BIN)/python bench/deadline_rush.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: setup
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=jushi.example.cn JUSHI_HTTPS=1 \
	  $(BIN)/jushi check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
