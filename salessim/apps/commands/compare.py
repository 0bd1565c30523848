"""``salessim compare BASE VARIANT...``: paired comparison with common random numbers.

Every scenario runs the same replications of the same seed; the table gives each KPI's
means, the paired difference (variant - base) with its 95% interval, the probability that
the variant's mean is better, the share of replications it wins, and a verdict.
``--precision P`` adds replications until the main KPI's interval is within P% of the base.

``--robust`` then checks the verdict across the plausible values of the assumptions it rests
on (``salessim show SCENARIO --assumptions`` lists them): the share of the plausible space in
which it holds, the assumptions that turn it and where, and those that do not matter. The
verdict checked is ``--claim`` if given, else the claim the variant carries from the source
documents (against this base), else the sign of the main KPI's difference.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from salessim.analyses.compare import Comparison, compare
from salessim.analyses.horizons import DEFAULT_HORIZONS, Horizons
from salessim.analyses.robustness import Claim, robustness
from salessim.apps.commands.common import horizons_arg
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
from salessim.results.metrics import format_number, format_value
from salessim.runs.experiment import check_metrics
from salessim.scenarios.files import load_scenario
from salessim.views.experiment_charts import comparison_charts
from salessim.views.exports import to_csv
from salessim.views.formats import DEFAULT_FORMATS


def _percent(text: str) -> float:
    t = text.strip().rstrip("%")
    try:
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage such as 2 or 2%, got {text!r}") from None
    if not (0 < v <= 100):
        raise argparse.ArgumentTypeError(f"expected a percentage above 0 and at most 100, got {text!r}")
    return v


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("base", metavar="BASE", help="the scenario to compare against (built-in name or .toml file)")
    p.add_argument("variants", metavar="VARIANT", nargs="+", help="one or more alternative scenarios")
    add_common(p, default_n=20)
    p.add_argument("--precision", type=_percent, default=None, metavar="P",
                   help="add replications until the main KPI's 95%% half-width is within P%% of the base mean "
                        "(replaces --replications)")
    p.add_argument("--main-kpi", default="profit", metavar="KPI", help="KPI of the verdict and of --precision "
                   "(default profit)")
    p.add_argument("--kpis", type=list_arg, default=None, metavar="A,B,...", help="KPIs to report (default: headline)")
    p.add_argument("--pilot", type=positive3, default=10, metavar="N",
                   help="first replications of --precision (default 10)")
    p.add_argument("--max-replications", type=positive3, default=500, metavar="N",
                   help="most replications --precision may use (default 500)")
    p.add_argument("--no-crn", dest="crn", action="store_false",
                   help="give every variant its own seed (to see what common random numbers gain)")
    p.add_argument("--horizons", type=horizons_arg, default=DEFAULT_HORIZONS, metavar="M,M,...",
                   help="also answer over these horizons in months, with the month each variant pays back "
                        "(default 12,24,36; 'none' to skip)")
    p.add_argument("--robust", action="store_true",
                   help="check the verdict across the plausible values of the assumptions it rests on (one variant)")
    p.add_argument("--claim", default=None, metavar="TEXT", type=_claim,
                   help="with --robust: the verdict to check, e.g. 'revenue < 0', 'revenue > +100%%' (of the base) "
                        "or 'key_clients_lost_share > 0.3 level' (default: the variant's documented claim, else the "
                        "main KPI's sign)")


def _claim(text: str) -> Claim:
    try:
        return Claim.parse(text)
    except UserError as e:
        raise argparse.ArgumentTypeError(e.message) from None


def positive3(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 3, got {text!r}") from None
    if v < 3:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 3, got {text!r}")
    return v


def handle(args) -> int:
    kw = runner_kwargs(args)
    if args.robust and len(args.variants) != 1:
        raise UserError("--robust checks one comparison: give one VARIANT", field="--robust")
    if args.claim is not None and not args.robust:
        raise UserError("--claim says which verdict --robust checks: add --robust", field="--claim")
    if args.kpis:  # before anything runs
        check_metrics(args.kpis, [load_scenario(s, overrides(args)) for s in [args.base, *args.variants]], "--kpis")
    started = time.perf_counter()
    with interrupt_hint(kw["store"]):
        cmp = compare(args.base, args.variants, n=args.replications, seed=args.seed, precision=args.precision,
                      main_kpi=args.main_kpi, crn=args.crn, pilot=args.pilot,
                      max_replications=args.max_replications, overrides=overrides(args),
                      horizons=args.horizons or None, **kw)
    say(args, runs_note(cmp, kw, time.perf_counter() - started))
    for note in cmp.notes:
        say(args, note)
    kpis = args.kpis
    if kpis:
        cmp.differences(kpis)  # unknown KPI -> clear error before printing anything
    rob = None
    if args.robust:
        rob = robustness(args.base, args.variants[0], claim=args.claim, main_kpi=args.main_kpi, seed=args.seed,
                         overrides=overrides(args), workers=kw["workers"], scheduler=kw["scheduler"],
                         progress=kw["progress"])
        say(args, f"robustness: {len(rob.factors)} assumptions varied, {rob.runs} runs in {rob.seconds:.1f} s")
    if args.json:
        out = cmp.to_json(kpis)
        if rob is not None:
            out["robustness"] = rob.to_json()
        print(strict_json.dumps(out, indent=2))
    else:
        print_report(cmp, kpis)
        if rob is not None:
            print("\nWhat the verdict rests on (the scenarios' assumptions varied over their plausible ranges):")
            for line in rob.sentences():
                print(f"  {line}")
    if args.out:
        files = write_outputs(cmp, Path(args.out), kpis, formats=args.formats)
        say(args, f"wrote {len(files)} files to {args.out}/")
    return 0


def print_report(cmp: Comparison, kpis=None) -> None:
    pairing = "common random numbers" if cmp.crn else "independent seeds"
    print(f"{cmp.base} vs {', '.join(cmp.variants)}: {cmp.n} replications each ({pairing}), seed {cmp.seed}")
    if cmp.precision is not None:
        steps = " -> ".join(str(n) for n, _ in cmp.history)
        worst = cmp.history[-1][1]
        state = "reached" if cmp.converged else "NOT reached (stopped at --max-replications)"
        print(f"precision: 95% half-width of the {cmp.main_kpi} difference within {cmp.precision:g}% of the base "
              f"mean {state} with {cmp.n} replications (half-width {format_number(worst, 'ratio')}%; replications tried: {steps})")
    d = cmp.differences(kpis)
    width = max(24, *(len(metrics.label(k)) + 2 for k in d["kpi"]))
    for v in cmp.variants:
        print(f"\n{v} - {cmp.base}")
        print(f"{'KPI (whole period)':<{width}}{'base':>13}{'variant':>13}{'difference':>13}   {'95% interval':<28}"
              f"{'P(better)':>10}{'wins':>6}  verdict")
        for row in d[d["variant"] == v].itertuples():
            k = row.kpi
            interval = f"[{format_value(row.low, k, signed=True)}, {format_value(row.high, k, signed=True)}]"
            p = "n/a" if row.p_better != row.p_better else _p(row.p_better)
            w = "n/a" if row.win_share != row.win_share else f"{row.win_share:.0%}"
            print(f"{metrics.label(k):<{width}}{format_value(row.base_mean, k):>13}"
                  f"{format_value(row.variant_mean, k):>13}{format_value(row.diff, k, signed=True):>13}   "
                  f"{interval:<28}{p:>10}{w:>6}  {row.verdict}")
    print(f"\nMoney in {cmp.currency}; shares and percentages in %, their differences in percentage points (pts). "
          "P(better): Student-t probability that the variant's mean is better (the KPI's good direction); "
          "wins: share of paired replications in which the variant did better.")
    if cmp.crn:
        main = cmp.differences([cmp.main_kpi])
        gains = [f"{_gain(r.pairing_gain)} ({r.variant})" for r in main.itertuples()
                 if r.pairing_gain == r.pairing_gain]
        if gains:
            print(f"pairing: the variance of the {cmp.main_kpi} difference is smaller than with independent runs by "
                  f"{', '.join(gains)}, measured as (Var A + Var B) / Var(B - A); independent runs would need that "
                  f"many times more replications for the same interval.")
    for v, h in cmp.horizons.items():
        print_horizons(h)
    print()
    for sentence in cmp.verdicts().values():
        print(f"verdict: {sentence}")


def print_horizons(h: Horizons) -> None:
    """The answer over each horizon (cumulative totals) and the payback month."""
    print(f"\n{h.variant} - {h.base} over time: the difference in totals from the first month, with 95% intervals "
          f"(money in {h.currency}; {h.n} paired replications of {h.horizons[-1]}-month runs, seed {h.seed})")
    head = "".join(f"{f'{m} months':>36}" for m in h.horizons)
    width = max(len(metrics.label(k)) for k in h.table["kpi"]) + 2
    print(f"{'KPI':<{width}}{head}")
    for kpi, rows in h.table.groupby("kpi", sort=False):
        cells = []
        for r in rows.itertuples():
            cell = (f"{format_value(r.diff, kpi, signed=True)} "
                    f"[{format_value(r.low, kpi, signed=True)}, {format_value(r.high, kpi, signed=True)}]")
            cells.append(f"{cell:>36}")
        print(f"{metrics.label(kpi):<{width}}{''.join(cells)}")
    if h.payback is not None:
        print(h.payback.sentence(list(h.cumulative["label"])).capitalize() + ".")


def _gain(g: float) -> str:
    return ">1,000x" if g > 1000 else f"{g:.1f}x"


def _p(p: float) -> str:
    if p > 0.999:
        return ">99.9%"
    if p < 0.001:
        return "<0.1%"
    return f"{p:.1%}"


def write_outputs(cmp: Comparison, out: Path, kpis=None, formats=DEFAULT_FORMATS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    tables = {"differences": cmp.differences(kpis), "means": cmp.means(kpis)}
    for name, df in tables.items():
        f = out / f"{name}.csv"
        to_csv(df, f, index=False)
        files.append(f)
    f = out / "per_replication.parquet"
    cmp.table.to_parquet(f, index=False)
    files.append(f)
    f = out / "per_replication.csv"
    to_csv(cmp.table, f, index=False)
    files.append(f)
    f = out / "comparison.json"
    f.write_text(strict_json.dumps(cmp.to_json(kpis), indent=2))
    files.append(f)
    files += comparison_charts(cmp, out, formats)
    return files
