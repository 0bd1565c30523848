# The two commands of the README:
#   make demo   runs the built-in baseline scenario: a KPI summary table and charts in out/demo/
#   make test   runs the whole test suite
# Each creates (or reuses) .venv and installs the package from pyproject.toml when it changed:
# make demo only the package itself; make test (and bench, venv) also the dev extra (pytest, the
# notebook tools, nbclient, selenium), which the notebook and app-view tests need.
# Installing compiles the engine (salessim/model.py and salessim/engine/) with mypyc (setup.py;
# a minute or two). When one of those sources changes, both commands compile it again first; a
# compiled engine older than its sources refuses to run (salessim/engine/__init__.py).
# make pure removes the compiled engine, so an edited engine runs from its sources at once.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORE   := $(VENV)/.installed-core-stamp
ENGINE := $(VENV)/.compiled-engine-stamp
# what setup.py compiles (salessim.engine.compiled_sources): model.py and the engine folder
ENGINE_SRC := salessim/model.py $(wildcard salessim/engine/*.py) setup.py

.PHONY: demo test bench venv pure clean

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

# remove the compiled engine (the sources run); the next make demo/test compiles it again
pure:
	rm -f salessim/*.so salessim/engine/*.so salessim_engine__mypyc*.so salessim/engine/_compiled_from.json
	rm -f $(ENGINE)

clean: pure
	rm -rf $(VENV) out .pytest_cache build
