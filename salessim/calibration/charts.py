"""Charts of a calibration: backtest, holdout, time to close, pace curve, attainment rate.

Same house style as :mod:`salessim.views.charts`: a title that states the question, labelled
axes with units, and a caption that explains the band.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from salessim.calibration.backtest import LABELS, METRICS, BacktestResult
from salessim.calibration.survival import kaplan_meier
from salessim.views.charts import BAND_ALPHA, PALETTE, axis_label, finish, money, month_tick, plt, style


def backtest_chart(bt: BacktestResult, title: str, currency: str = ""):
    """Three panels (new deals, won deals, won revenue): actual months against the simulated band."""
    style()
    fig, axes = plt.subplots(3, 1, figsize=(9, 9.5), sharex=True)
    for ax, metric in zip(axes, METRICS):
        d = bt.monthly[bt.monthly["metric"] == metric].reset_index(drop=True)
        x = np.arange(len(d))
        ax.fill_between(x, d["low"], d["high"], color=PALETTE[0], alpha=BAND_ALPHA, lw=0,
                        label=f"simulated, middle {bt.level:.0%}")
        ax.plot(x, d["mean"], color=PALETTE[0], lw=2, label="simulated mean")
        sc = d["scored"].to_numpy()
        ax.plot(x[sc], d["actual"][sc], "o", color=PALETTE[1], label="actual (scored)")
        if (~sc).any():
            ax.plot(x[~sc], d["actual"][~sc], "o", mfc="white", color=PALETTE[1], label="actual (not scored)")
        if bt.cut is not None:
            i = list(d["month"]).index(bt.cut)
            ax.axvline(i + 0.5, color="#555555", ls="--", lw=1)
            ax.text(i + 0.55, ax.get_ylim()[1] * 0.95, "forecast ->", fontsize=8, va="top")
        s = bt.scores.set_index("metric").loc[metric]
        if int(s["months_scored"]):
            wape = f", WAPE {s['wape_pct']:.0f}%" if np.isfinite(s["wape_pct"]) else ""
            ax.set_title(f"{LABELS[metric]}: coverage {s['coverage']:.0%} of {int(s['months_scored'])} active months"
                         f"{wape}", fontsize=10)
        else:
            ax.set_title(f"{LABELS[metric]}: no active month to score", fontsize=10)
        short = LABELS[metric].split(" (")[0]
        ax.set_ylabel(axis_label(short, f"{currency or 'currency units'} per month") if metric == "won_revenue"
                      else axis_label(short, "deals per month"))
        if metric == "won_revenue":
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(money))
        ax.set_xticks(x, [month_tick(m) for m in d["month"]], fontsize=8)
    axes[0].legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel("month (month and year)")
    fig.suptitle(title, fontweight="bold")
    finish(fig, f"Band: {bt.level:.0%} prediction interval from {bt.replications} replications each month; line: "
                "their mean; dots: the export. Coverage: share of active months inside the band. WAPE: sum of "
                "|mean - actual| over the sum of actual.", top=0.97)
    return fig


def time_to_close_chart(fit):
    """Share of deals closed by day: Kaplan-Meier from the export against the fitted families."""
    style()
    fig, ax = plt.subplots()
    pooled = fit.time_fits[0]
    d = fit.time_data
    t, s = kaplan_meier(d["closed"], d["open"])
    ax.step(t, 1 - s, where="post", color="black", lw=1.5, label="export (Kaplan-Meier, open deals censored)")
    for f, color in zip(fit.time_fits, PALETTE):
        tt = np.arange(len(t), dtype=float)
        ax.plot(tt, (1 - f.stall) * (1 - f.sf(tt)), color=color, lw=1.5 if f is pooled else 1,
                ls="-" if f is pooled else "--",
                label=f"{f.family.replace('_', ' ')} (AIC {f.aic:,.0f}, stalled {f.stall:.0%})")
    if fit.two_stage is not None:
        tt = np.arange(len(t), dtype=float)
        ts = fit.two_stage
        ax.plot(tt, (1 - ts.stall) * (1 - ts.sf(tt)), color="black", ls=":", lw=1.5 if fit.timing == "two_stage" else 1,
                label=f"two stages: early loss point, then the close (AIC {ts.aic:,.0f})")
    ax.set_xlabel(axis_label("time since the deal was created", "working days"))
    ax.set_ylabel(axis_label("deals closed, won or lost", "share, 0-1"))
    ax.set_title("How fast do deals close?")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="lower right")
    finish(fig, "Black: the export's own estimate; lines: fitted families (solid: chosen by AIC). The curves level "
                "off below 1 by the share of deals that stall and never close.")
    return fig


def pace_chart(pace: pd.DataFrame, probability: float):
    """The pace curve a plan implies: plan completion to date by working day."""
    style()
    fig, ax = plt.subplots()
    if pace.empty:
        ax.text(0.5, 0.5, "no rep has a plan above zero: too few won deals", ha="center", transform=ax.transAxes)
        ax.set_title("What pace does a plan imply?")
        ax.set_xlabel(axis_label("day of the month", "working days"))
        ax.set_ylabel(axis_label("pace: fact to date / plan to date", "%"))
        finish(fig, "No curve: no rep has a plan above zero.")
        return fig
    ax.fill_between(pace["working_day"], pace["pace_p10"], pace["pace_p90"], color=PALETTE[0], alpha=BAND_ALPHA,
                    lw=0, label="10-90% of rep-months")
    ax.plot(pace["working_day"], pace["pace_median"], color=PALETTE[0], lw=2, label="median")
    ax.axhline(100, color=PALETTE[1], ls="--", lw=1, label="on pace (100%)")
    ax.set_xlabel(axis_label("day of the month", "working days"))
    ax.set_ylabel(axis_label("pace: fact to date / plan to date", "%"))
    ax.set_title(f"What pace does a plan reached {probability:.0%} of the time imply?")
    ax.set_ylim(0, max(250, float(np.nanmax(pace["pace_p90"].clip(upper=400))) * 1.05))
    ax.legend(fontsize=8)
    finish(fig, "Line: the median over rep-months; band: from the 10th to the 90th percentile. Pace % = fact to "
                "date / (monthly plan / working days x days elapsed) x 100, per rep and month in fresh replications. "
                "Early in a month pace is noisy: on most days a rep closes nothing, so the median starts low and a "
                "few deals swing it.")
    return fig


def attainment_chart(attainment: pd.DataFrame, probability: float):
    """Distribution of the share of reps at plan in a month."""
    style()
    fig, ax = plt.subplots()
    x = attainment["reps_at_plan_share"].dropna() * 100
    if x.empty:
        ax.text(0.5, 0.5, "no rep has a plan above zero: too few won deals", ha="center", transform=ax.transAxes)
        ax.set_title("How many reps reach their plan in a month?")
        ax.set_xlabel(axis_label("reps at plan in a month", "%"))
        ax.set_ylabel(axis_label("months x replications", "count"))
        finish(fig, "No bars: no rep has a plan above zero.")
        return fig
    ax.hist(x, bins=np.linspace(0, 100, 21), color=PALETTE[0], alpha=0.8)
    ax.axvline(probability * 100, color=PALETTE[1], ls="--", lw=1.5, label=f"target {probability:.0%}")
    ax.axvline(x.mean(), color="black", lw=1.5, label=f"mean {x.mean():.0f}%")
    ax.set_xlabel(axis_label("reps at plan in a month", "%"))
    ax.set_ylabel(axis_label("months x replications", "count"))
    ax.set_title("How many reps reach their plan in a month?")
    ax.legend(fontsize=8)
    finish(fig, "Bars: how many months (of all replications) had that share of reps at plan; each count is one "
                "month of one replication. Reps share the market and the month's closing pace, so the share at plan "
                "swings more than it would for independent reps.")
    return fig
