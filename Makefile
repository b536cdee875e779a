# The Book Café library. `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Two workers (the machines have 2 cores); each worker has its own database.
PYTEST_WORKERS ?= 2

.PHONY: run test test-sqlite test-postgresql deps dev-deps system-deps translations i18n lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
		|| { echo "ERROR: $(PYTHON) is older than 3.11; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Compiled catalogues (.mo) are build output; the .po files are the source.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))
app/translations/%.mo: app/translations/%.po | $(VENV)/.deps
	@$(BIN)/pybabel -q compile -i $< -o $@
translations: $(MO_FILES)

run: deps translations
	$(FLASK) db upgrade
	$(FLASK) library seed-demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

system-deps:
	@bash scripts/system-deps.sh

test: dev-deps translations system-deps
	@echo "=== test suite on SQLite ==="
	TEST_DB=sqlite $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@echo "=== test suite on PostgreSQL (throwaway server started by the tests) ==="
	TEST_DB=postgresql $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-sqlite: dev-deps translations
	TEST_DB=sqlite $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgresql: dev-deps translations system-deps
	TEST_DB=postgresql $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Extract strings and update both catalogues (then translate the new Korean entries).
i18n: dev-deps
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project=bookcafe -o app/translations/messages.pot app templates templates/_macros
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -w 100 -i app/translations/messages.pot -d app/translations

# Benchmarks: `make bench` (SQLite) or `make bench DB=postgresql`; sizes with SIZES=10k,100k.
DB ?= sqlite
SIZES ?= 10k,100k,1m
BENCH_SECONDS ?= 8
bench: dev-deps translations
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "ERROR: wrk is missing (apt-get install wrk)"; exit 1; }
	@[ "$(DB)" != postgresql ] || bash scripts/system-deps.sh
	$(BIN)/python -m bench.run --db $(DB) --sizes $(SIZES) --seconds $(BENCH_SECONDS)

lint: dev-deps
	$(BIN)/ruff check app tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
