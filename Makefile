# Matchmaker — the two commands a fresh machine needs: `make run` and `make test`.
# Everything here is idempotent: installs happen once, and again only when
# requirements.txt / package.json change (stamp files record the last install).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
export HOST PORT

.PHONY: run test lint format install node chromium redis pg-start pg-stop pg-destroy clean

## make run: migrate, load the demo (only into an empty database), serve + the job workers (jobs, solver)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(PY) scripts/run.py

## make test: the whole suite on SQLite, then on PostgreSQL but the engine's tests (browser tests included)
test: install node chromium redis
	@scripts/test.sh $(PYTEST_ARGS)

## make lint: ruff (lint rules and formatting) and mypy (types of the matchmaker package)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

node: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@scripts/ensure-chromium.sh

redis:
	@scripts/ensure-redis.sh

pg-start:
	@scripts/pg.sh ensure

pg-stop:
	@scripts/pg.sh stop

pg-destroy:
	@scripts/pg.sh destroy

clean: pg-destroy
	rm -rf $(VENV) node_modules test-results .pytest_cache .ruff_cache
