# Two commands a newcomer needs: `make run` (the service with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := voice_service

.PHONY: run test lint test-dates test-sqlite test-postgres bench demo check-surveys clean

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
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask demo
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} RUN_SCHEDULER_IN_PROCESS=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev
	@tools/ensure_test_tools.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL pass skipped (.ci/run starts one; or eval \"\$$(tools/start_postgres.sh)\")"; fi

## make lint: ruff (rules in pyproject.toml [tool.ruff]), then module sizes and import circles
lint: $(VENV)/.installed-dev
	@echo "== lint =="
	$(BIN)/ruff check .
	$(BIN)/python tools/check_modules.py

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL =="
	$(BIN)/pytest $(PYTEST_ARGS)

## make test-dates: the suite (not browser, not slow) with the clock at a Christmas week, a BST change,
## 29 February and New Year's Eve (TEST_FAKE_NOW, tests/conftest.py): a test that depends on today's date fails here
test-dates: $(VENV)/.installed-dev
	@for when in "2026-12-23T10:00 Europe/London" "2027-03-28T01:30" "2028-02-29T12:00" "2026-12-31T23:30"; do \
	  echo "== the clock at $$when =="; \
	  TEST_FAKE_NOW="$$when" env -u TEST_DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider -m "not browser and not slow" $(PYTEST_ARGS) || exit 1; \
	done

## make bench: every benchmark in bench/, figures written to bench/RESULTS.md
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

check-surveys: $(VENV)/.installed
	$(BIN)/flask surveys check

clean:
	rm -rf $(VENV) instance .pytest_cache
