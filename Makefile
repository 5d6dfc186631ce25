# Two commands on a fresh machine: `make run` serves the app, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test serve db install bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(APP_STAMP)

install: $(APP_STAMP)

db: $(APP_STAMP)
	$(BIN)/quizapp db upgrade
	$(BIN)/quizapp load

run: db
	QUIZAPP_DEVELOPMENT=true $(BIN)/flask --app quizapp run --host $(HOST) --port $(PORT)

serve: db
	$(BIN)/gunicorn -c gunicorn.conf.py 'quizapp:create_app()'

test: $(TEST_STAMP)
	$(BIN)/pytest -q -rs

# Debian's Chromium for the browser tests (root; Playwright's own download does not work offline).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
