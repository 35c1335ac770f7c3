# Two commands do all setup: `make demo` and `make test`. See README.md and docs/.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo is a development server: DEBUG on, unless the caller's environment says otherwise.
DEMO_ENV := DEBUG=$${DEBUG:-1}

.PHONY: demo demo-passwords test test-browser lint pytest install install-dev bench bench-http clean \
  messages \
  check-translations lock check-locks audit

$(PY):
	@python=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

# The lock files (written by `make lock` from requirements*.in) list every package with its
# hashes: pip checks each download and refuses any package the lock leaves out. The runtime
# lock also pins pip, which the venv's own pip installs first thing.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	@touch $@

# The dev lock repeats requirements.txt's versions, so this only adds the tools.
$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

# Rewrites the lock files from the .in files (needs the package index; uv reads PyPI unless
# UV_DEFAULT_INDEX says otherwise). Locked versions stay unless an input changed; to upgrade
# a package the inputs do not pin: make lock LOCK_ARGS="--upgrade-package fonttools".
# --universal with markers: one lock for Python 3.12 and newer on any system.
LOCK := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.12 --generate-hashes \
  --custom-compile-command "make lock" $(LOCK_ARGS)

lock: $(VENV)/.installed-dev
	$(LOCK) requirements.in --output-file requirements.txt
	$(LOCK) requirements-dev.in --constraint requirements.txt --output-file requirements-dev.txt
	@$(MAKE) --no-print-directory check-locks

# No network: each lock still holds its input's pins and exactly the packages they need.
check-locks: $(VENV)/.installed-dev
	$(PY) scripts/check_locks.py

# Known vulnerabilities of every locked package, from PyPI's JSON API (per release).
# --strict: a package it cannot look up fails the audit instead of passing unchecked.
audit: $(VENV)/.installed-dev
	$(VENV)/bin/pip-audit --strict --require-hashes --disable-pip --progress-spinner off \
	  -r requirements-dev.txt

# Fonts for handouts and pages come from the npm registry (package.json).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm (Node.js 18 or newer) is needed to install the handout fonts."; \
	  echo "Install Node.js from your package manager (Debian: apt-get install nodejs npm)."; \
	  exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Translations: the .po files are the source; the install compiles them with GNU gettext.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

locale/%.mo: locale/%.po
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "error: msgfmt (GNU gettext) is needed to compile the translations."; \
	  echo "Install it from your package manager (Debian: apt-get install gettext)."; \
	  exit 1; }
	msgfmt --check --output-file=$@ $<

install: $(VENV)/.installed node_modules/.installed $(MO_FILES)
install-dev: $(VENV)/.installed-dev node_modules/.installed $(MO_FILES)

# After marking new strings: refresh every catalog, translate the new entries, commit the .po.
messages: install
	DEBUG=1 $(PY) manage.py makemessages --all --add-location=file --no-obsolete \
	  --ignore=node_modules --ignore=tests --ignore=scripts --ignore=staticfiles --ignore=test-artifacts

# Fails when a marked string has no translation, or a catalog no longer matches the code.
check-translations: install-dev
	DEBUG=1 $(PY) scripts/check_translations.py

# manage.py reads .env, so the commands in README.md and docs/ work as written in a demo checkout.
.env:
	@printf '# Written by `make demo`: development settings for manage.py in this checkout.\n# Production never reads this file; delete it to run commands without DEBUG.\nDEBUG=1\n' > $@
	@echo "Wrote .env (DEBUG=1 for manage.py commands in this checkout)."

# The task worker runs beside the server, as in production, so a patient link's email goes
# through the queue (printed on the console, without address or link) and the handout page
# shows it waiting, then sent. It stops with the server.
demo: install .env
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py import_content --publish-unreviewed education/content_packs
	$(DEMO_ENV) $(PY) manage.py create_demo_accounts --port $(PORT)
	$(DEMO_ENV) $(PY) manage.py create_demo_visits
	$(DEMO_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

demo-passwords: install
	$(DEMO_ENV) $(PY) manage.py create_demo_accounts --reset-passwords --port $(PORT)

# Style and formatting, types (pyproject.toml [tool.mypy]), then the layer rule
# ([tool.importlinter]): benchmarks -> reports | interop -> handouts -> education -> portal; and the lock files
# against their inputs. `.pre-commit-config.yaml` runs the same checks.
lint: install-dev check-locks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# One run on SQLite; a second on PostgreSQL when TEST_POSTGRES_URL names a server. Tests run
# in parallel, one worker per core (pytest-xdist; each worker has its own test database):
# PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS)
pytest: install-dev
	@echo "== pytest on SQLite =="
	DATABASE_URL=sqlite:///:memory: $(PYTEST) $(PYTEST_ARGS)
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  echo "== pytest on PostgreSQL =="; \
	  DATABASE_URL="$$TEST_POSTGRES_URL" $(PYTEST) $(PYTEST_ARGS); \
	else \
	  echo "(TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped)"; \
	fi

test: lint check-translations pytest

# Only the real-browser and accessibility tests (they also run as part of `make test`).
test-browser: install-dev
	DATABASE_URL=sqlite:///:memory: $(PYTEST) -m browser $(PYTEST_ARGS)

# Handout rendering, download and memory figures, then how long a wrong access code takes on
# each kind of patient link (a few minutes; not part of `make test`). In-memory SQLite: the
# benchmarks create their own data and refuse any other database.
bench: install-dev
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(PY) manage.py benchmark_handouts $(BENCH_ARGS)
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(PY) manage.py benchmark_patient_links

# Staff pages under load, issuing through HTTP, and the lists at 10 vs 10,000 articles and
# 100 vs 100,000 handouts (several minutes; not part of `make test`). gunicorn serves the portal
# as production runs it (DEBUG off) on 127.0.0.1 only, and wrk loads it. It builds a throwaway
# database: portal_bench on TEST_POSTGRES_URL's server (dropped at the end), else a temporary
# SQLite file. The key is made for the run, and the mail host cannot resolve (.invalid), so
# nothing could be sent; plain HTTP, so no redirect to HTTPS.
BENCH_HTTP_ENV := DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1 SMTP_HOST=mail.invalid \
  SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')
bench-http: install-dev
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "error: wrk (the HTTP load generator) is needed for the benchmark."; \
	  echo "Install it from your package manager (Debian: apt-get install wrk)."; \
	  exit 1; }
	$(BENCH_HTTP_ENV) DATABASE_URL="$${TEST_POSTGRES_URL:-sqlite:///:memory:}" \
	  $(PY) manage.py benchmark_http $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache .import_linter_cache staticfiles test-artifacts
