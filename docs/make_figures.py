"""Regenerate the README's figures and its table of built-in scenarios.

    .venv/bin/python docs/make_figures.py

Writes docs/images/*.png and prints the markdown table to paste into the README. Uses 10
paired replications per scenario (seed 7), like the functional tests. The "rests on" column is
measured: for each built-in that carries the documents' claim, the robustness check
(:mod:`salessim.analyses.robustness`, seed 7) names the assumptions that turn it within their
plausible range and the share of the plausible space in which it holds. Also prints what
doubling the team under one head costs (salaries and all costs, against the baseline).
"""

from __future__ import annotations

from pathlib import Path

import salessim as ss
from salessim.analyses.horizons import horizons
from salessim.analyses.robustness import robustness
from salessim.views import charts, style

OUT = Path(__file__).parent / "images"
N, SEED = 10, 7
ROWS = [
    ("baseline (1 head + 7 reps)", "baseline"),
    ("1 head + 15 reps", "double_headcount_one_supervisor"),
    ("2 heads + 15 reps", "double_headcount_two_supervisors"),
    ("raise deal size (training)", "raise_deal_size"),
    ("new product group B", "new_product_group"),
    ("B forced on reps", "new_product_group_forced"),
]


def main() -> None:
    runs = {name: ss.replicate(name, n=N, seed=SEED, workers=2) for _, name in ROWS}
    base = runs["baseline"]
    style.save(charts.band_chart(
        {"revenue": base.monthly_band("revenue", table="pnl"), "profit": base.monthly_band("profit", table="pnl")},
        "baseline: what will revenue and profit be, month by month?", "revenue and profit", currency="USD", n=N,
        seed=SEED, unit="USD per month"),
        OUT / "baseline_revenue_profit", formats=("png",))
    bands = {label: runs[name].monthly_band("revenue", table="pnl") for label, name in ROWS[:3]}
    style.save(charts.band_chart(bands, "Double the team: one head of sales or two?", "revenue",
                                 currency="USD", n=N, seed=SEED, unit="USD per month"),
               OUT / "headcount_revenue", formats=("png",))
    rests = {}
    for _, name in ROWS[1:]:
        if ss.load_scenario(name).claim is not None:
            rob = robustness("baseline", name, seed=SEED, workers=2)
            turned = [f"{f.parameter} ({f.provenance}) {f.side} {f.flips_at:.3g}" for f in rob.flips]
            turned += [f"{p} (turns it; where, not located)" for p in rob.unlocated]
            rests[name] = (f"'{rob.claim.text}': holds in {rob.holds_share:.0%} of the plausible space; turned by "
                           + ("; ".join(turned) if turned else "no single assumption"))
    print("| scenario | meetings per rep-month | deals won | revenue | profit | key clients lost | rests on |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, name in ROWS:
        s = runs[name].summary()["mean"]
        print(f"| {label} | {s['meetings_per_rep_month']:.1f} | {s['won_deals']:.0f} | {s['revenue'] / 1e6:.2f}M "
              f"| {s['profit'] / 1e6:.2f}M | {s['key_clients_lost_share']:.0%} | {rests.get(name, '')} |")
    a, b = base.pnl(), runs["double_headcount_one_supervisor"].pnl()
    costs = ["salaries", "variable_pay", "payroll_tax", "overhead", "training", "inventory_carrying"]
    h = horizons("baseline", "double_headcount_two_supervisors", n=N, seed=SEED, workers=2)
    print(" ".join(h.sentences("profit")))
    print(f"1 head + 15 reps against the baseline: salaries x{b['salaries'].sum() / a['salaries'].sum():.2f}, "
          f"all costs x{b[costs].sum().sum() / a[costs].sum().sum():.2f} (means of {N} replications, seed {SEED})")


if __name__ == "__main__":
    main()
