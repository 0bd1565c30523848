"""``salessim sweep SCENARIO``: run a scenario over a grid of parameter values or a Latin-hypercube sample.

Grids (every combination is run):
  --grid team.reps.0.count=7,10,15                 a list of values
  --grid supervision.intensity_floor=0.2:0.3:3     START:STOP:COUNT, both ends included

Latin-hypercube sample of ranges:
  --lhs team.reps.0.count=5:15 --lhs supervision.intensity_floor=0.2:0.3 --points 20

Every point runs the same replications of the same seed (common random numbers). Whole-number
parameters stay whole. The table has one row per point x replication.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from salessim.analyses.sweep import Grid, LatinHypercube, SweepResult, sweep
from salessim.apps.commands.common import positive_int, seed_int
from salessim.apps.commands.experiment_options import (
    add_common,
    interrupt_hint,
    list_arg,
    overrides,
    runner_kwargs,
    runs_note,
    say,
)
from salessim.errors import UserError
from salessim.results import metrics, strict_json
from salessim.results.metrics import format_value
from salessim.results.statistics import NO_INTERVAL, plural
from salessim.runs.experiment import check_metrics
from salessim.scenarios.files import load_scenario
from salessim.scenarios.parameters import parse_grid, parse_range
from salessim.views.experiment_charts import sweep_charts
from salessim.views.exports import to_csv
from salessim.views.formats import DEFAULT_FORMATS


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in scenario name or a scenario .toml file")
    p.add_argument("--grid", action="append", default=[], metavar="PATH=VALUES",
                   help="a grid axis: PATH=v1,v2,... or PATH=START:STOP:COUNT (repeatable; all combinations run)")
    p.add_argument("--lhs", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="a range to sample by Latin hypercube (repeatable)")
    p.add_argument("--points", type=positive_int, default=None, metavar="K", help="Latin-hypercube points (default 20)")
    p.add_argument("--sample-seed", type=seed_int, default=None, metavar="S", help="seed of the sample (default 0)")
    p.add_argument("--metrics", type=list_arg, default=["profit", "revenue"], metavar="A,B",
                   help="metrics to summarise and chart (default profit,revenue)")
    add_common(p, default_n=10)


def design_from_args(args) -> Grid | LatinHypercube:
    if args.grid and args.lhs:
        raise UserError("choose a grid (--grid) or a sample (--lhs), not both", field="--grid")
    if args.grid:
        if args.points is not None or args.sample_seed is not None:
            raise UserError("--points and --sample-seed set a Latin-hypercube sample (--lhs); a grid runs every "
                            "value it lists", field="--points" if args.points is not None else "--sample-seed")
        axes: dict = {}
        for text in args.grid:
            path, values = parse_grid(text)
            if path in axes:
                raise UserError(f"{path} is given twice", field="--grid")
            axes[path] = values
        return Grid(axes)
    if args.lhs:
        ranges: dict = {}
        for text in args.lhs:
            path, lo, hi = parse_range(text, "--lhs")
            if path in ranges:
                raise UserError(f"{path} is given twice", field="--lhs")
            ranges[path] = (lo, hi)
        return LatinHypercube(ranges, points=args.points or 20,
                              seed=args.sample_seed if args.sample_seed is not None else 0)
    raise UserError("expected at least one --grid PATH=VALUES or --lhs PATH=LOW:HIGH", field="--grid")


def handle(args) -> int:
    design = design_from_args(args)
    kw = runner_kwargs(args)
    check_metrics(args.metrics, load_scenario(args.scenario, overrides(args)), "--metrics")  # before anything runs
    started = time.perf_counter()
    with interrupt_hint(kw["store"]):
        res = sweep(args.scenario, design, n=args.replications, seed=args.seed, overrides=overrides(args), **kw)
    say(args, runs_note(res, kw, time.perf_counter() - started))
    for note in res.notes:
        say(args, note)
    summary = res.summary(args.metrics)
    if args.json:
        print(strict_json.dumps({"scenario": res.scenario, "design": res.design, "parameters": res.parameters,
                                 "replications": res.n, "seed": res.seed, "points": strict_json.records(summary)},
                                indent=2))
    else:
        print_summary(res, summary, args.metrics)
    if args.out:
        files = write_outputs(res, summary, Path(args.out), args.metrics, formats=args.formats)
        say(args, f"wrote {len(files)} files to {args.out}/")
    return 0


def print_summary(res: SweepResult, summary, names) -> None:
    n_points = res.table["point"].nunique()
    interval = res.n >= 2
    print(f"{res.scenario}: {res.design} sweep of {', '.join(res.parameters)}; {n_points} points x "
          f"{plural(res.n, 'replication')}, seed {res.seed} "
          + ("(means with 95% intervals)" if interval else f"(means; {NO_INTERVAL}: run 2 or more for one)"))
    width = max(12, *(len(str(v)) for v in summary["label"])) + 2
    heads = [f"{metrics.label(m)} ({metrics.shown_unit(m, res.currency)})" for m in names]
    cell = max(38, *(len(h) + 2 for h in heads))
    print(f"\n{'point':<{width}}" + "".join(f"{h:>{cell}}" for h in heads))
    for (_, lab), g in summary.groupby(["point", "label"], sort=True):
        cells = []
        for m in names:
            r = g[g["metric"] == m].iloc[0]
            cells.append(f"{format_value(r['mean'], m)} [{format_value(r['low'], m)}, {format_value(r['high'], m)}]"
                         if interval else format_value(r["mean"], m))
        print(f"{lab:<{width}}" + "".join(f"{c:>{cell}}" for c in cells))


def write_outputs(res: SweepResult, summary, out: Path, metrics, formats=DEFAULT_FORMATS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    f = out / "sweep.parquet"
    res.table.to_parquet(f, index=False)
    files.append(f)
    for name, df in {"sweep": res.table, "summary": summary}.items():
        f = out / f"{name}.csv"
        to_csv(df, f, index=False)
        files.append(f)
    files += sweep_charts(res, out, metrics, formats)
    return files
