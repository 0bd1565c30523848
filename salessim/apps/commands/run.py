"""``salessim run SCENARIO``: replicate a scenario, print KPIs with 95% intervals, write tables and charts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salessim.analyses.pay_summary import replication_warnings
from salessim.apps.commands.common import (
    add_formats_arg,
    add_scenario_args,
    check_out_dir,
    load_from_args,
    out_path,
    positive_int,
    seed_int,
)
from salessim.results import metrics, strict_json
from salessim.results.metrics import HEADLINE, format_value
from salessim.results.statistics import NO_INTERVAL, plural
from salessim.runs.replications import default_workers, replicate
from salessim.views.charts import baseline_charts
from salessim.views.exports import to_csv
from salessim.views.formats import DEFAULT_FORMATS


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    add_scenario_args(p)
    p.add_argument("--replications", "-n", type=positive_int, default=20, metavar="N", help="replications (default 20)")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S", help="master seed (default 0)")
    p.add_argument("--months", type=positive_int, default=None, metavar="M", help="override the horizon (months)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core)")
    p.add_argument("--out", metavar="DIR", type=out_path, default=None, help="write tables (CSV, Parquet) and charts here")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary instead of the table")
    add_formats_arg(p)


def handle(args) -> int:
    extra = {"calendar.months": args.months} if args.months else None
    sc = load_from_args(args, extra)
    if args.out:
        check_out_dir(args.out)
    workers = args.workers or min(default_workers(), args.replications)
    reps = replicate(sc, n=args.replications, seed=args.seed, workers=workers,
                     progress=sys.stderr.isatty() and not args.json)
    summary = reps.summary()

    warnings = replication_warnings(reps)
    if args.json:
        out: dict = {"scenario": sc.name, "replications": reps.n, "seed": args.seed, "currency": sc.currency,
                     "warnings": warnings}
        if reps.n < 2:
            out["notes"] = [f"{NO_INTERVAL}: low, high and sd are null (run 2 or more replications)"]
        out.update(reps.to_json())
        print(strict_json.dumps(out, indent=2))
    else:
        print_table(sc, reps, summary)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
    if args.out:
        files = write_outputs(reps, Path(args.out), formats=args.formats)
        if not args.json:
            kinds = ", ".join(f"*.{f}" for f in args.formats)
            print(f"\nwrote {len(files)} files to {args.out}/ (tables: *.csv, *.parquet; charts: {kinds})")
    return 0


def print_table(sc, reps, summary) -> None:
    print(f"{sc.name}: {plural(reps.n, 'replication')}, seed {reps.seed}, {plural(sc.calendar.months, 'month')} from "
          f"{sc.calendar.start}")
    if sc.question:
        print(f"question: {sc.question}")
    interval = reps.n >= 2
    print(f"\n{'KPI (whole period)':<24}{'unit':<31}{'mean':>12}   "
          + ("95% interval" if interval else f"({NO_INTERVAL}; run 2 or more for one)"))
    for m in HEADLINE:
        row = summary.loc[m]
        print(f"{metrics.label(m):<24}{metrics.shown_unit(m, sc.currency):<31}{format_value(row['mean'], m):>12}"
              + (f"   [{format_value(row['low'], m)}, {format_value(row['high'], m)}]" if interval else ""))


def write_outputs(reps, out: Path, formats=None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    tables = {
        "summary": reps.summary().reset_index(),
        "per_replication": reps.per_replication,
        "department_monthly": reps.department_monthly(),
        "pnl_monthly": reps.pnl(),
        "rep_monthly": reps.rep_monthly(),
    }
    for name, df in tables.items():
        f = out / f"{name}.csv"
        to_csv(df, f, index=False)
        files.append(f)
        if name in ("department_monthly", "rep_monthly", "per_replication"):
            f = out / f"{name}.parquet"
            df.to_parquet(f, index=False)
            files.append(f)
    files += baseline_charts(reps, out, formats or DEFAULT_FORMATS)
    return files
