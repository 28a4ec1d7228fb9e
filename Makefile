# Exchange Office: `make run` serves the demo, `make test` runs the checks. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The demo replays the 2001 offer: the business clock is pinned unless EXCHANGE_OFFICE_NOW is set
# (set it to an empty value to run on real time).
DEMO_NOW := 2001-08-20T10:00:00-04:00
ADDRESS ?= 127.0.0.1:8000

.PHONY: run test venv clean-venv

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

run: $(VENV)/.installed-run
	@DEBUG=$${DEBUG:-true} EXCHANGE_OFFICE_NOW=$${EXCHANGE_OFFICE_NOW-$(DEMO_NOW)} \
		BIN=$(BIN) ADDRESS=$(ADDRESS) ./scripts/run-demo

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

clean-venv:
	rm -rf $(VENV)
