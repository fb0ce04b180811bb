# The two commands: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's PostgreSQL (scripts/services.sh creates the role and database).
TEST_DATABASE_URL ?= postgres://invoiceapp:invoiceapp@127.0.0.1:5432/invoiceapp

.PHONY: run test catalogs messages lint typecheck pytest test-faults check-deploy lint-deploy bench services venv clean

venv: $(STAMP)

$(BIN)/python:
	scripts/bootstrap-venv.sh $(PYTHON) $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# The gettext catalogs (locale/*/LC_MESSAGES/django.po), compiled with Babel (a dependency, so nothing is
# needed from the system); the .mo files are build output, rebuilt when a .po changes.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

catalogs: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(STAMP)
	$(BIN)/pybabel -q compile -d locale -D django -l $*

## make messages: after changing a gettext message in invoices/i18n, refresh the template and every catalog
messages: $(STAMP)
	$(BIN)/pybabel extract -F locale/babel.cfg --add-comments=Translators: --no-location --no-wrap \
	  --project="Invoice service" --copyright-holder="the invoice service's authors" -o locale/django.pot .
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i locale/django.pot -d locale -D django

## make run: the embedded default (SQLite, local files, in-process jobs, console email) on http://$(HOST):$(PORT)
# It writes $VAR_DIR/dev.env once (DEBUG=1 and generated development secrets, mode 0600), which every
# manage.py command reads, so a second terminal's `manage.py create_user` needs nothing exported.
# DEBUG=1 is still exported here: make run is the development server whatever the shell says.
run: export DEBUG = 1
# Emailed links name the port served (make run PORT=8100), unless SITE_URL is set already.
run: export SITE_URL ?= http://$(HOST):$(PORT)
# Without a broker, the job thread runs the retry sweeps (emails, webhooks) when idle this many seconds.
run: export EMBEDDED_SWEEP_SECONDS ?= 5
run: $(STAMP) catalogs
	$(BIN)/python -m invoicesite.devenv
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py run_pending_jobs
	$(BIN)/python manage.py ensure_demo_user
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, API: /api/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: brings up the real services, then lint, type checks, the deploy check and the whole suite
test: $(STAMP) catalogs services lint typecheck check-deploy lint-deploy pytest

services:
	scripts/services.sh up

# lint-imports: the import contracts of pyproject.toml (workers imports no app, and so on).
# bandit over the application code; each exception is justified inline (`# nosec` with the reason).
# Its warnings about a nosec spanning a multi-line literal are noise and filtered out.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	set -o pipefail; $(BIN)/bandit -q -r accounts invoices invoicesite webhooks workers docker -x '*/migrations/*' 2>&1 \
	  | { grep -v "nosec encountered" || true; }
	$(BIN)/lint-imports --no-cache

# The django-stubs plugin imports the settings, which need DEBUG=1 to start without secrets.
typecheck: $(STAMP)
	DEBUG=1 $(BIN)/mypy .

# Django's deployment checklist under production-like settings (random secrets, DEBUG off).
check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) JWT_SIGNING_KEY=$$(head -c 48 /dev/urandom | base64) \
	DOWNLOAD_LINK_KEY=$$(head -c 48 /dev/urandom | base64) \
	ALLOWED_HOSTS=invoices.example.com DATABASE_URL=$(TEST_DATABASE_URL) \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# The deployment files, offline: compose config + compose-lint, hadolint, and the Helm charts (helm lint,
# helm template, kubernetes-validate, trivy). No Docker engine or cluster is needed.
lint-deploy: $(STAMP)
	scripts/lint-compose.sh
	$(BIN)/hadolint Dockerfile
	scripts/lint-helm.sh

# pytest-xdist workers (`--dist loadgroup` is in pyproject.toml; tests/conftest.py says which tests share one).
# Much of the suite waits on servers, workers and brokers, so more workers than the 2 cores still pay:
# docs/performance.md, "Suite times". PYTEST_WORKERS=0 runs it in this one process.
PYTEST_WORKERS ?= 4

pytest: $(STAMP) catalogs
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS)

## make test-faults: only the fault-injection suite (tests/faults), against the real services
test-faults: $(STAMP) services
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -p no:cacheprovider -m faults tests/faults

## make bench: benchmarks against the real services -> BENCHMARKS.md, bench/results.json (BENCH_ARGS=--quick)
bench: $(STAMP) services
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
