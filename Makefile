# matchkit developer commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: install test lint typecheck importlint docs pytest bench bench-engine bench-domain bench-compare bench-rich bench-continuity bench-whatif bench-recruit demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench,docs]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples tools
	$(BIN)/ruff format --check src tests benchmarks examples tools

typecheck: $(STAMP)
	$(BIN)/mypy

# The layer contracts of docs/explanation/architecture.md ([tool.importlinter] in pyproject.toml).
importlint: $(STAMP)
	$(BIN)/lint-imports

# The documentation site (mkdocs-material; the API reference from the docstrings), built
# strictly: a broken link, a bad docstring or a page missing from the nav fails. (The
# variable silences mkdocs-material's end-of-life banner, a print, not a build warning.)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

pytest: $(STAMP)
	$(BIN)/python -m pytest src tests -q

test: lint typecheck importlint docs pytest

# Every figure in docs/benchmarks.md (about three hours on 2 cores).
bench: bench-engine bench-domain bench-compare bench-rich bench-continuity bench-whatif bench-recruit

bench-engine: $(STAMP)
	$(BIN)/python -m benchmarks engine

bench-domain: $(STAMP)
	$(BIN)/python -m benchmarks domain

bench-compare: $(STAMP)
	$(BIN)/python -m benchmarks compare

bench-continuity: $(STAMP)
	$(BIN)/python -m benchmarks continuity

bench-whatif: $(STAMP)
	$(BIN)/python -m benchmarks whatif

bench-rich: $(STAMP)
	$(BIN)/python -m benchmarks rich

bench-recruit: $(STAMP)
	$(BIN)/python -m benchmarks recruit

demo: $(STAMP)
	$(BIN)/matchkit demo

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache
