# Chamyeo: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11, 3.12 or 3.13, the first found (pyproject.toml: requires-python)
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PABULIB_DIR ?= $(abspath ../shared/pabulib)
export PABULIB_DIR
# Tests: PostgreSQL and Redis on this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chamyeo
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The static checks only need a server to talk to, not the app's database.
CHECK_DATABASE_URL := $(shell echo $(TEST_DATABASE_URL) | sed -E 's#/[^/]*$$#/postgres#')
REDIS_PORT := $(shell echo $(TEST_REDIS_URL) | sed -E 's#.*:([0-9]+)(/.*)?$$#\1#')

.PHONY: lock help install install-test chromium nginx bench-stack gettext compile-messages demo serve worker beat test test-only lint check messages services clean bench-ballots bench-tally bench-import

help:
	@echo "make demo   install everything, load the demo city and serve it on http://127.0.0.1:8000"
	@echo "make test   install everything and run the whole test suite (PostgreSQL + Redis)"
	@echo "make worker / make beat   Celery worker and scheduler (need REDIS_URL)"
	@echo "make lint   ruff; make messages   update translation catalogues"
	@echo "make lock   refresh requirements/*.lock (hashed) after changing a pin in pyproject.toml"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every dependency, transitive ones included, is installed from a lock file with hashes
# (requirements/*.lock, made by `make lock`); then the app itself, without resolving anything.
$(VENV)/.installed-app: pyproject.toml requirements/app.lock | $(PY)
	$(BIN)/pip install --quiet --require-hashes -r requirements/app.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements/test.lock | $(PY)
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-app

# Refresh the lock files after changing a pin in pyproject.toml: one universal lock per set
# (markers where Python 3.11, 3.12 and 3.13 need different versions), every file's SHA-256.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock: | $(PY)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet uv==0.13.8
	$(LOCK) -o requirements/app.lock
	$(LOCK) --extra test -o requirements/test.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

gettext:
	@command -v msgfmt >/dev/null || { echo "Installing gettext (msgfmt) for translations"; \
	  (apt-get update -qq && apt-get install -y -qq gettext) || { echo "ERROR: msgfmt (GNU gettext) is missing; install the 'gettext' package"; exit 1; }; }

install: $(VENV)/.installed-app node_modules/.installed gettext
install-test: $(VENV)/.installed-test node_modules/.installed gettext chromium nginx

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) || { echo "ERROR: /usr/bin/chromium is missing; install the Debian package 'chromium'"; exit 1; }; }

# The stack test and `make check` run Debian's nginx from their own prefix (never the system's).
# Installing the package does not start a system nginx where policy-rc.d forbids it (containers);
# elsewhere Debian starts one on port 80: `systemctl disable --now nginx` if you do not want it.
nginx:
	@test -x /usr/sbin/nginx || { echo "Installing Debian's nginx for the stack test and make check"; \
	  (apt-get update -qq && apt-get install -y -qq nginx) || { echo "ERROR: /usr/sbin/nginx is missing; install the Debian package 'nginx'"; exit 1; }; }

compile-messages:
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# 1. Run the app with demo data. Embedded default: SQLite and in-process tasks, unless
#    DATABASE_URL / REDIS_URL are set (then `make worker` and `make beat` run Celery).
demo: install compile-messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

worker: install
	$(BIN)/celery -A config.celery_app worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config.celery_app beat --loglevel=INFO

# 2. Install everything and pass the tests against PostgreSQL and Redis.
test: install-test compile-messages services check test-only

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not answering on 127.0.0.1:5432 (trust auth expected)."; exit 1; }
	@if ! redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1; then \
	  if command -v redis-server >/dev/null; then \
	    echo "Redis is not answering on port $(REDIS_PORT); starting redis-server"; \
	    redis-server --daemonize yes --bind 127.0.0.1 --port $(REDIS_PORT) --save "" --appendonly no; sleep 1; \
	  else echo "ERROR: Redis is not answering on port $(REDIS_PORT) and redis-server is not installed."; exit 1; fi; \
	fi

check: nginx
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DATABASE_URL=$(CHECK_DATABASE_URL) $(BIN)/mypy
	$(BIN)/djlint templates --lint
	DATABASE_URL=$(CHECK_DATABASE_URL) $(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	DJANGO_SECRET_KEY=check-deploy-only-$$(date +%s)-aVeryLongRandomLookingValueForTheDeployCheck \
	CHAMYEO_VOTER_KEY_SECRET=check DJANGO_ALLOWED_HOSTS=chamyeo.example \
	DATABASE_URL=$(CHECK_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	EMAIL_URL=smtp+tls://check@smtp.chamyeo.example:587 \
	  $(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.production
	# deploy/nginx/chamyeo.conf, placeholders filled in, through `nginx -t` (own prefix, temp files)
	$(PY) -m tests.stack.nginx_site

test-only:
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages:
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=node_modules --ignore=staticfiles --no-obsolete

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

# Ballot load test: the real app under gunicorn on loopback, concurrent residents submitting and
# changing ballots; recreates its own database (BENCH_DATABASE_URL, default chamyeo_bench).
# Options: BENCH_SECONDS (30), BENCH_CLIENTS (32), BENCH_RESIDENTS (6000), BENCH_WORKERS (2),
# BENCH_THREADS (8): gunicorn gthread workers x threads, keep-alive. BENCH_MODE=code (or
# BENCH_BALLOTS_ARGS="--mode code"): residents without accounts type a one-time voting code, then
# vote (BENCH_CODES codes, 20000, made before the timing).
bench-ballots: install
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not answering on 127.0.0.1:5432."; exit 1; }
	$(PY) benchmarks/bench_ballots.py $(BENCH_BALLOTS_ARGS)

# Load through the front door: the deployed stack on loopback (nginx from deploy/, HTTPS, gunicorn
# with the production settings, PostgreSQL database chamyeo_bench_stack, a private Redis, two
# Celery workers and beat): ballots, then the proposal list, a proposal page, the results just
# published and the open-data API, anonymous and logged in. Options: BENCH_SECONDS (20),
# BENCH_CLIENTS (32), BENCH_INSTANCES (2 gunicorn processes), BENCH_WORKERS (2), BENCH_THREADS (8),
# BENCH_RESIDENTS (6000).
bench-stack: install nginx
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not answering on 127.0.0.1:5432."; exit 1; }
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) benchmarks/bench_stack.py

# Tally benchmark: our greedy and Equal Shares against pabutools (capped at 300 s a run) on every
# file in PABULIB_DIR, a synthetic 1,000,000-ballot election, and the whole pipeline on 1,000,000
# ballots in PostgreSQL (database chamyeo_bench_tally). Long: pabutools needs up to 300 s per run;
# BENCH_TALLY_ARGS=--pabutools-fixture uses pabutools' recorded times instead.
bench-tally: install-test
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not answering on 127.0.0.1:5432."; exit 1; }
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/bench_tally.py $(BENCH_TALLY_ARGS)

# Import benchmark: manage.py import_pabulib and the platform's count on every file in
# PABULIB_DIR, in a database of its own (chamyeo_bench_import), checked against the pure count of
# the file and pabutools' recorded outcomes. Takes minutes (storing 130,000 ballots).
bench-import: install-test
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ERROR: PostgreSQL is not answering on 127.0.0.1:5432."; exit 1; }
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/bench_import_pabulib.py
