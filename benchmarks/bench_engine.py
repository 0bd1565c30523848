"""Engine speed: the model's SimPy events per second against a bare SimPy timeout loop,
and seconds per baseline replication (7 reps, 12 months, 3 warm-up months).

Both are measured in this one process, so the ratio does not depend on the machine.
Target (issue 2): a baseline replication in under 0.5 s on the 2-core reference machine.

Also the compiled engine (mypyc, :mod:`salessim.engine`) against its pure-Python sources:
two child processes, one running a copy of the package without its compiled files, run the same seeds in turns, so both see
the same machine load; the ratio of their per-replication medians is printed.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy

import salessim as ss
from salessim.engine import COMPILED_FROM
from salessim.model import Department


def bare_simpy_events_per_second(n: int = 300_000) -> float:
    env = simpy.Environment()

    def ticker(env):
        for _ in range(n):
            yield env.timeout(1)

    env.process(ticker(env))
    t = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t)


def model_run(scenario, seed: int, record_events: bool = False) -> tuple[float, int]:
    t = time.perf_counter()
    dept = Department(scenario, seed=seed, record_events=record_events)
    dept.run()
    elapsed = time.perf_counter() - t
    events = next(dept.env._eid)  # SimPy's event counter: events scheduled in the run
    return elapsed, events


_CHILD = r"""
import json, sys, time
import salessim as ss
sc = ss.load_scenario("baseline")
ss.simulate(sc, seed=999, record_events=False)  # imports, caches
secs = []
for seed in map(int, sys.argv[1:]):
    t = time.perf_counter()
    ss.simulate(sc, seed=seed, record_events=False)
    secs.append(time.perf_counter() - t)
print(json.dumps({"mode": ss.engine_mode(), "secs": secs}))
"""


def _child(seeds: list[int], sources: Path | None) -> dict:
    """Run the seeds in a child process: the installed package, or the package copied to ``sources``."""
    env = dict(os.environ)
    if sources is not None:
        env["PYTHONPATH"] = str(sources)
    out = subprocess.run([sys.executable, "-c", _CHILD, *map(str, seeds)], capture_output=True, text=True,
                         env=env, check=True, cwd=sources)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compiled_vs_pure(rounds: int = 4, per_round: int = 4) -> None:
    """Per-replication medians of the installed engine and of the pure-Python sources, in turns.

    The pure engine is the same package copied without its compiled files (what an install
    without a C compiler runs).
    """
    fast, pure, mode = [], [], ""
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp)
        shutil.copytree(Path(ss.__file__).parent, sources / "salessim",
                        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", COMPILED_FROM))
        for r in range(rounds):
            seeds = list(range(r * per_round, (r + 1) * per_round))
            order = (False, True) if r % 2 == 0 else (True, False)
            for p in order:
                res = _child(seeds, sources if p else None)
                (pure if p else fast).extend(res["secs"])
                mode = mode if p else res["mode"]
    print(f"installed engine            : {mode}")
    print(f"  seconds per replication   : {statistics.median(fast):.3f} s installed, {statistics.median(pure):.3f} s "
          f"pure Python -> {statistics.median(pure) / statistics.median(fast):.2f}x "
          f"({len(fast)} replications each, in alternating child processes)")


def main() -> None:
    sc = ss.load_scenario("baseline")
    model_run(sc, 999)  # warm caches and imports
    bare = statistics.median(bare_simpy_events_per_second() for _ in range(3))
    runs = [model_run(sc, seed) for seed in range(7)]
    secs = [t for t, _ in runs]
    evs = [e for _, e in runs]
    model_eps = sum(evs) / sum(secs)
    with_log = statistics.median(model_run(sc, seed, True)[0] for seed in range(3))
    print(f"bare SimPy timeout loop     : {bare:,.0f} events/s")
    print(f"model (baseline)            : {model_eps:,.0f} events/s ({statistics.mean(evs):,.0f} events per replication)")
    print(f"model / bare ratio          : {model_eps / bare:.3f}")
    print(f"seconds per replication     : median {statistics.median(secs):.3f} s, max {max(secs):.3f} s "
          f"(7 reps, {sc.calendar.months} months + {sc.calendar.warmup_months} warm-up; target < 0.5 s)")
    print(f"  with the event log kept   : median {with_log:.3f} s")
    compiled_vs_pure()


if __name__ == "__main__":
    main()
