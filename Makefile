# Undertow: `make demo` runs the main job on generated data; `make test` installs everything and runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.full: $(VENV)/.core
	$(BIN)/pip install -q -e '.[spark,dev]'
	touch $@

demo: $(VENV)/.core
	$(BIN)/undertow demo --workspace undertow-demo

lint: $(VENV)/.full
	$(BIN)/ruff check undertow tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(VENV)/.full
	$(BIN)/pip install -q -e '.[spark,dev,bench]'
	set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) undertow-demo undertow-data .pytest_cache .mypy_cache .ruff_cache
