# Exchange Office: `make run` serves the demo, `make test` runs the checks. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The demo replays the 2001 offer: the business clock is pinned unless EXCHANGE_OFFICE_NOW is set
# (set it to an empty value to run on real time).
DEMO_NOW := 2001-08-20T10:00:00-04:00
# `make run-consummation`: the demo on the morning after the expiration, ready to consummate.
CONSUMMATION_NOW := 2001-09-05T10:00:00-04:00
# `make run-replay`: the 2001 offer replayed up to REPLAY_UNTIL (by default Oct 1, 2001, after
# the third extension, the day of its public release); REPLAY_CONSUMMATE=2001-11-01 with
# REPLAY_UNTIL=2001-11-01T12:00:00-05:00 consummates (invented: it ran into 2002).
REPLAY_UNTIL ?= 2001-10-01T09:00:00-04:00
REPLAY_CONSUMMATE ?=
ADDRESS ?= 127.0.0.1:8000

.PHONY: run run-consummation run-replay test test-suite test-browser test-database venv clean-venv system-packages browser-packages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Exchange Office needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-dev

# Pango, HarfBuzz's subsetter and fonts for WeasyPrint (installed with apt-get when root).
system-packages:
	@./scripts/system-packages

run: system-packages $(VENV)/.installed-run
	@DEBUG=$${DEBUG:-true} EXCHANGE_OFFICE_NOW=$${EXCHANGE_OFFICE_NOW-$(DEMO_NOW)} \
		BIN=$(BIN) ADDRESS=$(ADDRESS) ./scripts/run-demo

run-consummation: system-packages $(VENV)/.installed-run
	@DEBUG=$${DEBUG:-true} EXCHANGE_OFFICE_NOW=$${EXCHANGE_OFFICE_NOW-$(CONSUMMATION_NOW)} \
		EXCHANGE_OFFICE_VAR_DIR=$${EXCHANGE_OFFICE_VAR_DIR:-var/consummation} \
		DEMO_SCENARIO=consummation BIN=$(BIN) ADDRESS=$(ADDRESS) ./scripts/run-demo

run-replay: system-packages $(VENV)/.installed-run
	@DEBUG=$${DEBUG:-true} EXCHANGE_OFFICE_NOW=$${EXCHANGE_OFFICE_NOW-$(REPLAY_UNTIL)} \
		EXCHANGE_OFFICE_VAR_DIR=$${EXCHANGE_OFFICE_VAR_DIR:-var/replay} \
		DEMO_SCENARIO=replay REPLAY_UNTIL=$(REPLAY_UNTIL) REPLAY_CONSUMMATE=$(REPLAY_CONSUMMATE) \
		BIN=$(BIN) ADDRESS=$(ADDRESS) ./scripts/run-demo

test: system-packages browser-packages $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports  # the architecture's contracts (pyproject.toml, [tool.importlinter])
	@# The suite and the browser tests side by side: the browser tests wait for Chromium and
	@# their demo servers about half the time, which the suite's processes fill. Each one's
	@# output is printed whole when it ends (--output-sync).
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-suite test-browser

# The suite: one process per core (pytest-xdist), half the wall time on 2 cores.
test-suite: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto

# The browser tests in a run of their own, once: on the SQLite run (their demo server has its
# own SQLite database whatever DATABASE_URL says). Two processes share the tests one at a time
# (the long journeys first: tests/browser/conftest.py), each starting the demo of a module once
# it runs one of its tests.
test-browser: browser-packages $(VENV)/.installed-dev
	@if [ -z "$${DATABASE_URL:-}" ]; then \
		$(BIN)/python -m pytest -m browser tests/browser -n 2 --dist load; \
	else echo "Browser tests: run by the SQLite run (make test without DATABASE_URL)."; fi

# The suite alone against the database in DATABASE_URL: .ci/run's PostgreSQL run, after `make
# test` has checked the code and run the browser tests once. Only the tests that reach a
# database: the rest (the pure domain, the formatting, the docs' checks) are refused any
# database by pytest-django, so they ran in full on the SQLite run (tests/conftest.py).
test-database: system-packages $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto --database-tests-only

# Chromium and axe-core for the browser tests (apt-get as root, npm ci); they skip without.
browser-packages:
	@./scripts/browser-packages

clean-venv:
	rm -rf $(VENV)
