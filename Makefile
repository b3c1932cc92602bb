# Two commands on a fresh machine:
#   make demo   set up and serve the demo portal on http://127.0.0.1:8000
#   make test   set up and run the whole test suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve-prod test lint setup bench load screenshots clean

$(BIN)/.installed: requirements.txt requirements-dev.txt client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet -e ./client
	touch $@

setup: $(BIN)/.installed

# The demo: the web server beside a real Celery worker and beat (Procfile.demo), with a folder for a broker
# (kombu's filesystem transport), so approvals return at once and packets render in the worker. Its e-mails
# go to files in ./sent-mail/ rather than flooding the terminal.
demo: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
demo: export CELERY_BROKER_DIR ?= .broker
# seed_demo makes these if they are missing: a self-signed certificate for packets, the checkpoint key.
demo: export PACKET_SIGNING_KEY ?= var/demo-keys/packet-signing-key.pem
demo: export PACKET_SIGNING_CERT ?= var/demo-keys/packet-signing-cert.pem
demo: export AUDIT_CHECKPOINT_KEY ?= var/demo-keys/audit-checkpoint-key.pem
demo: export HOST := $(HOST)
demo: export PORT := $(PORT)
demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho --procfile Procfile.demo start

# Production on one machine (Procfile): gunicorn, a Celery worker and beat, on PostgreSQL and Redis.
# TLS ends in a proxy in front; here the server listens on loopback only (deploy/gunicorn.conf.py).
serve-prod: export DEBUG := 0
serve-prod: export BIND ?= $(HOST):$(PORT)
serve-prod: export SECURE_SSL_REDIRECT ?= 0
serve-prod: export SECURE_COOKIES ?= 0
serve-prod: export DB_CONN_MAX_AGE ?= 60
serve-prod: export SECRET_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))")
serve-prod: setup
	@test -n "$(DATABASE_URL)" -a -n "$(REDIS_URL)" || { echo "serve-prod needs DATABASE_URL and REDIS_URL (PostgreSQL and Redis)."; exit 2; }
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho --procfile Procfile start

# Locally pytest reuses the test database it kept (pyproject's addopts); CI builds it afresh.
CREATE_DB := $(if $(filter 1 true TRUE True yes YES Yes,$(CI)),--create-db)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy accounts audit core notifications webhooks lifecycle signoff governance portal
	$(BIN)/mypy --config-file client/pyproject.toml client/src
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(CREATE_DB) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks need PostgreSQL: DATABASE_URL=postgres://... make bench. Each table shows the figures before
# the work on scale (bench/baseline.json) beside today's.
bench: setup
	$(BIN)/python bench/reminder_sweep.py --markdown
	$(BIN)/python bench/packet_render.py --markdown
	$(BIN)/python bench/pages.py --markdown
	$(BIN)/python bench/gate.py --markdown

# The load test (bench/load.py, locust in its own environment) against a running `make serve-prod` on the
# same DATABASE_URL: prepares its cast (bench/load_data.py fills the portfolio if it is empty), then runs
# LOAD_USERS users for LOAD_TIME, headless, on loopback, and prints p50/p95/p99 per kind of request.
LOAD_VENV ?= .venv-load
LOAD_USERS ?= 50
LOAD_TIME ?= 2m
$(LOAD_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet -r bench/requirements.txt
	touch $@

load: setup $(LOAD_VENV)/.installed
	@test -n "$(DATABASE_URL)" || { echo "load needs the DATABASE_URL of the portal under test (make serve-prod)."; exit 2; }
	mkdir -p var
	$(BIN)/python bench/load_data.py --out var/load-users.json
	LOAD_CAST=var/load-users.json $(LOAD_VENV)/bin/locust -f bench/load.py --headless --only-summary \
		--users $(LOAD_USERS) --spawn-rate 10 --run-time $(LOAD_TIME) --host http://$(HOST):$(PORT) --csv var/load

# Rewrite docs/screenshots/*.png from the browser journeys (needs PostgreSQL and Chromium).
screenshots: setup
	STAGEGATE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) $(LOAD_VENV) stagegate.sqlite3* media staticfiles sent-mail .broker var
