# The two commands of the README: `make run` and `make test`. Everything else is their parts.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test setup frontend lint api-contract migrations-check bench clean test-system-packages

# Where `make run` serves, and its local state (the README's defaults).
HOST ?= 127.0.0.1
PORT ?= 8000
VAR_DIR ?= $(CURDIR)/var

run: setup frontend
	$(BIN)/python manage.py migrate --noinput
	mkdir -p $(VAR_DIR)
	HOST=$(HOST) PORT=$(PORT) VAR_DIR=$(VAR_DIR) exec $(BIN)/supervisord -c supervisord.conf

test: setup frontend lint test-system-packages
	$(BIN)/python manage.py makemigrations --check --dry-run
	cd frontend && npm test
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(BIN)/pytest $(PYTEST_ARGS)

setup: $(STAMP)

# Debian's Chromium drives the browser tests (Playwright's own download cannot work here) and
# nginx runs deploy/nginx.conf in front of the app in tests/test_reverse_proxy.py.
test-system-packages:
	@if ! command -v chromium >/dev/null || ! PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null; then \
	  echo "Installing Debian's chromium and nginx-light for the tests"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium nginx-light >/dev/null; \
	fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

frontend: $(NPM_STAMP)
	cd frontend && npm run build --silent

$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

lint: setup $(NPM_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd frontend && npm run lint --silent

# The frontend's copy of the API contract, regenerated from the backend (tests/test_frontend_contract.py
# fails while any is stale): the OpenAPI schema, its TypeScript types and the connector catalogue.
api-contract: setup $(NPM_STAMP)
	$(BIN)/python manage.py spectacular --file frontend/src/api/openapi.yaml
	$(BIN)/python manage.py export_catalogue --file frontend/src/test/fixtures/catalogue.json
	cd frontend && npm run generate:api --silent

bench: setup
	$(BIN)/python -m bench.walkthrough

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
