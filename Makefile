# The two commands of the README:
#   make demo   runs the built-in baseline scenario: a KPI summary table and charts in out/demo/
#   make test   runs the whole test suite
# Each creates (or reuses) .venv and installs the package from pyproject.toml when it changed:
# make demo only the package itself; make test (and bench, venv) also the dev extra (pytest, the
# notebook tools, nbclient, selenium), which the notebook and app-view tests need.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORE   := $(VENV)/.installed-core-stamp

.PHONY: demo test bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(CORE)

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE)

venv: $(STAMP)

demo: $(CORE)
	$(BIN)/salessim run baseline --replications 20 --seed 1 --out out/demo

# test files run in parallel, one file per worker process (module fixtures stay shared)
TEST_WORKERS ?= auto

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache
