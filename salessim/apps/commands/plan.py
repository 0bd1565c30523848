"""``salessim plan SCENARIO``: propose monthly plans per rep that a chosen share of replications reach.

Works on any scenario (a calibrated one, or one you edited). Prints each rep's plan per
month, checks the plans on fresh replications, and writes plans.csv, the pace curve and
the attainment-rate chart to ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from salessim.apps.commands.calibrate import _probability
from salessim.apps.commands.common import (
    add_formats_arg,
    add_scenario_args,
    check_out_dir,
    load_from_args,
    out_path,
    positive_int,
    seed_int,
)
from salessim.calibration.charts import attainment_chart, pace_chart
from salessim.calibration.plans import propose_plans
from salessim.runs.replications import default_workers
from salessim.views.exports import to_csv
from salessim.views.style import save

#: Fewer replications than this give plans marked as rough (plans need at least 3: one is left out to check).
FEW_FOR_PLANS = 20


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    add_scenario_args(p)
    p.add_argument("--probability", type=_probability, default=0.7, metavar="P",
                   help="share of replications that reach the plan (default 0.7)")
    p.add_argument("--months", type=positive_int, default=3, metavar="M", help="months to plan (default 3)")
    p.add_argument("--replications", "-n", type=positive_int, default=40, metavar="N",
                   help="replications to set the plans, and as many to check them (default 40)")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S", help="master seed (default 0)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core)")
    p.add_argument("--out", metavar="DIR", type=out_path, default=None, help="write plans.csv, pace_curve.png, attainment.png here")
    add_formats_arg(p)


def handle(args) -> int:
    sc = load_from_args(args, {"calendar.months": args.months})
    if args.out:
        check_out_dir(args.out)
    workers = args.workers or min(default_workers(), args.replications)
    plans = propose_plans(sc, probability=args.probability, n=args.replications, seed=args.seed, workers=workers)
    table = plans.plans.pivot(index="rep", columns="month", values="plan")
    print(f"{sc.name}: monthly plans per rep reached in {args.probability:.0%} of {args.replications} replications "
          f"({sc.currency})")
    if args.replications < FEW_FOR_PLANS:
        print(f"note: {args.replications} replications set rough plans (each is the {1 - args.probability:.0%} "
              f"quantile of {args.replications} values, checked on {args.replications - 1} at a time); use "
              f"{FEW_FOR_PLANS} or more (default 40)")
    print(table.to_string(float_format=lambda v: f"{v:,.0f}"))
    s = plans.summary()
    print(f"\nchecked on {args.replications} fresh replications: reps reach their plan "
          f"{s['mean_rep_attainment_probability']:.0%} of the time; reps at plan in a month: mean "
          f"{s['attainment_rate_mean']:.0%} (10-90% {s['attainment_rate_p10']:.0%}-{s['attainment_rate_p90']:.0%})")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        to_csv(plans.plans, out / "plans.csv", index=False)
        to_csv(plans.attainment, out / "plan_attainment.csv", index=False)
        to_csv(plans.pace, out / "pace_curve.csv", index=False)
        save(pace_chart(plans.pace, plans.probability), out / "pace_curve", args.formats)
        save(attainment_chart(plans.attainment, plans.probability), out / "attainment", args.formats)
        print(f"wrote plans.csv, pace_curve.png, attainment.png to {out}/")
    return 0
