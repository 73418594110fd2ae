# Jianguan: two commands for a fresh Debian machine with Python 3.11.
#   make demo   install, migrate an embedded SQLite database, load the demo province, serve on :8000
#   make test   install test dependencies, lint, check migrations and the API schema, run the suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
DEMO_DB := var/demo

.PHONY: demo test install install-test lint messages openapi datastandard serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# No byte-compiling of every installed module up front (half the install's time): Python compiles
# what it imports, once, and keeps it, even where the environment says not to write bytecode.
unexport PYTHONDONTWRITEBYTECODE
install: $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -e '.[test,spark]'

demo: install
	rm -rf $(DEMO_DB)
	JIANGUAN_VAR_DIR=$(DEMO_DB) $(BIN)/jianguan migrate --verbosity 0
	JIANGUAN_VAR_DIR=$(DEMO_DB) $(BIN)/jianguan demo
	@echo "Serving on http://$(HOST)/  (API docs: http://$(HOST)/api/docs)"
	@# migrate has run the system checks already
	JIANGUAN_VAR_DIR=$(DEMO_DB) $(BIN)/jianguan runserver --noreload --skip-checks $(HOST)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

test: install-test lint
	JIANGUAN_VAR_DIR=$$(mktemp -d) $(BIN)/jianguan makemigrations --check --dry-run --verbosity 1
	JIANGUAN_VAR_DIR=$$(mktemp -d) $(BIN)/jianguan openapi --check docs/openapi.json
	JIANGUAN_VAR_DIR=$$(mktemp -d) $(BIN)/jianguan datastandard --check docs/data-standard.md
	$(BIN)/python -m pytest $(PYTEST_ARGS)

openapi: install
	$(BIN)/jianguan openapi docs/openapi.json

datastandard: install
	$(BIN)/jianguan datastandard docs/data-standard.md

messages: install-test
	cd src/jianguan && ../../$(BIN)/jianguan makemessages --locale zh_Hans --locale en --no-obsolete --ignore 'static/*'
	$(BIN)/python -m jianguan.web.i18n compile

clean:
	rm -rf $(VENV) var build *.egg-info
