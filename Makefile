# Two commands a newcomer needs: `make run` (the service with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := voice_service

.PHONY: run test lint test-dates test-sqlite test-postgres bench demo check-surveys clean lock audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3  # the pip requirements.lock was made with

# Every dependency, direct and transitive, from requirements.lock with its hashes (make lock
# writes it from pyproject.toml); then the service itself, adding nothing.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	@echo "Installing the service into $(VENV) from requirements.lock (first run takes a few minutes)..."
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@touch $@

## make lock: rewrite requirements.lock from pyproject.toml (after adding or changing a dependency)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--extra dev --strip-extras --output-file requirements.lock pyproject.toml

## make audit: pip-audit against requirements.lock, where the vulnerability service can be reached
audit: $(VENV)/.installed-dev
	@if $(BIN)/python -c "import socket; socket.create_connection(('api.osv.dev', 443), 5)" 2>/dev/null; then \
		$(BIN)/pip-audit --strict --vulnerability-service osv --require-hashes -r requirements.lock; \
	else echo "pip-audit skipped: api.osv.dev cannot be reached from here (run make audit where it can, before each release)"; fi

## make run: SQLite (WAL), demo data, dev SMS outbox, scheduler in-process, on http://$(HOST):$(PORT)
# Development is chosen explicitly here: unset, VOICE_ENV gives no development pages.
run: export VOICE_ENV = development
run: $(VENV)/.installed
	@tools/ensure_letter_libs.sh
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
