# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed
# from this repository's lock files into .venv; nothing is assumed to be pre-installed but a
# Python >= 3.12 (the newest one found is used; override with PYTHON=...).
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
export PORT ?= 8000
export DATA_DIR ?= $(CURDIR)/data
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Promptbrush needs Python 3.12 or newer (python3.12+ on PATH, or PYTHON=...)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

.PHONY: install run test lint chromium lock bench
install: $(VENV)/.runtime

# `honcho run` gives each step the same environment as web and worker, .env included.
run: install
	$(BIN)/honcho run $(BIN)/python manage.py migrate --noinput
	$(BIN)/honcho run $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Promptbrush on http://127.0.0.1:$(PORT)  (Ctrl+C stops web and worker)"
	$(BIN)/honcho start --no-prefix -f Procfile

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

# The suite runs on PostgreSQL when one answers on 127.0.0.1:5432 (and on SQLite otherwise);
# the SQLite-specific tests (WAL, worker, credit races) always run on SQLite as well.
test: $(VENV)/.dev chromium lint
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		echo "PostgreSQL found on 127.0.0.1:5432: running the suite on it"; \
		TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promptbrush} $(BIN)/pytest \
			&& $(BIN)/pytest -m sqlite_path; \
	else \
		$(BIN)/pytest; \
	fi

lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --generate-hashes --python-version 3.12 -q
	$(BIN)/uv pip compile pyproject.toml --group dev -o requirements-dev.lock --generate-hashes --python-version 3.12 -q

bench: $(VENV)/.dev
	$(BIN)/python bench/run_all.py
