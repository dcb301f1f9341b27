# ArxOS Field — developer entry points.  `make help` lists them.
#
#   make run     system packages + .venv, then the app with the demo building and a local sync server
#   make test    system packages + .venv + the PostgreSQL test cluster, then the whole
#                test suite (offscreen Qt; server tests on SQLite and PostgreSQL)
#   make lint    ruff, ruff format --check, mypy, import-linter
#
# Variables:  PYTHON=python3.12 (interpreter for a new .venv, >= 3.11)
#             PYTEST_ARGS='-k outbox -x'   ARXOS_HOME=/tmp/arx (passed to arx)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
PYTEST_ARGS ?=
# `make test` spreads the suite over this many processes (pytest-xdist; `auto` = one per
# core): about half the wall time on 2 cores. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

VENV := .venv
VENV_PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
MIN_PY := 3.11
comma := ,

# The ensure script reads PYTHON to add pythonX.Y-venv when a Debian system
# Python lacks ensurepip.
export PYTHON

# What `make test` needs before pytest starts.  Services the tests use go in
# test-services (today: PostgreSQL), the last of these.
TEST_PREREQS := sysdeps $(VENV_STAMP) test-services

.PHONY: help sysdeps venv run test test-long test-services lint format bench screenshots clean distclean

help:
	@echo 'make run        install system packages and .venv, then open the app on the demo building (synced to a local demo server)'
	@echo 'make test       install system packages and .venv, then run the test suite (PYTEST_ARGS=...)'
	@echo 'make test-long  the long property runs (300 convergence examples per database)'
	@echo 'make lint       ruff check, ruff format --check, mypy, lint-imports'
	@echo 'make format     ruff format + ruff check --fix'
	@echo 'make bench      run bench/*_bench.py, write bench/results.md'
	@echo 'make screenshots  draw the main views under Xvfb at 1280x800 into docs/screenshots/'
	@echo 'make sysdeps    install missing Debian/Ubuntu packages (scripts/ensure-system-deps.sh)'
	@echo 'make test-services  start the PostgreSQL cluster the server tests use (as root or via sudo)'
	@echo 'make venv       create .venv and install the project with [server,test,dev] extras'
	@echo 'make clean      remove build artefacts and caches; distclean also removes .venv'

sysdeps:
	@bash scripts/ensure-system-deps.sh

venv: $(VENV_STAMP)

# Re-installs whenever pyproject.toml changes (or .venv is removed). sysdeps is
# order-only: it runs first (e.g. to add pythonX.Y-venv) but never forces a
# re-install.
$(VENV_STAMP): pyproject.toml | sysdeps
	@if [ ! -x $(VENV_PY) ]; then \
	    if ! command -v $(PYTHON) >/dev/null 2>&1; then \
	        echo "error: '$(PYTHON)' not found; ArxOS Field needs Python >= $(MIN_PY)." >&2; \
	        echo "       Install it, or point make at one: make PYTHON=/path/to/python3.11 ..." >&2; \
	        exit 1; \
	    fi; \
	    if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < ($(subst .,$(comma),$(MIN_PY))))'; then \
	        echo "error: ArxOS Field needs Python >= $(MIN_PY), but $(PYTHON) is" \
	             "$$($(PYTHON) -c 'import platform; print(platform.python_version())')." >&2; \
	        echo "       Install a newer Python and run: make PYTHON=python$(MIN_PY) ..." >&2; \
	        exit 1; \
	    fi; \
	    echo "Creating $(VENV) with $$(command -v $(PYTHON))"; \
	    $(PYTHON) -m venv $(VENV); \
	fi
	@if ! $(VENV_PY) -c 'import sys; sys.exit(sys.version_info < ($(subst .,$(comma),$(MIN_PY))))'; then \
	    echo "error: $(VENV) has Python $$($(VENV_PY) -c 'import platform; print(platform.python_version())')," \
	         "ArxOS Field needs >= $(MIN_PY). Remove it (make distclean) and retry." >&2; \
	    exit 1; \
	fi
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install -e '.[server,test,dev]'
	@touch $@

# ARXOS_HOME, if set in the environment or on the command line, reaches arxos;
# otherwise it uses the per-user data dir, so your data survives between runs.
# Without a display, arxos says so in one sentence (and how to run offscreen or use arx).
run: sysdeps $(VENV_STAMP)
	$(VENV)/bin/arxos --demo

# Starts the Debian PostgreSQL cluster and writes its test URL to .test-postgres-url
# (see the script). Outside CI, when it cannot (no root, no sudo), it says so and
# the PostgreSQL variants of the server tests skip; with CI=true they fail.
test-services: sysdeps
	@bash scripts/start-test-postgres.sh

# ARXOS_TEST_POSTGRES_URL already in the environment wins over the file, so the
# tests can run against a PostgreSQL of your own.
test: $(TEST_PREREQS)
	@if [ -z "$${ARXOS_TEST_POSTGRES_URL:-}" ] && [ -f .test-postgres-url ]; then \
	    export ARXOS_TEST_POSTGRES_URL="$$(cat .test-postgres-url)"; \
	fi; \
	echo "QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)"; \
	QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The property tests with their long profile (300 examples instead of the suite's 30),
# then the tests marked `long` (big generated inputs), which `make test` leaves out.
test-long: $(TEST_PREREQS)
	@if [ -z "$${ARXOS_TEST_POSTGRES_URL:-}" ] && [ -f .test-postgres-url ]; then \
	    export ARXOS_TEST_POSTGRES_URL="$$(cat .test-postgres-url)"; \
	fi; \
	HYPOTHESIS_PROFILE=long QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest tests/server/test_convergence.py $(PYTEST_ARGS) && \
	QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest -m long $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(VENV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: sysdeps $(VENV_STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV_PY) bench/run_all.py

# The app's main views on a virtual 1280x800 screen (Xvfb), for the README; and an
# exported drawing with every kind of markup as poppler (pdftoppm) draws it.
screenshots: sysdeps $(VENV_STAMP)
	$(VENV_PY) scripts/screenshots.py docs/screenshots
	$(VENV_PY) scripts/export_screenshot.py docs/screenshots

clean:
	rm -rf build dist .eggs *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis \
	    .import_linter_cache bench/.tmp .coverage htmlcov
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	    \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 | xargs -0 -r rm -rf

distclean: clean
	rm -rf $(VENV)
