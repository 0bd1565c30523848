"""salessim: what-if simulation of a sales department.

Quick start::

    import salessim as ss
    sc = ss.load_scenario("baseline")
    reps = ss.replicate(sc, n=20, seed=1)
    reps.summary()
"""

from .compiled import engine_mode, select_engine

select_engine()  # before any engine module is imported: compiled if built from these sources

from .errors import ScenarioError, UserError
from .replications import Replications, replicate, simulate
from .results import Result
from .scenario import Scenario
from .scenario_io import builtin_names, load_scenario, to_toml, with_overrides

__all__ = [
    "Replications", "Result", "Scenario", "ScenarioError", "UserError", "builtin_names", "engine_mode", "load_scenario",
    "replicate", "simulate", "to_toml", "with_overrides",
]
__version__ = "0.1.0"
