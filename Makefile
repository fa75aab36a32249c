# Two commands on a fresh machine (Python 3.11+ and make only):
#   make run    — the bot (terminal chat without TELEGRAM_BOT_TOKEN, Telegram with it)
#   make test   — lint, types and the whole test suite
# Each creates or refreshes the virtualenv in .venv from pyproject.toml on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint types pytest migrate bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Between needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/between run

migrate: $(VENV)/.run-installed
	$(BIN)/between migrate

test: lint types pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.test-installed
	$(BIN)/mypy

pytest: $(VENV)/.test-installed
	$(BIN)/pytest

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.mood_check_throughput

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
