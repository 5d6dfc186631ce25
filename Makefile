# Two commands on a fresh machine: `make run` serves the app, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres lint serve db install bench chromium clean

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

# Development server: rate limits in this process's memory, mail printed to the console.
# Beside it, `quizapp optimise --watch` runs the FSRS optimiser runs queued from the account page
# (off the request path); it stops by itself when the server ends.
run: db
	QUIZAPP_DEVELOPMENT=true $(BIN)/quizapp optimise --watch --while-pid $$$$ & \
	QUIZAPP_DEVELOPMENT=true exec $(BIN)/flask --app quizapp run --host $(HOST) --port $(PORT)

# Production server (with the optimiser's watcher beside it, as for `make run`).
# SECRET_KEY comes from the environment, else from instance/secret_key (made once).
# Over plain HTTP on this machine cookies cannot be Secure; behind HTTPS, leave SECURE_COOKIES=true.
# Rate limits are kept in Redis at 127.0.0.1:6379 (QUIZAPP_RATELIMIT_STORAGE_URI), mail goes to the SMTP
# server QUIZAPP_MAIL_SERVER:QUIZAPP_MAIL_PORT, and links in mail start with PUBLIC_URL.
SECURE_COOKIES ?= false
PUBLIC_URL ?= http://$(or $(QUIZAPP_BIND),127.0.0.1:8000)
serve: db
	@test -n "$$SECRET_KEY" || test -s instance/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	$(BIN)/quizapp optimise --watch --while-pid $$$$ & \
	SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" QUIZAPP_SESSION_COOKIE_SECURE=$(SECURE_COOKIES) \
		QUIZAPP_PUBLIC_URL="$${QUIZAPP_PUBLIC_URL:-$(PUBLIC_URL)}" exec $(BIN)/gunicorn -c gunicorn.conf.py 'quizapp:create_app()'

test: $(TEST_STAMP)
	$(BIN)/pytest -q -rs

# Question quality (every generator rule over the whole bank; exit 1 on an unwaived flag) and code style.
lint: $(TEST_STAMP)
	$(BIN)/quizapp lint
	$(BIN)/ruff check quizapp tests bench

# The same suite on PostgreSQL (a fresh schema is made for the run and dropped after it).
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: $(TEST_STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -rs

# Debian's Chromium for the browser tests (root; Playwright's own download does not work offline).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@ $(TEST_STAMP) $(APP_STAMP)

# Benchmarks (not tests): each prints its figures and writes bench/results/<name>.json.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
