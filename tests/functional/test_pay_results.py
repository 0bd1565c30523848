"""Payroll, P&L and the ``salessim comp`` command (report and scheme search)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import salessim as ss
from salessim.analyses.scheme_search import Param, evaluate, optimise_scheme
from salessim.cli import main
from salessim.results import metrics
from salessim.scenarios.files import apply_scheme

SHORT = {"calendar.months": 3}


@pytest.fixture(scope="module")
def runs():
    out = {}
    for name in ("baseline", "lead_handoff_operator", "commission_draw_new_hires"):
        out[name] = ss.simulate(ss.with_overrides(ss.load_scenario(name), SHORT), seed=3, record_events=False)
    sc = apply_scheme(ss.with_overrides(ss.load_scenario("baseline"), SHORT), "team_override")
    out["team_override"] = ss.simulate(sc, seed=3, record_events=False)
    sc = apply_scheme(ss.with_overrides(ss.load_scenario("baseline"), SHORT), "bonus_and_contest")
    out["bonus_and_contest"] = ss.simulate(sc, seed=3, record_events=False)
    return out


@pytest.mark.parametrize("name", ["baseline", "lead_handoff_operator", "commission_draw_new_hires", "team_override",
                                  "bonus_and_contest"])
def test_payroll_adds_up_to_the_pnl(runs, name):
    res = runs[name]
    pnl = res.pnl()
    pr = res.payroll()
    by_month = pr.groupby("month", sort=False)["amount"].sum().reindex(pnl["month"]).to_numpy()
    np.testing.assert_allclose(by_month, (pnl["salaries"] + pnl["variable_pay"]).to_numpy(), rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(pnl["variable_pay"], pnl["commissions"] + pnl["bonuses"], rtol=1e-12)
    salaries = pr[pr["part"] == "salary"].groupby("month", sort=False)["amount"].sum().reindex(pnl["month"])
    np.testing.assert_allclose(salaries.to_numpy(), pnl["salaries"].to_numpy(), rtol=1e-12)
    profit = (pnl["gross_margin"] - pnl["salaries"] - pnl["variable_pay"] - pnl["payroll_tax"] - pnl["overhead"]
              - pnl["training"] - pnl["inventory_carrying"])
    np.testing.assert_allclose(pnl["profit"], profit, rtol=1e-12)
    # the reps' rows of payroll are the pay columns of rep_monthly
    rm = res.rep_monthly()
    reps = pr[pr["role"] == "rep"].groupby(["month", "person"], sort=False)["amount"].sum()
    np.testing.assert_allclose(reps.reindex(pd.MultiIndex.from_frame(rm[["month", "rep"]])).to_numpy(),
                               rm["pay_total"].to_numpy(), rtol=1e-12)


def test_roles_parts_and_headcount(runs):
    pr = runs["lead_handoff_operator"].payroll()
    assert set(pr["role"]) == {"rep", "supervisor", "operator"}
    assert set(pr.loc[pr["role"] == "operator", "part"]) == {"salary", "handoff_fee", "handoff_share"}
    base = runs["baseline"].pnl()["headcount"]
    np.testing.assert_allclose(runs["lead_handoff_operator"].pnl()["headcount"] - base, 1.0, atol=0.2)
    over = runs["team_override"].payroll()
    assert (over.loc[(over["role"] == "supervisor") & (over["part"] == "override"), "amount"] >= 0).all()
    assert over.loc[over["part"] == "override", "amount"].sum() > 0
    bonus = runs["bonus_and_contest"].pnl()
    assert bonus["bonuses"].sum() > 0
    # one contest prize a month, shared by ties: prize + a day's salary of the winner(s)
    contest = runs["bonus_and_contest"].payroll().query("part == 'contest'").groupby("month")["amount"].sum()
    assert ((contest >= 300.0) & (contest <= 300.0 + 2 * 3000.0 / 19)).all(), contest


def test_draw_scenario_reports_the_draw_and_what_is_still_owed(runs):
    res = runs["commission_draw_new_hires"]
    rm = res.rep_monthly()
    hires = rm[rm["rep"].str.startswith("hire")]
    assert (hires["pay_draw"] > 0).any()
    assert (rm.loc[rm["rep"].str.startswith("rep"), "pay_draw"] == 0).all()
    summ = res.summary()
    bd = res.pay_breakdown()
    assert summ["draw_outstanding"] == pytest.approx(bd.draw_balance.sum())
    assert summ["draw_outstanding"] == pytest.approx(bd.rep["draw"].sum() + bd.draw_written_off.sum())


def test_commission_by_product_and_the_pct_of_gross_profit(runs):
    res = runs["baseline"]
    by = res.pnl_by_product()
    assert set(by.columns) >= {"month", "product", "revenue", "gross_margin", "commission",
                               "commission_pct_of_gross_profit"}
    total = by[["commission", "gross_margin"]].sum()
    assert total["commission"] / total["gross_margin"] == pytest.approx(0.25, rel=1e-9)
    assert res.summary()["commission_pct_of_gross_profit_A"] == pytest.approx(25.0, rel=1e-9)
    assert res.pay_warnings() == []


# --------------------------------------------------------------------------- the CLI report
def test_comp_prints_pay_distribution_pnl_and_warnings(capsys):
    assert main(["comp", "new_product_group_commission_5x", "-n", "2", "--months", "2", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    lines = [metrics.label(k) for k in ("gross_margin", "commissions", "overhead", "inventory_carrying", "profit",
                                         "cost_of_sales_pct", "commission_pct_of_gross_profit")]
    for fragment in ("Monthly pay per person", "median", "p10", "p90", "all reps", "P&L over the period", *lines,
                     "% of revenue", "% of gross margin", "By product", "Warnings",
                     "product B: the scheme pays 125% of its gross margin"):
        assert fragment in out, fragment
    rows = [line for line in out.splitlines() if line.startswith("rep0")]
    assert len(rows) == 7


def test_comp_json_and_outputs(tmp_path, capsys):
    out_dir = tmp_path / "o"
    assert main(["comp", "baseline", "--scheme", "bonus_and_contest", "-n", "2", "--months", "2", "--workers", "1",
                 "--json", "--out", str(out_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"pay", "pnl", "products", "warnings"}
    assert {"median", "p10", "p90"} <= set(data["pay"][0])
    assert data["pnl"]["profit"]["low"] <= data["pnl"]["profit"]["mean"] <= data["pnl"]["profit"]["high"]
    for f in ("pay_distribution.csv", "pnl_summary.csv", "products.csv", "payroll.csv", "pnl_monthly.csv"):
        assert (out_dir / f).stat().st_size > 0, f
    payroll = pd.read_csv(out_dir / "payroll.csv")
    assert {"bonus_calls", "bonus_new_clients", "bonus_returning", "contest", "commission"} <= set(payroll["part"])


def test_pay_distribution_quantiles_match_the_payroll(capsys):
    from salessim.analyses.pay_summary import pay_distribution

    reps = ss.replicate(ss.with_overrides(ss.load_scenario("baseline"), {"calendar.months": 2}), n=2, seed=1)
    dist = pay_distribution(reps).set_index("person")
    pr = pd.concat([r.payroll().assign(replication=r.replication) for r in reps.results])
    rep01 = pr[pr["person"] == "rep01"].groupby(["replication", "month"])["amount"].sum().to_numpy()
    assert dist.loc["rep01", "median"] == pytest.approx(np.median(rep01))
    assert dist.loc["rep01", "p10"] == pytest.approx(np.quantile(rep01, 0.1))
    assert dist.loc["rep01", "p90"] == pytest.approx(np.quantile(rep01, 0.9))
    assert dist.loc["head", "variable_share"] == 0.0


# --------------------------------------------------------------------------- scheme search
@pytest.fixture(scope="module")
def small():
    return ss.with_overrides(ss.load_scenario("new_product_group"), {"calendar.months": 2, "calendar.warmup_months": 1})


def test_evaluation_uses_common_random_numbers(small):
    a = evaluate(small, 2, seed=5)
    b = evaluate(small, 2, seed=5)
    assert a == b
    # a scheme paying more on B changes what reps do or what they are paid (clients pay 10 working days
    # after signing: immediate payment keeps this two-month search small)
    paid_now = ss.with_overrides(small, {"back_office.payment_delay_days": 0.0})
    a = evaluate(paid_now, 2, seed=5)
    c = evaluate(ss.with_overrides(paid_now, {"pay.components.0.rates.B": 0.6}), 2, seed=5)
    assert c["revenue"] != a["revenue"] or c["variable_pay"] != a["variable_pay"]


def test_search_respects_budget_bounds_and_constraints(small):
    res = optimise_scheme(small, ["pay.components.0.rates.A=0.05:0.40"], replications=2, seed=5, method="grid",
                          budget=4, min_median_pay=5000.0)
    h = res.history
    assert res.evaluations == len(h) == 4
    assert h["pay.components.0.rates.A"].between(0.05, 0.40).all()
    feasible = h[h["median_pay"] >= 5000.0]
    assert res.feasible == (len(feasible) > 0)
    if len(feasible):
        assert res.profit == pytest.approx(feasible["profit"].max())
        assert res.figures["median_pay"] >= 5000.0
    # lower commission = more profit but less pay: the constraint binds
    assert h.sort_values("pay.components.0.rates.A")["median_pay"].is_monotonic_increasing
    assert res.scenario.pay.components[0].rates["A"] == pytest.approx(res.best["pay.components.0.rates.A"])


def test_search_with_differential_evolution_stops_at_the_budget(small):
    res = optimise_scheme(small, [Param("pay.components.0.rates.B", 0.25, 1.25)], replications=1, seed=2, budget=5)
    assert res.evaluations <= 5 and res.method == "de" and res.seconds > 0


def test_comp_optimise_cli(tmp_path, capsys):
    out_dir = tmp_path / "s"
    assert main(["comp", "optimise", "new_product_group", "--months", "2", "--set", "calendar.warmup_months=1",
                 "--param", "pay.components.0.rates.B=0.3:1.2", "-n", "1", "--budget", "3", "--method", "grid",
                 "--workers", "1", "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "candidates evaluated: 3" in out and "pay.components.0.rates.B =" in out
    best = ss.load_scenario(str(out_dir / "best.toml"))
    assert 0.3 <= best.pay.components[0].rates["B"] <= 1.2
    assert len(pd.read_csv(out_dir / "candidates.csv")) == 3


@pytest.mark.parametrize("argv,fragment", [
    (["--param", "pay.components.0.rates.B"], "expected PATH=LOW:HIGH"),
    (["--param", "pay.components.0.ratez.B=0:1"], "unknown parameter path"),
    (["--param", "pay.components.0.rates.B=1:0.5"], "expected LOW < HIGH"),
    (["--param", "pay.components.0.rates.B=-1:0.5"], "--param pay.components.0.rates.B: the bound -1 is not allowed: expected a number >= 0"),
    (["--param", "pay.components.0.base=0:1"], "expected a numeric parameter"),
    (["--param", "pay.components.0.rates.B=0:1", "--method", "simplex"], "invalid choice"),
    ([], "the following arguments are required: --param"),
])
def test_comp_optimise_bad_flags_exit_2(argv, fragment, capsys):
    try:
        code = main(["comp", "optimise", "new_product_group", "-n", "1", "--budget", "1", "--months", "1", *argv])
    except SystemExit as e:  # argparse usage errors
        code = e.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1, err


def test_set_after_scheme_tunes_the_schemes_parameters(capsys):
    assert main(["comp", "baseline", "--scheme", "margin_25", "--set", "pay.components.0.default_rate=0.0",
                 "-n", "1", "--months", "1", "--workers", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pnl"]["commissions"]["mean"] == 0.0
    assert all(row["variable_share"] in (0.0, None) for row in data["pay"])
