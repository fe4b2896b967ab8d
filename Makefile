# Two commands on a fresh machine: `make run` (try it) and `make test` (prove it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

TEST_WORKERS ?= auto
# Mailer processes of `make stack`: one per core of the 2-core reference machine (a mailer's
# e-mail threads share one interpreter lock; each mailer holds MAILER_THREADS connections).
MAILERS ?= 2

.PHONY: run test stack cluster stack-demo install lock messages clean bench

# `make lock`: turn pip's installation report into constraints.txt (one pin per distribution,
# the project itself left out).
define PINS_FROM_PIP_REPORT
import json, sys
report = json.load(open(sys.argv[1]))
pins = sorted(
    f"{item['metadata']['name'].lower().replace('_', '-')}=={item['metadata']['version']}"
    for item in report["install"]
    if "dir_info" not in item["download_info"]
)
print("# Exact versions of every dependency (pyproject.toml with the test extra), used by")
print("# `make install`, `make run` and `make test`. Regenerate with `make lock`; see README.")
print(*pins, sep="\n")
endef
export PINS_FROM_PIP_REPORT

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies or their pins change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --constraint constraints.txt -e ".[test]"
	touch $@

# axe-core, the accessibility engine the browser tests inject into pages (tests/e2e/package.json).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed

## Embedded platform with demo data at http://$(HOST):$(PORT) (SQLite, tasks in process).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite against PostgreSQL and Redis on this machine, in parallel
## (TEST_WORKERS=auto: one pytest-xdist worker per core; TEST_WORKERS=0 runs it serially).
## Browser journeys run afterwards, in parallel too: the accessibility crawl is one test per
## role, so the workers share it, and journeys that need sockets start their own ASGI server
## process (tests/e2e/conftest.py:asgi_url; a Daphne forked from an xdist worker missed its
## socket's pushes).
## The Slurm tests (tests/compute/test_scheduler.py) run in a process of their own too: they
## share one test cluster on fixed ports. (Handing whole files to workers with `--dist loadfile`
## mixed tests that flush the database with tests that need its migrated data.)
## The cluster fault tests (tests/cluster) run in a process of their own as well: each starts a
## whole formation (bin/cluster), which needs both cores to itself.
SLURM_TESTS := tests/compute/test_scheduler.py
CLUSTER_TESTS := tests/cluster
test: install $(AXE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/e2e --ignore=$(SLURM_TESTS) --ignore=$(CLUSTER_TESTS) $(PYTEST_ARGS)
	$(BIN)/python -m pytest $(SLURM_TESTS) $(PYTEST_ARGS)
	$(BIN)/python -m pytest $(CLUSTER_TESTS) $(PYTEST_ARGS)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) tests/e2e $(PYTEST_ARGS) || [ $$? -eq 5 ]

## Re-pin every dependency in constraints.txt after changing pyproject.toml. Pins already
## there are kept when they still fit; `make lock UPGRADE=1` moves all to the newest allowed.
## Resolves with pip's own configuration (index and local mirrors), installs nothing.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet --dry-run --ignore-installed --report $(VENV)/lock-report.json \
		$(if $(UPGRADE),,--constraint constraints.txt) -e ".[test,bench]" \
	|| $(BIN)/pip install --quiet --dry-run --ignore-installed --report $(VENV)/lock-report.json -e ".[test,bench]"
	$(BIN)/python -c "$$PINS_FROM_PIP_REPORT" $(VENV)/lock-report.json > constraints.txt
	@echo "constraints.txt: $$(grep -c == constraints.txt) pins"

# The full stack runs as it would in production unless told otherwise: DEBUG off (a wrong URL
# shows the site's own 404, not Django's list of URLs), a secret key kept in var/, and links in
# e-mails built from SITE_URL, by default the address the stack listens on.
STACK_ENV = DEBUG=$${DEBUG:-false} SECRET_KEY="$${SECRET_KEY:-$$(cat var/stack-secret-key)}" \
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"

var/stack-secret-key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## Full stack: PostgreSQL + Redis + ASGI web + Celery worker, MAILERS mailers + beat (see README).
## Creates the database DATABASE_URL names when it is missing. Each Procfile process runs under
## bin/keep-running, which starts it again when it exits (honcho alone would stop every process
## when one ends).
stack: install var/stack-secret-key
	env $(STACK_ENV) $(BIN)/python manage.py ensure_database
	env $(STACK_ENV) $(BIN)/python manage.py migrate --noinput
	env $(STACK_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	rm -rf var/metrics && mkdir -p var/metrics  # the processes' metrics (/metrics) start afresh
	sed -E 's|^([a-z]+): |\1: bin/keep-running |' Procfile > var/Procfile.stack
	env $(STACK_ENV) PROMETHEUS_MULTIPROC_DIR="$(abspath var/metrics)" PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho --procfile var/Procfile.stack --app-root . \
		start --port $(PORT) --concurrency mailer=$(MAILERS)

## The formation of several nodes on this host (docs/operations.md, "Several nodes"): HAProxy on
## PORT in front of NODES nodes (web, worker and mailer each), PgBouncer in front of the PostgreSQL
## server DATABASE_URL names, Redis with Sentinel; every server but PostgreSQL on ports from
## CLUSTER_BASE_PORT on, data and logs in var/cluster. Needs Debian's haproxy, pgbouncer, redis-sentinel.
NODES ?= 2
CLUSTER_BASE_PORT ?= 8401
cluster: install var/stack-secret-key
	env $(STACK_ENV) $(BIN)/python manage.py ensure_database
	env $(STACK_ENV) $(BIN)/python manage.py migrate --noinput
	env $(STACK_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	env $(STACK_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python bin/cluster --port $(PORT) \
		--base-port $(CLUSTER_BASE_PORT) --nodes $(NODES)

## Demo data in the full stack's database (same DATABASE_URL and REDIS_URL as `make stack`; run it
## once, in another terminal, while the stack runs). Its people share a known password.
stack-demo: install var/stack-secret-key
	env $(STACK_ENV) $(BIN)/python manage.py ensure_database
	env $(STACK_ENV) $(BIN)/python manage.py migrate --noinput
	env $(STACK_ENV) $(BIN)/python manage.py seed_demo --allow-production

## Load benchmark of the production stack at national scale (docs/benchmarks.md);
## needs DATABASE_URL and REDIS_URL; BENCH_ARGS="--scale 0.1 --runs 1 --idle-seconds 30" for a quick run.
bench: install
	$(BIN)/pip install --quiet --constraint constraints.txt -e ".[test,bench]"
	$(BIN)/python -m bench.stack $(BENCH_ARGS)

## Regenerate translation catalogues after changing user-facing text.
messages: install
	$(BIN)/python manage.py makemessages --locale es --locale en --locale ca --locale eu --locale gl --ignore "$(VENV)/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore "$(VENV)/*"

clean:
	rm -rf $(VENV) var artifacts
