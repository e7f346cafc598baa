# Insyn: the two commands are `make run` and `make test` (see README.md).
# Everything else here is a helper they use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-test install-bench lint translations db-upgrade db-check demo clean

# A stamp per extra, redone when pyproject.toml changes, so repeated runs cost nothing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make install-bench: the peers bench/import_bench.py compares imports with (pandas).
install-bench: $(VENV)/.installed-bench

## make run: set up, migrate, load the demo data into an empty database, and serve.
run: install
	$(BIN)/insyn setup
	$(BIN)/insyn run --host $(HOST) --port $(PORT)

## make test: set up and run the whole suite (browser tests included).
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

# Babel skips directories starting with "_" unless told otherwise; templates/_macros holds texts.
BABEL_EXTRACT := -F babel.cfg -k _l -k N_ -k Nn_:1,2 -k lazy_gettext -k lazy_pgettext:1c,2 \
	--ignore-dirs '.* __pycache__'

## make translations: extract the interface texts into app/translations/messages.pot (generated,
## not committed) and merge them into the Swedish catalogue; then translate the new entries.
translations: install
	$(BIN)/pybabel extract $(BABEL_EXTRACT) --project Insyn \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l sv \
		--ignore-pot-creation-date

db-upgrade: install
	$(BIN)/insyn db upgrade

db-check: install
	$(BIN)/insyn db upgrade && $(BIN)/insyn db check

demo: install
	$(BIN)/insyn demo

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
