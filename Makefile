# Gonghui — two commands for a newcomer: `make run` and `make test`. Everything else is here
# for developers and CI. Recipes use only the project's own .venv and node_modules.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= county
export DJANGO_SETTINGS_MODULE := gonghui.settings

.PHONY: run test setup assets messages migrate seed serve lint format test-browser test-postgres bench bench-quick check clean

## make run: set up, migrate the SQLite database under var/, seed the demo county once, serve
run: setup
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput -v0
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py createcachetable
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --scale $(SCALE) --if-empty
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	@$(MAKE) --no-print-directory serve

serve:
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py db_worker --queue-name '*' --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

## make test: set up (or update) .venv and run the whole suite on SQLite
test: setup
	$(BIN)/python -m pytest -q

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gonghui} $(BIN)/python -m pytest -q

test-browser: setup
	GONGHUI_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q -m browser

setup: $(VENV)/.installed assets messages

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: apt-get install -y python3 python3-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: apt-get install -y python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --disable-pip-version-check 'uv==0.13.9'
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

## Browser assets from the npm registry, served by the app itself (no CDN)
assets: gonghui/static/vendor/.installed

gonghui/static/vendor/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "npm is needed to install the browser assets: apt-get install -y nodejs npm"; exit 1; fi; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@mkdir -p gonghui/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js gonghui/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js gonghui/static/vendor/echarts.min.js
	@touch $@

## Compiled translations (polib; no gettext tools needed)
messages: $(VENV)/.installed
	@$(BIN)/python manage.py compile_translations

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: setup
	$(BIN)/python manage.py seed_demo --scale $(SCALE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) node_modules gonghui/static/vendor staticfiles
