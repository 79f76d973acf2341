# matchkit developer commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: install test lint typecheck pytest bench-engine bench-domain demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest src tests -q

test: lint typecheck pytest

bench-engine: $(STAMP)
	$(BIN)/python -m benchmarks engine

bench-domain: $(STAMP)
	$(BIN)/python -m benchmarks domain

demo: $(STAMP)
	$(BIN)/matchkit demo

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
