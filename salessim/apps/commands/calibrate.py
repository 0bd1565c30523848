"""``salessim calibrate EXPORT``: turn a CRM export into a scenario, backtest it, propose plans.

Reads the export (CSV in any delimiter and common encoding, or XLSX), validates every row
(printing the summary of reasons), fits the department, writes the scenario (``--out``) and
a report directory (``--report``): the validation table, the fitted parameters, the
backtest and holdout charts and scores, and plans per rep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from pathlib import Path

from salessim.apps.commands.common import add_formats_arg, check_out_dir, int_at_least, out_path, positive_int, seed_int
from salessim.calibration import calibrate
from salessim.calibration.bias import describe as describe_bias
from salessim.calibration.checks import AUTO, describe_results, plans_line
from salessim.calibration.presets import PRESETS, parse_map_flags
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
    g.add_argument("--mapping", metavar="F", help="a mapping file (TOML) naming the export's columns; it overrides "
                   "only what it names")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", default=None,
                   help="the column of one field, when detection gets it wrong (e.g. --map created=engage_date); "
                        "repeat for more; the other fields are still detected")
    p.add_argument("--sheet", metavar="NAME", default=None,
                   help="the workbook's sheet to read (default: the one whose header names known columns)")
    p.add_argument("--encoding", metavar="E", default=None,
                   help="the export's text encoding, when the detected one is wrong (e.g. cp1252, cp1251, utf-16)")
    p.add_argument("--no-merge-products", action="store_true",
                   help="keep product spellings that differ only in case, spaces or punctuation apart")
    p.add_argument("--out", metavar="SCENARIO.toml", type=out_path, required=True, help="where to write the calibrated scenario")
    p.add_argument("--report", metavar="DIR", type=out_path, required=True, help="report directory (tables, charts, scores)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE",
                   help="the export date (default: the latest date of the history, after stray rows are set aside)")
    p.add_argument("--months", type=int_at_least(1, 120), default=12, metavar="M", help="months of the next period (default 12)")
    p.add_argument("--recent-months", type=positive_int, default=3, metavar="K",
                   help="recent months whose rates and rep shares set the next period (default 3)")
    p.add_argument("--replications", "-n", type=positive_int, default=None, metavar="N",
                   help=f"replications for the backtest, holdout and plans (default: {AUTO['backtest']}, "
                        f"{AUTO['holdout']} and {AUTO['plans']}; the backtest's bands are prediction intervals, "
                        "honest for any number)")
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


def _n(x: float, spec: str = ".1f", missing: str = "n/a") -> str:
    """A number for the output, or ``missing`` when it is not finite (nothing printed is nan or inf)."""
    return format(x, spec) if x is not None and math.isfinite(x) else missing


def handle(args) -> int:
    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise UserError("expected a file name for the scenario, found a directory", source=args.out, field="--out")
    check_out_dir(str(out.parent), "--out")
    check_out_dir(args.report, "--report")
    if args.holdout_months < 0:
        raise UserError(f"expected 0 or more, got {args.holdout_months}", field="--holdout-months")
    columns = parse_map_flags(args.map)
    t0 = time.perf_counter()
    workers = args.workers or default_workers()
    cal = calibrate(args.export, teams=args.teams, products=args.products, activities=args.activities,
                    preset=args.preset, mapping=args.mapping, as_of=args.as_of, recent_months=args.recent_months,
                    anonymize=args.anonymize, encoding=args.encoding, columns=columns,
                    merge_products=not args.no_merge_products, sheet=args.sheet,
                    workers=workers)
    run = None
    if not args.no_backtest:
        # the replications start on the workers now; this process prints, writes and fits the holdout meanwhile
        run = cal.start_checks(n=args.replications, seed=args.seed, workers=workers,
                               holdout_months=args.holdout_months, plan_probability=args.plan_probability,
                               plan_months=args.plan_months)
    try:
        checks = _report(args, cal, run, out, t0)
    except BaseException:
        if run is not None:
            run.cancel()
        raise
    bias = cal.bias()
    from salessim.calibration.outputs import write_checks_report
    write_checks_report(cal, args.report, checks["scores"], scenario_path=out, backtest=checks["bt"],
                        holdout=checks["ho"], plans=checks["plans"], formats=args.formats, bias=bias,
                        written=checks["written"])
    print(f"\nreport written to {args.report}/ (validation_summary.csv, fitted parameters, charts, scores.json)")
    if len(bias):
        print("bias check: figures that move when the rejected rows are kept where possible "
              "(the rejections fall unevenly on won and lost deals):")
        for line in describe_bias(bias):
            print(f"  {line}")
    else:
        print("bias check: no figure moves by more than 5% when the rejected rows are kept where possible")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


def _report(args, cal, run, out: Path, t0: float) -> dict:
    """Print the reading and the fit, write the scenario and the fit's report, collect and print the checks."""
    v, f = cal.validated, cal.fit
    print(f"{cal.source_name}: {v.info['read']}")
    print(f"columns: {v.info['mapping']}")
    print(f"dates: {v.info['date_order']} ({v.info['date_order_reason']}); amounts: {v.info['decimal']}")
    print(f"export date: {v.info['export_date']} ({v.info['export_date_source']})")
    print(f"stages: {v.stage_map.describe()}")
    for note in v.info["read_notes"]:
        print(f"note: {note}")
    for note in v.info.get("date_notes", []):
        print(f"note: {note}")
    print()
    print(v.summary_text())
    print()
    cal.write_scenario(out, months=args.months)
    t_fit = time.perf_counter() - t0
    print(f"fitted in {t_fit:.1f} s; scenario written to {out}")
    tf = f.timing_fit
    print(f"  win rate {_n(f.overall_win_rate(), '.1%')} (export {_n(f.data_figures['win_rate'], '.1%')}); time to "
          f"close: {tf.family.replace('_', ' ')}, median {_n(tf.median_cycle())} working days for deals that "
          f"close, {_n(tf.stall, '.1%')} stall; closing-pace swing {_n(f.pace['sd'], '.2f')}")
    m = f.mood
    if m.get("months", 0) >= 3:
        print(f"  market's mood: the monthly won share swings with log-odds sd {_n(m['sd'], '.2f')} beyond chance "
              f"(90% interval {_n(m['low'], '.2f')}-{_n(m['high'], '.2f')}; chance alone {_n(m['sampling_sd'], '.2f')}"
              f"), month-to-month correlation {_n(m['persistence'], '.2f')}, over {m['months']} months")
    else:
        print(f"  market's mood: {m.get('note', 'not measured')}")
    print(f"  {f.timing_note}")
    for n in f.notes:
        print(f"  note: {n}")
    if run is not None:
        run.add_holdout()
    # the report writer brings matplotlib (0.4 s to import): loaded here, while the workers simulate
    from salessim.calibration.outputs import write_check_part, write_fit_report
    scores = write_fit_report(cal, args.report, formats=args.formats)
    res = {"scores": scores, "bt": None, "ho": None, "plans": None, "written": {}}
    if run is None:
        return res

    def write_part(kind: str, result) -> None:   # each check's tables and charts as soon as it is in
        res["written"][kind] = write_check_part(cal, args.report, kind, result, formats=args.formats)

    checks = run.collect(on_ready=write_part)
    res.update(bt=checks.backtest, ho=checks.holdout, plans=checks.plans)
    print(f"\nbacktest ({checks.backtest.replications} replications): {describe_results(checks.backtest)}")
    if checks.holdout is not None:
        print(f"holdout (forecast after {checks.holdout.cut}, {checks.holdout.replications} replications): "
              f"{describe_results(checks.holdout)}")
    elif args.holdout_months > 0:
        print(f"holdout: skipped (the history has only {len(f.months)} months)")
    print("  (band: 90% prediction interval of the replications; WAPE: sum of |simulated mean - actual| over "
          "the sum of actual, on active months)")
    print(plans_line(checks.plans))
    return res
