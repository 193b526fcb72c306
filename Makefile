# Two commands a newcomer needs: `make run` (the service with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := voice_service

.PHONY: run test test-sqlite test-postgres bench demo check-surveys clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing the service into $(VENV) (first run takes a few minutes)..."
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "Installing the service and its test tools into $(VENV)..."
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(VENV)/.installed $@

## make run: SQLite (WAL), demo data, dev SMS outbox, scheduler in-process, on http://$(HOST):$(PORT)
# Development is chosen explicitly here: unset, VOICE_ENV gives no development pages.
run: export VOICE_ENV = development
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask demo
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} RUN_SCHEDULER_IN_PROCESS=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev
	@tools/ensure_test_tools.sh
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL pass skipped (.ci/run starts one; or eval \"\$$(tools/start_postgres.sh)\")"; fi

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL =="
	$(BIN)/pytest $(PYTEST_ARGS)

## make bench: every benchmark in bench/, figures written to bench/RESULTS.md
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

check-surveys: $(VENV)/.installed
	$(BIN)/flask surveys check

clean:
	rm -rf $(VENV) instance .pytest_cache
