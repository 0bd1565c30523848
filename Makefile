# The two commands of the README:
#   make demo   runs the built-in baseline scenario: a KPI summary table and charts in out/demo/
#   make test   runs the whole test suite
# Each creates (or reuses) .venv and installs the package from pyproject.toml when it changed:
# make demo only the package itself; make test (and bench, venv) also the dev extra (pytest, the
# notebook tools, nbclient, selenium), which the notebook and app-view tests need.
# Installing compiles the engine's hot modules with mypyc (setup.py; a few minutes the first
# time). When one of those sources changes, both commands compile them again first; until then
# salessim runs the changed sources (salessim/compiled.py), so results are never stale.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORE   := $(VENV)/.installed-core-stamp
ENGINE := $(VENV)/.compiled-engine-stamp
# the modules setup.py compiles (salessim.compiled.ENGINE_MODULES)
ENGINE_SRC := $(addprefix salessim/,$(addsuffix .py,back_office clients effort lead market model odds people recorder rep supervisor)) setup.py salessim/compiled.py

.PHONY: demo test bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(CORE) $(ENGINE)

$(CORE): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE) $(ENGINE)

# an engine source changed since the last install: compile again (dependencies stay as they are)
$(ENGINE): $(ENGINE_SRC) | $(CORE)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(ENGINE)

venv: $(STAMP) $(ENGINE)

demo: $(CORE) $(ENGINE)
	$(BIN)/salessim run baseline --replications 20 --seed 1 --out out/demo

# test files run in parallel, one file per worker process (module fixtures stay shared)
TEST_WORKERS ?= auto

test: $(STAMP) $(ENGINE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP) $(ENGINE)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache build salessim/*.so salessim_engine__mypyc*.so salessim/_engine_build.json
