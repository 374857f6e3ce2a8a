# sotong: `make run` starts the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
PY := .venv/bin/python
UV := .venv/bin/uv
MANAGE := $(PY) manage.py
export PYTHONPATH := src
export UV_PYTHON_DOWNLOADS := never

.PHONY: translations run test test-sqlite test-postgres lint format bench demo deps static messages migrate clean lock browser

## Python: one .venv from the hashed lock file (requirements/lock.txt, made by `make lock`).
.venv/.installed: pyproject.toml requirements/lock.txt
	@test -x $(UV) || (python3 -m venv .venv && .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.13,<0.14")
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) --require-hashes requirements/lock.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

## Front-end: npm packages from package-lock.json, copied into static/vendor (never committed).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static: node_modules/.installed .venv/.installed
	@$(PY) scripts/vendor_static.py

messages: .venv/.installed
	@DEBUG=1 $(MANAGE) compilemessages --verbosity 0 --ignore .venv --ignore node_modules

## Extract new Korean strings into every locale/en/LC_MESSAGES/django.po (each app keeps its own file).
translations: .venv/.installed
	cd src/sotong && DEBUG=1 ../../$(PY) ../../manage.py makemessages -l en --ignore 'static/*' --ignore 'tests/*'

deps: .venv/.installed static messages

## Debian Chromium (page tests) and Korean fonts; installs only what is missing.
browser:
	@bash scripts/ensure_system_packages.sh

migrate: deps
	$(MANAGE) migrate --noinput

run: export DEBUG ?= 1
run: export SOTONG_DEMO ?= 1
run: deps
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --if-empty
	$(MANAGE) demo_logins
	.venv/bin/honcho start -f Procfile

demo: deps
	SOTONG_DEMO=1 $(MANAGE) load_demo

## The whole suite on SQLite; with DATABASE_URL=postgres://... it runs on PostgreSQL.
test: deps browser
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

test-postgres: deps browser
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PY) -m pytest -n auto $(PYTEST_ARGS)

lint: .venv/.installed
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/ruff format --check src tests bench scripts
	DEBUG=1 .venv/bin/mypy src

format: .venv/.installed
	.venv/bin/ruff check --fix src tests bench scripts
	.venv/bin/ruff format src tests bench scripts

bench: deps
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## Re-resolve the lock after editing pyproject.toml dependencies.
lock:
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --no-header -q -o requirements/lock.txt

clean:
	rm -rf .venv node_modules src/sotong/static/vendor staticfiles
