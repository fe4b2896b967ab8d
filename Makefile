# Two commands on a fresh machine: `make run` (try it) and `make test` (prove it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test stack install messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Embedded platform with demo data at http://$(HOST):$(PORT) (SQLite, tasks in process).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite against PostgreSQL and Redis on this machine.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Full stack: PostgreSQL + Redis + ASGI web + Celery worker + beat (see README).
stack: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start --port $(PORT)

## Load benchmark of the production stack at national scale (docs/benchmarks.md);
## needs DATABASE_URL and REDIS_URL; BENCH_ARGS="--scale 0.1 --runs 1 --idle-seconds 30" for a quick run.
bench: install
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench.stack $(BENCH_ARGS)

## Regenerate translation catalogues after changing user-facing text.
messages: install
	$(BIN)/python manage.py makemessages --locale es --locale en --ignore "$(VENV)/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore "$(VENV)/*"

clean:
	rm -rf $(VENV) var artifacts
