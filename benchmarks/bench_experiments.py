"""Experiments: parallel speed-up, replications per second, what common random numbers gain,
the time to decide a comparison at a set precision, and how a run grows with the team.

Prints, on this machine (the reference has 2 cores):

1. replications per second of the baseline (7 reps, 12 months + 3 warm-up), serially and on
   2 local worker processes, and the 2-worker speed-up (target >= 1.7x);
2. the variance-reduction factor of common random numbers on 1 head + 7 reps vs 1 head + 15
   reps (12 months, 120 replications): Var(B - A) with independent seeds over Var(B - A) with
   CRN, for revenue and profit, with a 95% bootstrap lower bound; with the baseline's market
   mood and with it off (what the shared market contributes);
3. the seconds ``compare`` takes to decide 1 + 7 vs 1 + 15 with the revenue difference's 95%
   half-width within 2% of the base revenue, and how many replications that took (target
   <= 10 s);
4. run time and peak memory of one replication of a department of 10, 100 and 1,000 reps
   (:func:`salessim.scenarios.scaling.scaled_department`: teams of 7 under one head each, market,
   inbound leads and clerks scaled with the team; 12 months), each in a fresh process
   (target: close to linear; 1,000 reps in under 60 s and 2 GB): once for the engine as it
   is, once with Python's garbage collector paused during the run, as the experiment layer
   runs it.

Timings depend on what else the machine is doing; the load average is printed with them.
``python -m benchmarks experiments`` runs it; ``--quick`` skips the 1,000-rep run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

import salessim as ss
from salessim.analyses.compare import compare
from salessim.runs.execution import local_pool, shutdown_local_pool
from salessim.runs.replication import Task, run_replication
from salessim.runs.replications import run

SCALING_SIZES = (10, 100, 1000)


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:  # pragma: no cover
        return "load average n/a"


def _cpu_seconds(pids) -> float:
    """User + system CPU seconds of live processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def speedup(n: int = 16) -> None:
    """Wall-clock speed-up of 2 workers, and the CPU accounting that explains it on a shared machine."""
    sc = ss.load_scenario("baseline")
    tasks = [Task(sc, 0, i) for i in range(n)]
    run_replication(tasks[0])  # warm caches
    pool = local_pool(2)
    run(tasks[:2], workers=2)  # warm the workers
    pids = list(pool._processes)
    t, c = time.perf_counter(), time.process_time()
    serial = [o.summary for o in run(tasks, workers=1)]
    t_serial, c_serial = time.perf_counter() - t, time.process_time() - c
    c0 = _cpu_seconds(pids)
    t, c = time.perf_counter(), time.process_time()
    parallel = [o.summary for o in run(tasks, workers=2)]
    t_par = time.perf_counter() - t
    c_par = _cpu_seconds(pids) - c0 + (time.process_time() - c)
    assert serial == parallel
    print(f"baseline replications/s     : {n / t_serial:.2f} serial, {n / t_par:.2f} on 2 workers "
          f"({n} replications; {t_serial / n:.3f} s each serially)")
    print(f"2-worker speed-up           : {t_serial / t_par:.2f}x wall clock (target >= 1.7x; {_load()})")
    print(f"  CPU accounting            : serial {c_serial:.1f} CPU-s in {t_serial:.1f} s "
          f"({c_serial / t_serial:.0%} of a core); 2 workers {c_par:.1f} CPU-s in {t_par:.1f} s "
          f"({c_par / t_par:.2f} cores obtained of 2); CPU per run in parallel {c_par / c_serial - 1:+.1%}; "
          f"with both cores free: about {2 * c_serial / c_par:.2f}x")
    shutdown_local_pool()
    t = time.perf_counter()
    ss.replicate(sc, n=20, seed=0, workers=2)
    print(f"20 baseline replications    : {time.perf_counter() - t:.2f} s on 2 workers from a cold pool ({_load()})")


def crn_factor(n: int = 120) -> None:
    """The CRN factor on 1+7 vs 1+15 (12 months), with the baseline's market mood and with it off."""
    for label, overrides in (("market mood on", None), ("mood off", {"market_mood.monthly_sd": 0.0})):
        paired = compare("baseline", "double_headcount_one_supervisor", n=n, seed=11, workers=2, overrides=overrides)
        independent = compare("baseline", "double_headcount_one_supervisor", n=n, seed=11, crn=False, workers=2,
                              overrides=overrides)
        rng = np.random.default_rng(0)
        for kpi in ("revenue", "profit"):
            t, u = paired.table, independent.table
            a = t[t["point"] == 0].sort_values("replication")[kpi].to_numpy()
            b = t[t["point"] == 1].sort_values("replication")[kpi].to_numpy()
            c = u[u["point"] == 1].sort_values("replication")[kpi].to_numpy()
            emp = np.var(c - a, ddof=1) / np.var(b - a, ddof=1)
            theo = (np.var(a, ddof=1) + np.var(b, ddof=1)) / np.var(b - a, ddof=1)
            boots = []
            for _ in range(2000):
                i = rng.integers(0, n, n)
                boots.append(np.var(c[i] - a[i], ddof=1) / np.var(b[i] - a[i], ddof=1))
            print(f"CRN variance reduction      : {kpi:<8} {emp:.2f}x vs independent seeds (95% lower bound "
                  f"{np.quantile(boots, 0.05):.2f}); (Var A + Var B) / Var(B - A) = {theo:.2f}; "
                  f"correlation {np.corrcoef(a, b)[0, 1]:.2f}  [1+7 vs 1+15, 12 months, {n} replications, {label}]")


def _serial_pair_seconds(reps: int = 3) -> float:
    """Seconds one paired replication (1+7 and 1+15) takes serially right now (machine speed varies)."""
    a, b = ss.load_scenario("baseline"), ss.load_scenario("double_headcount_one_supervisor")
    run_replication(Task(a, 0, 999))
    t = time.perf_counter()
    for r in range(reps):
        run_replication(Task(a, 0, 1000 + r))
        run_replication(Task(b, 0, 1000 + r))
    return (time.perf_counter() - t) / reps


def decide(precision: float = 2.0) -> None:
    pair = _serial_pair_seconds()
    shutdown_local_pool()
    t = time.perf_counter()
    cmp = compare("baseline", "double_headcount_one_supervisor", seed=0, precision=precision, main_kpi="revenue",
                  workers=2)
    secs = time.perf_counter() - t
    d = cmp.differences(["revenue"]).iloc[0]
    steps = " -> ".join(str(k) for k, _ in cmp.history)
    print(f"decide 1+7 vs 1+15 at +/-{precision:g}%: {secs:.1f} s, {cmp.n} paired replications "
          f"({'converged' if cmp.converged else 'NOT converged'}; counts {steps}); revenue difference "
          f"{d['diff_pct']:+.1f}% [{d['low_pct']:+.1f}%, {d['high_pct']:+.1f}%] -> {d['verdict']} (target <= 10 s)")
    ideal = cmp.n * pair / 2
    print(f"  one paired replication serially now: {pair:.2f} s, so {cmp.n} pairs on 2 cores take at least "
          f"{ideal:.1f} s; the run took {secs / ideal:.2f}x that (pool start, rounds, two busy workers slowing "
          f"each other). At this machine speed 10 s allows {20 / pair:.0f} pairs")


def _child(n_reps: int, gc_paused: bool) -> None:
    import contextlib
    import resource

    from salessim.engine.collector import paused_gc
    from salessim.model import Department
    from salessim.scenarios.scaling import scaled_department

    sc = scaled_department(n_reps)
    t = time.perf_counter()
    with paused_gc() if gc_paused else contextlib.nullcontext():
        dept = Department(sc, seed=1, replication=0, record_events=False)
        res = dept.run()
    secs = time.perf_counter() - t
    summary = res.summary()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"n_reps": n_reps, "seconds": secs, "peak_mb": peak, "leads": len(dept.leads),
                      "events": next(dept.env._eid), "revenue_per_rep": summary["revenue"] / n_reps,
                      "meetings_per_rep_month": summary["meetings_per_rep_month"]}))


def scaling(sizes=SCALING_SIZES) -> None:
    for gc_paused in (False, True):
        _scaling(sizes, gc_paused)


def _scaling(sizes, gc_paused: bool) -> None:
    how = ("with the garbage collector paused, as experiments run it (salessim.engine.collector.paused_gc)" if gc_paused
           else "the engine as it is (Department.run)")
    print(f"one replication of a department of n reps, 12 months + 3 warm-up, each in a fresh process; {how} "
          f"({_load()}):")
    print(f"{'reps':>6}{'seconds':>10}{'s per rep':>11}{'peak MB':>10}{'leads':>10}{'events':>11}"
          f"{'revenue/rep':>13}{'meetings/rep-month':>20}")
    prev = None
    for n in sizes:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_experiments", "--child", str(n),
                               "--gc-paused" if gc_paused else "--gc-on"],
                              capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
        if proc.returncode != 0:
            print(f"{n:>6}  failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        grow = "" if prev is None else \
            f"   x{r['seconds'] / prev['seconds']:.1f} time for x{n / prev['n_reps']:.0f} reps"
        print(f"{n:>6}{r['seconds']:>10.1f}{r['seconds'] / n:>11.3f}{r['peak_mb']:>10.0f}{r['leads']:>10,}"
              f"{r['events']:>11,}{r['revenue_per_rep']:>13,.0f}{r['meetings_per_rep_month']:>20.1f}{grow}")
        prev = r
    print("  targets: close to linear; 1,000 reps in under 60 s and under 2 GB")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(int(argv[1]), gc_paused="--gc-paused" in argv)
        return
    speedup()
    crn_factor()
    decide()
    scaling(SCALING_SIZES[:2] if "--quick" in argv else SCALING_SIZES)


if __name__ == "__main__":
    main()
