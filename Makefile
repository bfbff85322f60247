# Solvent: the commands a newcomer needs. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two test processes: each pass took ~12-14 min serially on a 2-core machine, ~7-8 min with two.
PYTEST_ARGS ?= -n 2
DEMO_ACCOUNTS ?= 5000
PORT ?= 8000
BENCH_SCALE ?= 1

.PHONY: demo test test-sqlite test-postgres lint bench install clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/solvent demo --accounts $(DEMO_ACCOUNTS) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=solvent.config.settings $(BIN)/solvent check
	DJANGO_SETTINGS_MODULE=solvent.config.settings SOLVENT_VAR_DIR=$$(mktemp -d) $(BIN)/solvent makemigrations --check --dry-run

test-sqlite: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# The database-backed tests again on PostgreSQL (pure domain tests need no second run).
test-postgres: $(STAMP)
	SOLVENT_TEST_DB=postgres $(BIN)/pytest $(PYTEST_ARGS)

# Every pass runs even when one before it failed, so one failure does not hide another (ADR 0016):
# pytest's own closing lines stay in the log, the last line names what failed, and the exit status
# is non-zero if anything did.
test: $(STAMP)
	@failed=""; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed test-sqlite"; \
	$(MAKE) --no-print-directory test-postgres || failed="$$failed test-postgres"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: lint, SQLite pass and PostgreSQL pass all passed"

bench: $(STAMP)
	@for script in bench/*_bench.py; do echo "# $$script --scale $(BENCH_SCALE)" >&2; \
		$(BIN)/python $$script --scale $(BENCH_SCALE) || exit 1; done

# The README's screenshots, taken by the browser test of a day's work (tests/e2e/test_agent_flow.py).
screenshots: $(STAMP)
	$(BIN)/pytest -q -p no:randomly tests/e2e/test_agent_flow.py
	cp var/screenshots/readme-desk.png docs/screenshot-account.png
	cp var/screenshots/readme-wallboard.png docs/screenshot-wallboard.png
	cp var/screenshots/readme-review.png docs/screenshot-review.png

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
