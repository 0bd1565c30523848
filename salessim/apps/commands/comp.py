"""``salessim comp``: what a pay scheme pays, what it costs, and the most profitable scheme.

``salessim comp SCENARIO [--scheme FILE]`` replicates the scenario (with the scheme in FILE,
if given) and prints each rep's monthly pay (median, p10, p90), the P&L over the period
with 95% intervals, commission against gross profit by product, and warnings.

``salessim comp optimise SCENARIO --param PATH=LOW:HIGH ...`` searches the scheme's
parameters for the highest expected profit under constraints on reps' pay.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from salessim.analyses.pay_summary import pay_distribution, pnl_summary, product_summary, replication_warnings
from salessim.analyses.scheme_search import optimise_scheme, parse_param
from salessim.apps.commands.common import (
    add_scenario_args,
    check_out_dir,
    load_from_args,
    out_path,
    positive_int,
    seed_int,
)
from salessim.apps.parsing import Parser
from salessim.results import metrics, strict_json
from salessim.results.metrics import format_number, format_value
from salessim.results.statistics import NO_INTERVAL, plural
from salessim.runs.replications import default_workers, replicate
from salessim.scenarios.files import apply_scheme, load_scenario, to_toml, with_overrides
from salessim.views.exports import to_csv

OPTIMISE = ("optimise", "optimize")


def non_negative(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return v


def _common(p: argparse.ArgumentParser, n_default: int) -> None:
    add_scenario_args(p)
    p.add_argument("--scheme", metavar="FILE", default=None,
                   help="pay the reps by the scheme in this file (a path or a built-in scheme name)")
    p.add_argument("--replications", "-n", type=positive_int, default=n_default, metavar="N",
                   help=f"replications (default {n_default})")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S", help="master seed (default 0)")
    p.add_argument("--months", type=positive_int, default=None, metavar="M", help="override the horizon (months)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core)")
    p.add_argument("--out", metavar="DIR", type=out_path, default=None, help="write the tables (CSV) here")
    p.add_argument("--json", action="store_true", help="print a machine-readable result instead of tables")


def _optimise_parser(prog: str) -> argparse.ArgumentParser:
    p = Parser(prog=f"{prog} optimise", description="Search a scheme's parameters for the highest expected profit "
               "(common random numbers across candidates; scipy).")
    _common(p, 8)
    p.add_argument("--param", dest="params", metavar="PATH=LOW:HIGH", action="append", default=[], required=True,
                   help="a parameter to search and its bounds (repeatable), e.g. pay.components.0.rates.B=0.25:1.0")
    p.add_argument("--min-median-pay", type=non_negative, default=None, metavar="X",
                   help="constraint: median rep monthly pay >= X (a market level, currency)")
    p.add_argument("--max-pay-cv", type=non_negative, default=None, metavar="C",
                   help="constraint: coefficient of variation of rep monthly pay <= C")
    p.add_argument("--max-p90-p10", type=non_negative, default=None, metavar="R",
                   help="constraint: 90th / 10th percentile of rep monthly pay <= R")
    p.add_argument("--method", choices=("de", "nelder-mead", "grid"), default="de",
                   help="differential evolution (default), Nelder-Mead from the current values, or a grid")
    p.add_argument("--budget", type=positive_int, default=30, metavar="B", help="most candidates to simulate (default 30)")
    p.set_defaults(handler=handle_optimise, command="comp optimise")
    return p


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = "See 'salessim comp optimise --help' for the scheme search."
    _common(p, 20)
    optimise = _optimise_parser(p.prog)

    base = type(p)

    class CompParser(base):  # type: ignore[misc, valid-type]
        """``comp SCENARIO`` or ``comp optimise ...``: the second form is parsed by its own parser."""

        def parse_known_args(self, args=None, namespace=None):
            args = list(sys.argv[1:] if args is None else args)
            if args and args[0] in OPTIMISE:
                return optimise.parse_known_args(args[1:], namespace)
            return super().parse_known_args(args, namespace)

    p.__class__ = CompParser


def _scenario(args):
    """The scenario, with the scheme file applied first and then --set and --months (so they can tune it)."""
    if args.scheme:
        sc = apply_scheme(load_scenario(args.scenario), args.scheme)
        overrides = dict(args.overrides)
        if args.months:
            overrides["calendar.months"] = args.months
        if overrides:
            sc = with_overrides(sc, overrides)
    else:
        sc = load_from_args(args, {"calendar.months": args.months} if args.months else None)
    if args.out:
        check_out_dir(args.out)
    return sc


# --------------------------------------------------------------------------- comp SCENARIO
def handle(args) -> int:
    sc = _scenario(args)
    workers = args.workers or min(default_workers(), args.replications)
    reps = replicate(sc, n=args.replications, seed=args.seed, workers=workers,
                     progress=sys.stderr.isatty() and not args.json)
    dist = pay_distribution(reps)
    pnl = pnl_summary(reps)
    prod = product_summary(reps)
    warnings = replication_warnings(reps)
    if args.json:
        out = {"scenario": sc.name, "replications": reps.n, "seed": args.seed, "currency": sc.currency,
               "pay": [{k: _num(v) for k, v in row.items()} for row in dist.to_dict("records")],
               "pnl": {k: {c: _num(v) for c, v in row.items()} for k, row in pnl.to_dict("index").items()},
               "products": [{k: _num(v) for k, v in row.items()} for row in prod.to_dict("records")],
               "warnings": warnings}
        print(strict_json.dumps(out, indent=2))
    else:
        print_report(sc, reps, dist, pnl, prod, warnings)
    if args.out:
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        to_csv(dist, out_dir / "pay_distribution.csv", index=False)
        to_csv(pnl.reset_index(), out_dir / "pnl_summary.csv", index=False)
        to_csv(prod, out_dir / "products.csv", index=False)

        to_csv(pd.concat([r.payroll().assign(replication=r.replication) for r in reps.results]),
               out_dir / "payroll.csv", index=False)
        to_csv(reps.pnl(), out_dir / "pnl_monthly.csv", index=False)
        if not args.json:
            print(f"\nwrote pay_distribution, pnl_summary, products, payroll and pnl_monthly (.csv) to {args.out}/")
    return 0


def _num(v):
    """A JSON-ready number (NaN -> null); text and flags unchanged."""
    if v is None or isinstance(v, (str, bool)):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if f != f else f


def _money(v: float) -> str:
    return format_number(v, "money")


def print_report(sc, reps, dist, pnl, prod, warnings) -> None:
    cur = sc.currency
    print(f"{sc.name}: {plural(reps.n, 'replication')}, seed {reps.seed}, {plural(sc.calendar.months, 'month')} from "
          f"{sc.calendar.start}")
    if sc.question:
        print(f"question: {sc.question}")
    print(f"\nMonthly pay per person ({cur}; over replications x months)")
    print(f"{'person':<14}{'role':<12}{'median':>10}{'p10':>10}{'p90':>10}{'variable':>10}")
    for row in dist.itertuples():
        share = "" if row.variable_share != row.variable_share else f"{row.variable_share:.0%}"
        print(f"{row.person:<14}{row.role:<12}{_money(row.median):>10}{_money(row.p10):>10}{_money(row.p90):>10}{share:>10}")
    interval = reps.n >= 2
    print("\nP&L over the period " + ("(mean and 95% interval)" if interval else f"(mean; {NO_INTERVAL})"))
    width = max(len(metrics.label(line)) for line in pnl.index) + 2
    print(f"{'line':<{width}}{'unit':<20}{'mean':>12}" + ("   95% interval" if interval else ""))
    for line, row in pnl.iterrows():
        print(f"{metrics.label(line):<{width}}{metrics.shown_unit(line, cur):<20}{format_value(row['mean'], line):>12}"
              + (f"   [{format_value(row['low'], line)}, {format_value(row['high'], line)}]" if interval else ""))
    print(f"\nBy product (mean over replications; money in {cur})")
    cols = ("revenue", "gross_margin", "commission", "commission_pct_of_gross_profit")
    heads = {c: metrics.label(c) for c in cols[:3]}
    heads["commission_pct_of_gross_profit"] = metrics.shown_unit(cols[-1], cur)
    print(f"{'product':<10}" + "".join(f"{heads[c]:>27}" for c in cols))
    for row in prod.itertuples():
        print(f"{row.product:<10}" + "".join(f"{format_value(getattr(row, c), c):>27}" for c in cols))
    print("\nWarnings")
    for w in warnings or ["none"]:
        print(f"- {w}" if warnings else "  none")


# --------------------------------------------------------------------------- comp optimise
def handle_optimise(args) -> int:
    sc = _scenario(args)
    params = [parse_param(t, sc) for t in args.params]
    workers = args.workers or min(default_workers(), args.replications)
    tty = sys.stderr.isatty() and not args.json

    def progress(i, row):
        if tty:
            print(f"\r  candidate {i}/{args.budget}: profit {_money(row['profit'])}"
                  f"{'' if row['feasible'] else ' (infeasible)'}   ", end="", file=sys.stderr)

    res = optimise_scheme(sc, params, replications=args.replications, seed=args.seed,
                          min_median_pay=args.min_median_pay, max_pay_cv=args.max_pay_cv,
                          max_p90_p10=args.max_p90_p10, method=args.method, budget=args.budget, workers=workers,
                          progress=progress)
    if tty:
        print(file=sys.stderr)
    if args.json:
        print(strict_json.dumps({"scenario": sc.name, "best": res.best, "profit": {"mean": res.profit,
                                 "low": res.profit_low, "high": res.profit_high}, "feasible": res.feasible,
                                 "figures": res.figures, "evaluations": res.evaluations, "seconds": res.seconds,
                                 "method": res.method, "replications": res.replications, "seed": res.seed}, indent=2))
    else:
        cur = sc.currency
        print(f"{sc.name}: scheme search ({res.method}), {res.replications} replications per candidate, seed {res.seed}")
        print(f"candidates evaluated: {res.evaluations} in {res.seconds:.1f} s")
        print(f"\nbest {'feasible ' if res.feasible else ''}candidate"
              f"{'' if res.feasible else ' (NO candidate met the constraints; least violating shown)'}:")
        for k, v in res.best.items():
            print(f"  {k} = {v:g}")
        print(f"  expected profit {_money(res.profit)} {cur}  [{_money(res.profit_low)}, {_money(res.profit_high)}]")
        f = res.figures
        print(f"  rep monthly pay: median {_money(f['median_pay'])} {cur}, cv {format_number(f['pay_cv'], 'ratio')}, "
              f"p90/p10 {format_number(f['p90_p10'], 'ratio')}")
        cols = [p.path for p in params] + ["profit", "median_pay", "pay_cv", "feasible"]
        top = res.history.sort_values("objective", ascending=False).head(5)[cols]
        print("\ntop candidates:")
        print(top.to_string(index=False, na_rep="n/a",
                            float_format=lambda v: "n/a" if v != v or abs(v) == float("inf") else
                            f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"))
    if args.out:
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        to_csv(res.history, out_dir / "candidates.csv", index=False)
        (out_dir / "best.toml").write_text(to_toml(res.scenario), encoding="utf-8")
        if not args.json:
            print(f"\nwrote candidates.csv and best.toml (the best scenario, ready for 'salessim run') to {args.out}/")
    return 0
