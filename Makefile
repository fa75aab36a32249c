# Two commands on a fresh machine (Python 3.11+ and make only):
#   make run    — the bot (terminal chat without TELEGRAM_BOT_TOKEN, Telegram with it)
#   make test   — lint, types and the whole test suite
# Each creates or refreshes the virtualenv in .venv from pyproject.toml on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# PostgreSQL in DATABASE_URL (the environment, or .env in Between's folder: BETWEEN_HOME or here)
# needs the postgres extra (its driver, asyncpg); `make run` installs it.
ENV_FILE     := $(if $(BETWEEN_HOME),$(BETWEEN_HOME)/.env,.env)
USES_POSTGRES := $(shell { printf '%s\n' "$$DATABASE_URL"; grep -s '^ *DATABASE_URL *=' '$(ENV_FILE)'; } | grep -c 'postgresql')
RUN_NEEDS    := $(VENV)/.run-installed $(if $(filter-out 0,$(USES_POSTGRES)),$(VENV)/.postgres-installed)

.PHONY: run test lint types pytest migrate bench bench-part5 clean i18n

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Between needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	@echo "Setting up Between in $(VENV) (the first time only)…"
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	@echo "Installing its dependencies into $(VENV): about half a minute…"
	@$(PIP) -e .
	@touch $@

$(VENV)/.postgres-installed: pyproject.toml | $(VENV)/.run-installed
	@echo "DATABASE_URL names PostgreSQL: installing its driver (pip install -e '.[postgres]')…"
	@$(PIP) -e '.[postgres]'
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	@echo "Installing the test tools into $(VENV): about a minute…"
	@$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.run-installed $(VENV)/.postgres-installed

run: $(RUN_NEEDS)
	$(BIN)/between run

migrate: $(RUN_NEEDS)
	$(BIN)/between migrate

test: lint types pytest

# The catalogues (bot/locale): extract every marked text, bring each language's .po up to date
# (new texts arrive untranslated: the catalogue test fails until they are translated), compile.
LOCALES := bot/locale
i18n: $(VENV)/.test-installed
	$(BIN)/pybabel extract -F babel.cfg --add-comments=TRANSLATORS: --no-location --sort-output \
		--project=Between --copyright-holder="Between's authors" -o $(LOCALES)/between.pot .
	$(BIN)/pybabel update -i $(LOCALES)/between.pot -d $(LOCALES) -D between --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(LOCALES) -D between

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(VENV)/.test-installed
	$(BIN)/mypy

# The suite runs in two worker processes (pytest-xdist), one per core of a CI machine;
# PYTEST_WORKERS=0 runs it in this process (for -x, -k and pdb).
PYTEST_WORKERS ?= 2

pytest: $(VENV)/.test-installed
	$(BIN)/pytest -n $(PYTEST_WORKERS)

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.mood_check_throughput

# Every figure of issue 17, part 5, side by side (about 90 minutes; run it on a quiet machine)
bench-part5: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.part5

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
