# `make run` serves the demo at http://127.0.0.1:8000; `make test` runs every check CI runs.
# `make run PORT=8001 HOST=0.0.0.0` serves it elsewhere.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 8000
# HOST only from make's command line: tcsh exports HOST as the machine's name, which would
# quietly move the demo off 127.0.0.1.
RUN_HOST := $(if $(filter command line,$(origin HOST)),$(HOST),127.0.0.1)

.PHONY: run test lint typecheck pytest install clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/everytouch demo --host $(RUN_HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy everytouch benchmarks tests conftest.py

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var
