"""salessim: what-if simulation of a sales department.

Quick start::

    import salessim as ss
    sc = ss.load_scenario("baseline")
    reps = ss.replicate(sc, n=20, seed=1)
    reps.summary()

The package is built in floors that import only downward (``tests/unit/test_layers.py``
keeps them so)::

    cli.py, apps/      the command line, notebook widgets and helpers
    calibration/       CRM exports in, a calibrated scenario and plans out
    views/             charts in one style, the client report, formula-safe exports
    analyses/          compare, sweep, sensitivity, hire vs train, commission design
    runs/              the one replication runner, execution, the store and the cache
    model.py           the SimPy department
    results/           a replication's Result, the KPI formulas and the KPI table
    engine/            the department's actors and mechanics
    scenarios/         the schema, scenario and scheme files, the built-ins
    errors.py          the one error type a user sees

The names below are imported on first use, so ``import salessim`` (and ``salessim --help``)
stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from salessim import engine  # standard library only: what is compiled, and is it current

__version__ = "0.1.0"

#: the public API: name -> the module that defines it
_API = {
    "Replications": "salessim.runs.replications", "replicate": "salessim.runs.replications",
    "simulate": "salessim.runs.replications", "Result": "salessim.results.result",
    "Scenario": "salessim.scenarios.schema", "ScenarioError": "salessim.errors", "UserError": "salessim.errors",
    "builtin_names": "salessim.scenarios.reading", "load_scenario": "salessim.scenarios.files",
    "to_toml": "salessim.scenarios.files", "with_overrides": "salessim.scenarios.files",
}
__all__ = [
    "Replications", "Result", "Scenario", "ScenarioError", "UserError", "builtin_names", "engine_mode", "load_scenario",
    "replicate", "simulate", "to_toml", "with_overrides",
]

if TYPE_CHECKING:  # pragma: no cover
    from salessim.errors import ScenarioError, UserError
    from salessim.results.result import Result
    from salessim.runs.replications import Replications, replicate, simulate
    from salessim.scenarios.files import load_scenario, to_toml, with_overrides
    from salessim.scenarios.reading import builtin_names
    from salessim.scenarios.schema import Scenario


def engine_mode() -> str:
    """``"compiled"`` or ``"pure"``: whether the mypyc-compiled engine runs (see :mod:`salessim.engine`)."""
    return engine.mode()


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'salessim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
