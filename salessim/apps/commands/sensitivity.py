"""``salessim sensitivity SCENARIO``: rank the drivers of profit and revenue (Morris or Sobol, with SALib).

Declare ranges with --range PATH=LOW:HIGH (repeatable) or a TOML file (--spec):

  [[parameter]]
  path = "team.reps.0.count"
  low = 5
  high = 15

Morris (default) screens many parameters cheaply: SAMPLES trajectories x (k + 1) points.
Sobol needs SAMPLES (a power of 2) x (k + 2) points and gives variance shares. Each point is
the mean of N replications (the same seeds at every point). A tornado chart adds 2k + 1
one-at-a-time runs (each parameter at the low and the high end of its range).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from salessim.analyses.sensitivity import (
    DEFAULT_OUTPUTS,
    DEFAULT_SAMPLES,
    METHODS,
    SensitivityResult,
    read_ranges,
    sensitivity,
)
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
from salessim.scenarios.files import load_scenario
from salessim.scenarios.parameters import check_range, parameter, parse_range
from salessim.views.experiment_charts import sensitivity_charts
from salessim.views.exports import to_csv
from salessim.views.formats import DEFAULT_FORMATS


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in scenario name or a scenario .toml file")
    p.add_argument("--range", dest="ranges", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="a parameter's range (repeatable)")
    p.add_argument("--spec", metavar="FILE", default=None, help="a TOML file of [[parameter]] path/low/high tables")
    p.add_argument("--method", choices=METHODS, default="morris", help="morris (screening) or sobol (default morris)")
    p.add_argument("--samples", type=positive_int, default=None, metavar="K",
                   help=f"Morris trajectories (default {DEFAULT_SAMPLES['morris']}) or Sobol base samples, a power "
                        f"of 2 (default {DEFAULT_SAMPLES['sobol']})")
    p.add_argument("--sample-seed", type=seed_int, default=None, metavar="S",
                   help="seed of the sample (default --seed)")
    p.add_argument("--outputs", type=list_arg, default=list(DEFAULT_OUTPUTS), metavar="A,B",
                   help="metrics to analyse (default profit,revenue)")
    p.add_argument("--no-tornado", dest="tornado", action="store_false",
                   help="skip the one-at-a-time runs of the tornado chart")
    add_common(p, default_n=2)


def ranges_from_args(args) -> dict:
    ranges: dict = {}
    if args.spec:
        ranges.update(_checked_spec(args))
    for text in args.ranges:
        path, lo, hi = parse_range(text)
        if path in ranges:
            raise UserError(f"{path} is given twice", field="--range")
        ranges[path] = (lo, hi)
    if not ranges:
        raise UserError("expected parameter ranges: --range PATH=LOW:HIGH or --spec FILE", field="--range")
    return ranges


def _checked_spec(args) -> dict:
    """The ``--spec`` file's ranges, each path and range checked against the scenario; a mistake
    names the file and the path (not ``--range``, which the user did not write)."""
    spec = read_ranges(args.spec)
    scenario = load_scenario(args.scenario, overrides(args))
    for path, (low, high) in spec.items():
        try:
            check_range(parameter(scenario, path), low, high)
        except UserError as e:
            raise UserError(e.message, source=str(args.spec), field=path) from None
    return spec


def handle(args) -> int:
    ranges = ranges_from_args(args)
    kw = runner_kwargs(args)
    samples = args.samples or DEFAULT_SAMPLES[args.method]
    started = time.perf_counter()
    with interrupt_hint(kw["store"]):
        res = sensitivity(args.scenario, ranges, args.method, samples, n=args.replications, seed=args.seed,
                          sample_seed=args.sample_seed, outputs=args.outputs, tornado=args.tornado,
                          overrides=overrides(args), **kw)
    say(args, runs_note(res, kw, time.perf_counter() - started))
    for note in res.notes:
        say(args, note)
    if args.json:
        out = {"scenario": res.scenario, "method": res.method, "replications": res.replications,
               "ranges": {p: list(v) for p, v in res.ranges.items()},
               "indices": strict_json.records(res.indices),
               "tornado": strict_json.records(res.tornado) if res.tornado is not None else None}
        print(strict_json.dumps(out, indent=2))
    else:
        print_report(res)
    if args.out:
        files = write_outputs(res, Path(args.out), formats=args.formats)
        say(args, f"wrote {len(files)} files to {args.out}/")
    return 0


def print_report(res: SensitivityResult) -> None:
    n_points = len(res.samples)
    print(f"{res.scenario}: {res.method} sensitivity of {', '.join(res.outputs)}; {n_points} sample points x "
          f"{plural(res.replications, 'replication')}")
    width = max(len(p) for p in res.ranges) + 2
    for o in res.outputs:
        r = res.ranking(o)
        unit = metrics.shown_unit(o, res.currency)
        extra = f" (mu*, sigma: {unit})" if res.method == "morris" else ""
        print(f"\ndrivers of {metrics.label(o)}, strongest first{extra}")
        if res.method == "morris":
            print(f"{'rank':<6}{'parameter':<{width}}{'range':>22}{'mu*':>14}{'+/-':>12}{'sigma':>14}")
            for row in r.itertuples():
                lo, hi = res.ranges[row.parameter]
                print(f"{row.rank:<6}{row.parameter:<{width}}{f'{lo:g} to {hi:g}':>22}"
                      f"{format_value(row.mu_star, o):>14}{format_value(row.mu_star_conf, o):>12}"
                      f"{format_value(row.sigma, o):>14}")
        else:
            print(f"{'rank':<6}{'parameter':<{width}}{'range':>22}{'S1':>9}{'+/-':>8}{'ST':>9}{'+/-':>8}")
            for row in r.itertuples():
                lo, hi = res.ranges[row.parameter]
                print(f"{row.rank:<6}{row.parameter:<{width}}{f'{lo:g} to {hi:g}':>22}{_index(row.S1):>9}"
                      f"{_index(row.S1_conf):>8}{_index(row.ST):>9}{_index(row.ST_conf):>8}")
        if res.tornado is not None:
            t = res.tornado[res.tornado["output"] == o]
            interval = res.replications >= 2
            print(f"one at a time ({metrics.label(o)}, {unit}, at the low end -> at the high end; base "
                  f"{format_value(t['y_base'].iloc[0], o)}" + ("" if interval else f"; {NO_INTERVAL} of the swing")
                  + "):")
            for row in t.itertuples():
                print(f"  {row.parameter:<{width}}{format_value(row.y_low, o):>14} ->"
                      f"{format_value(row.y_high, o):>14}   swing {format_value(row.swing, o)}"
                      + (f" [{format_value(row.swing_low, o)}, {format_value(row.swing_high, o)}]" if interval else ""))
    if res.method == "morris":
        print("\nmu*: mean absolute change of the output over a parameter's whole range (Morris elementary effects); "
              "+/-: 95% bootstrap half-width; sigma: spread of the effects (interactions, curvature).")
    else:
        print("\nS1: share of the output's variance due to the parameter alone; ST: with its interactions; "
              "+/-: 95% bootstrap half-widths.")


def _index(v: float) -> str:
    """A Sobol index (or its half-width) to three decimals; n/a when undefined (an output that never varies)."""
    return "n/a" if not math.isfinite(v) else f"{v:.3f}"


def write_outputs(res: SensitivityResult, out: Path, formats=DEFAULT_FORMATS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    tables = {"indices": res.indices, "samples": res.samples}
    if res.tornado is not None:
        tables["tornado"] = res.tornado
    for name, df in tables.items():
        f = out / f"{name}.csv"
        to_csv(df, f, index=False)
        files.append(f)
    if res.table is not None:
        f = out / "runs.parquet"
        res.table.to_parquet(f, index=False)
        files.append(f)
    files += sensitivity_charts(res, out, formats)
    return files
