# Two commands on a fresh machine:
#   make demo   set up and serve the demo portal on http://127.0.0.1:8000
#   make test   set up and run the whole test suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint setup bench screenshots clean

$(BIN)/.installed: requirements.txt requirements-dev.txt client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet -e ./client
	touch $@

setup: $(BIN)/.installed

# The demo's e-mails go to files in ./sent-mail/ rather than flooding the terminal.
demo: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

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

# Benchmarks need PostgreSQL: DATABASE_URL=postgres://... make bench
bench: setup
	$(BIN)/python bench/reminder_sweep.py --markdown
	$(BIN)/python bench/packet_render.py --markdown
	$(BIN)/python bench/pages.py --markdown
	$(BIN)/python bench/gate.py --markdown

# Rewrite docs/screenshots/*.png from the browser journeys (needs PostgreSQL and Chromium).
screenshots: setup
	STAGEGATE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) stagegate.sqlite3 media staticfiles sent-mail
