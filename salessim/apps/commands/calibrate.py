"""``salessim calibrate EXPORT``: turn a CRM export into a scenario, backtest it, propose plans.

Reads the export (CSV in any delimiter and common encoding, or XLSX), validates every row
(printing the summary of reasons), fits the department, writes the scenario (``--out``) and
a report directory (``--report``): the validation table, the fitted parameters, the
backtest and holdout charts and scores, and plans per rep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from salessim.apps.commands.common import add_formats_arg, check_out_dir, int_at_least, positive_int, seed_int
from salessim.calibration import calibrate
from salessim.calibration.outputs import write_report
from salessim.calibration.presets import PRESETS
from salessim.errors import UserError
from salessim.runs.replications import default_workers


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _probability(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability above 0 and below 1 (e.g. 0.7), got {text!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"expected a probability above 0 and below 1 (e.g. 0.7), got {text!r}")
    return v


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.add_argument("export", metavar="EXPORT", help="the deals/opportunities export (CSV or XLSX)")
    p.add_argument("--teams", metavar="F", help="teams table: rep, manager, region")
    p.add_argument("--products", metavar="F", help="price list: product, price[, group]")
    p.add_argument("--activities", metavar="F", help="activities table: rep, date, type (calls, meetings)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--preset", choices=sorted(PRESETS), metavar="NAME",
                   help=f"the export's CRM format ({', '.join(PRESETS)}); default: detect")
    g.add_argument("--mapping", metavar="F", help="a mapping file (TOML) naming the export's columns")
    p.add_argument("--encoding", metavar="E", default=None,
                   help="the export's text encoding, when the detected one is wrong (e.g. cp1252, cp1251, utf-16)")
    p.add_argument("--out", metavar="SCENARIO.toml", required=True, help="where to write the calibrated scenario")
    p.add_argument("--report", metavar="DIR", required=True, help="report directory (tables, charts, scores)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE",
                   help="the export date (default: the latest date in the export)")
    p.add_argument("--months", type=int_at_least(1, 120), default=12, metavar="M", help="months of the next period (default 12)")
    p.add_argument("--recent-months", type=positive_int, default=3, metavar="K",
                   help="recent months whose rates and rep shares set the next period (default 3)")
    p.add_argument("--replications", "-n", type=positive_int, default=20, metavar="N",
                   help="replications for the backtest, holdout and plans (default 20)")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S", help="master seed (default 0)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core)")
    p.add_argument("--holdout-months", type=int, default=3, metavar="H",
                   help="months held out for the forecast test (0 = none; default 3)")
    p.add_argument("--plan-probability", type=_probability, default=0.7, metavar="P",
                   help="plans are reached in this share of replications (default 0.7)")
    p.add_argument("--plan-months", type=positive_int, default=3, metavar="M", help="months to plan (default 3)")
    p.add_argument("--no-backtest", action="store_true", help="skip the backtest, holdout and plans (fit only)")
    p.add_argument("--anonymize", action="store_true", help="write reps and managers as rep01.., manager01..")
    add_formats_arg(p)


def handle(args) -> int:
    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise UserError("expected a file name for the scenario, found a directory", source=args.out, field="--out")
    check_out_dir(str(out.parent), "--out")
    check_out_dir(args.report, "--report")
    if args.holdout_months < 0:
        raise UserError(f"expected 0 or more, got {args.holdout_months}", field="--holdout-months")
    t0 = time.perf_counter()
    cal = calibrate(args.export, teams=args.teams, products=args.products, activities=args.activities,
                    preset=args.preset, mapping=args.mapping, as_of=args.as_of, recent_months=args.recent_months,
                    anonymize=args.anonymize, encoding=args.encoding)
    v, f = cal.validated, cal.fit
    print(f"{cal.source_name}: {v.info['read']}")
    print(f"columns: {v.info['mapping']}")
    print(f"dates: {v.info['date_order']} ({v.info['date_order_reason']}); amounts: {v.info['decimal']}")
    print(f"stages: {v.stage_map.describe()}")
    for note in v.info["read_notes"]:
        print(f"note: {note}")
    print()
    print(v.summary_text())
    print()
    cal.write_scenario(out, months=args.months)
    t_fit = time.perf_counter() - t0
    print(f"fitted in {t_fit:.1f} s; scenario written to {out}")
    tf = f.timing_fit
    print(f"  win rate {f.overall_win_rate():.1%} (export {f.data_figures['win_rate']:.1%}); time to close: "
          f"{tf.family.replace('_', ' ')}, median {tf.median_cycle():.1f} working days for deals that "
          f"close, {tf.stall:.1%} stall; closing-pace swing {f.pace['sd']:.2f}")
    m = f.mood
    if m.get("months", 0) >= 3:
        print(f"  market's mood: the monthly won share swings with log-odds sd {m['sd']:.2f} beyond chance "
              f"(90% interval {m['low']:.2f}-{m['high']:.2f}; chance alone {m['sampling_sd']:.2f}), month-to-month "
              f"correlation {m['persistence']:.2f}, over {m['months']} months")
    else:
        print(f"  market's mood: {m.get('note', 'not measured')}")
    print(f"  {f.timing_note}")
    for n in f.notes:
        print(f"  note: {n}")
    bt = ho = plans = None
    if not args.no_backtest:
        workers = args.workers or min(default_workers(), args.replications)
        print(f"\nbacktest: {args.replications} replications of the history ...", file=sys.stderr)
        bt = cal.backtest(n=args.replications, seed=args.seed, workers=workers)
        _print_scores("backtest", bt)
        months = [m for m in f.months]
        if args.holdout_months > 0 and len(months) >= args.holdout_months + 4:
            print(f"holdout: fitting without the last {args.holdout_months} months ...", file=sys.stderr)
            ho = cal.holdout(months_out=args.holdout_months, n=args.replications, seed=args.seed, workers=workers)
            _print_scores(f"holdout (forecast after {ho.cut})", ho)
        elif args.holdout_months > 0:
            print(f"holdout: skipped (the history has only {len(months)} months)")
        print("plans ...", file=sys.stderr)
        plans = cal.plans(probability=args.plan_probability, months=args.plan_months, n=args.replications,
                          seed=args.seed, workers=workers)
        ps = plans.summary()
        print(f"plans at {args.plan_probability:.0%} attainment: department total {ps['department_plan_total']:,.0f} "
              f"per month; reps at plan in a month: mean {ps['attainment_rate_mean']:.0%} "
              f"(10-90% {ps['attainment_rate_p10']:.0%}-{ps['attainment_rate_p90']:.0%})")
    write_report(cal, args.report, scenario_path=out, backtest=bt, holdout=ho, plans=plans, formats=args.formats)
    print(f"\nreport written to {args.report}/ (validation_summary.csv, fitted parameters, charts, scores.json)")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


def _print_scores(title: str, res) -> None:
    parts = []
    for r in res.scores.itertuples():
        parts.append(f"{r.metric.replace('_', ' ')}: {r.coverage:.0%} of {r.months_scored} months in the "
                     f"{res.level:.0%} band, MAPE {r.mape_pct:.0f}%")
    print(f"{title}: " + "; ".join(parts))
