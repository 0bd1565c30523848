"""Unit tests of the calibration pieces against hand-made cases and scipy's own fitting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from salessim.calibration.pooling import fit_win_model, jeffreys_interval
from salessim.calibration.presets import PRESETS, detect
from salessim.calibration.readers import (
    decode,
    parse_amounts,
    parse_date_cells,
    resolve_date_order,
    sniff_delimiter,
    to_dates,
)
from salessim.calibration.stages import map_stages
from salessim.calibration.survival import Durations, fit_family, kaplan_meier
from salessim.errors import UserError


# --------------------------------------------------------------------------- readers
@pytest.mark.parametrize("cells,decimal,expected", [
    (["1 234,56", "12,5", "300"], ",", [1234.56, 12.5, 300.0]),
    (["1,234.56", "(300)", "$1,200", "7.5"], ".", [1234.56, -300.0, 1200.0, 7.5]),
    (["1.234.567,8", "2.000,00"], ",", [1234567.8, 2000.0]),
    (["1\u00a0200 руб.", "15,75 ₽"], ",", [1200.0, 15.75]),
    (["EUR 99.90", "100 USD"], ".", [99.9, 100.0]),
])
def test_amounts(cells, decimal, expected):
    a = parse_amounts(cells)
    assert a.decimal == decimal
    np.testing.assert_allclose(a.values, expected)
    assert not a.bad.any()


def test_text_in_amounts_is_flagged_not_guessed():
    a = parse_amounts(["100", "N/A", "12abc", "", "1,2,3"])
    assert list(a.bad) == [False, True, True, False, True]
    assert math.isnan(a.values[3])


def test_day_first_and_month_first_are_told_apart():
    d = parse_date_cells(["25/03/2017", "03/04/2017"])
    o = resolve_date_order([d])
    assert o.order == "day_first"
    dates, bad = to_dates(d, o)
    assert list(dates.astype(str)) == ["2017-03-25", "2017-04-03"] and not bad.any()
    m = parse_date_cells(["03/25/2017", "04/03/2017"])
    assert resolve_date_order([m]).order == "month_first"


def test_mixed_date_orders_reject_the_minority():
    d = parse_date_cells(["25/03/2017", "26/03/2017", "27/03/2017", "03/28/2017"])
    o = resolve_date_order([d])
    assert o.order == "day_first" and "mixed" in o.reason
    _, bad = to_dates(d, o)
    assert list(bad) == [False, False, False, True]


def test_ambiguous_dates_use_the_tie_break_then_the_separator():
    d = parse_date_cells(["01.02.2017", "03.04.2017"])
    assert resolve_date_order([d]).order == "day_first"
    s = parse_date_cells(["01/02/2017", "03/04/2017"])
    assert resolve_date_order([s]).order == "month_first"
    assert resolve_date_order([s], tie_break=lambda o: 0 if o == "day_first" else 5).order == "day_first"


def test_other_date_spellings():
    d = parse_date_cells(["2017-03-05 14:22:01", "5 Mar 2017", "March 5, 2017", "5 марта 2017", 42799, "2017-02-30"])
    dates, bad = to_dates(d, resolve_date_order([d]))
    assert list(dates[:5].astype(str)) == ["2017-03-05"] * 5
    assert list(bad) == [False] * 5 + [True]


def test_encodings_and_delimiters():
    text = "имя;сумма\nИван;1,5\n"
    assert decode(text.encode("cp1251"), "f")[1] == "cp1251"
    assert decode(text.encode("utf-8"), "f")[1] == "utf-8"
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "f")[1] == "utf-8-sig"
    assert decode(text.encode("utf-16"), "f")[1] == "utf-16"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    # Latin text with accents saved as Windows-1252 / Latin-1: every accented letter is also a
    # Cyrillic letter in Windows-1251, which used to win ("José Núñez" became "Josй Nъсez")
    latin = "deal,rep\n1,José Núñez\n2,Jürgen Müller\n3,François Lefèvre\n4,Donn Cantrell\n"
    text_back, enc, _ = decode(latin.encode("cp1252"), "f")
    assert enc == "cp1252" and "José Núñez" in text_back
    assert decode("имя;продукт\nИван;GTX Pro\nОльга;MG Special\n".encode("cp1251"), "f")[1] == "cp1251"
    with pytest.raises(UserError, match="not a text file"):
        decode(b"abc\x00def" * 10, "f")


def test_presets_are_detected_from_their_own_columns():
    for p in PRESETS.values():
        header = [p.columns[f][0] for f in p.columns]
        assert detect(header).preset.name == p.name


def test_stage_names_of_every_crm():
    stages = ["Closed Won", "Closed Lost", "Успешно реализовано", "Закрыто и не реализовано", "Сделка успешна",
              "Сделка провалена", "won", "lost", "open", "deleted", "Negotiation/Review"]
    out, table = map_stages(stages)
    assert list(out) == ["won", "lost", "won", "lost", "won", "lost", "won", "lost", "open", "deleted", "open"]
    assert set(table.table.columns) == {"stage", "outcome", "rule", "deals"}


def test_salesforce_flags_override_stage_names():
    out, _ = map_stages(["Negotiation", "Closed Won", "Custom Done"], PRESETS["salesforce"],
                        won_flag=["false", "true", "true"], closed_flag=["false", "true", "true"])
    assert list(out) == ["open", "won", "won"]


# --------------------------------------------------------------------------- survival
@pytest.mark.parametrize("family,scipy_dist", [("lognormal", stats.lognorm), ("weibull", stats.weibull_min),
                                               ("gamma", stats.gamma), ("exponential", stats.expon)])
def test_censored_fit_agrees_with_scipy(family, scipy_dist):
    """Without a stalled share, the fit is scipy's own censored maximum likelihood."""
    rng = np.random.default_rng(5)
    t = np.floor(rng.lognormal(3.0, 0.6, 800)).astype(int) + 1
    ages = rng.integers(5, 60, 300)
    d = Durations.from_days(t, ages)
    ours = fit_family(family, d, with_stall=False)
    data = stats.CensoredData(interval=np.column_stack([np.maximum(t - 1, 0), np.maximum(t, 1)]).astype(float),
                              right=ages.astype(float))
    kw = {"floc": 0}
    params = scipy_dist.fit(data, **kw)
    frozen = scipy_dist(*params)
    grid = np.array([5.0, 15.0, 30.0, 60.0])
    np.testing.assert_allclose(ours.sf(grid), frozen.sf(grid), atol=2e-3)


def test_stalled_share_and_median_are_recovered():
    """Over several simulated exports, the 90% intervals cover the true values about 90% of the time."""
    covered_stall = covered_median = 0
    seeds = range(20, 26)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        n = 6000
        created = rng.integers(0, 400, n)
        stall = rng.random(n) < 0.2
        cycle = 1 + np.floor(rng.lognormal(math.log(20), 0.5, n)).astype(int)
        closed = ~stall & (created + cycle <= 400)
        f = fit_family("lognormal", Durations.from_days(cycle[closed], 400 - created[~closed]))
        lo, hi = f.stall_interval(0.9)
        covered_stall += lo <= 0.2 <= hi
        lo, hi = f.median_interval(0.9)
        covered_median += lo <= 21.0 <= hi          # 1 + median of D
    # P(at least 4 of 6 | coverage 0.9) = 0.98
    assert covered_stall >= 4 and covered_median >= 4, (covered_stall, covered_median)


def test_kaplan_meier_by_hand():
    # events at 1, 2, 2; censored at 1 (still at risk on day 1) and 3
    t, s = kaplan_meier(np.array([1, 2, 2]), np.array([1, 3]))
    assert s[0] == 1.0
    assert s[1] == pytest.approx(1 - 1 / 5)
    assert s[2] == pytest.approx((1 - 1 / 5) * (1 - 2 / 3))
    assert s[3] == pytest.approx(s[2])


# --------------------------------------------------------------------------- pooling
def _closed(rows):
    out = []
    for rep, product, won, lost in rows:
        out += [(rep, product, True)] * won + [(rep, product, False)] * lost
    return pd.DataFrame(out, columns=["rep", "product", "won"])


def test_a_rep_with_twenty_deals_is_not_taken_at_face_value():
    rng = np.random.default_rng(2)
    skills = rng.lognormal(0, 0.3, 12)
    rows = []
    for k, s in enumerate(skills):
        n = 400
        p = s * 0.4 / (1 - 0.4 + s * 0.4)
        w = int(rng.binomial(n, p))
        rows.append((f"r{k}", "A", w, n - w))
    rows.append(("newbie", "A", 18, 2))                     # 90% of 20 deals
    m = fit_win_model(_closed(rows)).reps.set_index("rep")
    new = m.loc["newbie"]
    assert m.index.size == 13
    assert new["raw_rate"] == 0.9
    assert new["pooled_rate"] < 0.9 - 0.1                    # pulled toward the others
    assert new["shrinkage"] > m.drop("newbie")["shrinkage"].max()
    assert new["skill_low"] < new["skill"] < new["skill_high"]
    # big reps are barely moved
    big = m.drop("newbie")
    assert (abs(big["pooled_rate"] - big["raw_rate"]) < 0.05).all()


def test_product_rates_are_reproduced_exactly():
    rows = [("a", "X", 30, 70), ("b", "X", 50, 50), ("a", "Y", 80, 20), ("b", "Y", 60, 40)]
    wm = fit_win_model(_closed(rows))
    reps = wm.reps.set_index("rep")
    for prod, won, n in (("X", 80, 200), ("Y", 140, 200)):
        expected = sum(nn * (s * wm.base_prob(prod) / (1 - wm.base_prob(prod) + s * wm.base_prob(prod)))
                       for nn, s in ((100, reps.at["a", "skill"]), (100, reps.at["b", "skill"])))
        assert expected == pytest.approx(won, abs=1e-6)


def test_jeffreys_interval():
    lo, hi = jeffreys_interval(30, 100, 0.9)
    assert lo == pytest.approx(stats.beta.ppf(0.05, 30.5, 70.5))
    assert hi == pytest.approx(stats.beta.ppf(0.95, 30.5, 70.5))
    assert jeffreys_interval(0, 10)[0] == 0.0 and jeffreys_interval(10, 10)[1] == 1.0


# --------------------------------------------------------------------------- side tables
def test_activities_are_counted_per_rep_month_and_kind(tmp_path):
    from salessim.calibration.tables import read_activities

    p = tmp_path / "activities.csv"
    p.write_text("Activity owner;Date;Type\nAnn;03.01.2024;Call\nAnn;04.01.2024;Meeting\nAnn;25.01.2024;Звонок\n"
                 "Bob;01.02.2024;Demo meeting\nBob;;Call\n", encoding="utf-8")
    a = read_activities(p)
    m = a.monthly.set_index(["rep", "month", "type"])["count"]
    assert m[("Ann", "2024-01", "call")] == 2 and m[("Ann", "2024-01", "meeting")] == 1
    assert m[("Bob", "2024-02", "meeting")] == 1
    assert a.rejected == 1 and "row" in a.notes[0]


def test_teams_and_price_list_tables(tmp_path):
    from salessim.calibration.tables import read_products, read_teams

    t = tmp_path / "teams.csv"
    t.write_text("Rep,Manager,Region\nAnn,Zed,East\nBob,Zed,West\nAnn,Yan,East\n,Zed,East\n")
    teams = read_teams(t)
    assert teams.manager == {"Ann": "Zed", "Bob": "Zed"} and teams.region["Bob"] == "West"
    assert any("appears again" in n for n in teams.notes) and any("no rep" in n for n in teams.notes)
    p = tmp_path / "prices.csv"
    p.write_text("product;price;group\nGTX Pro;5 624,00;GTX\nMG Basic;abc;MG\n")
    prices = read_products(p)
    assert prices.price["GTX Pro"] == 5624.0 and prices.group["GTX Pro"] == "GTX"
    assert prices.suggest("GTXPro") == "GTX Pro" and prices.suggest("Totally different") is None
    assert any("not a number" in n for n in prices.notes)


def test_a_mapping_file_names_unusual_columns_and_stages(tmp_path):
    from salessim.calibration import calibrate

    p = tmp_path / "deals.csv"
    rows = ["Owner Name,Outcome,Opened,Finished,Deal Value (USD)"]
    for i in range(60):
        stage = ["Signed", "Rejected", "On hold"][i % 3]
        closed = f"2024-0{1 + i % 6}-2{i % 9}" if stage != "On hold" else ""
        rows.append(f"rep{i % 3},{stage},2024-01-0{1 + i % 9},{closed},{100 + i}")
    p.write_text("\n".join(rows) + "\n")
    m = tmp_path / "map.toml"
    m.write_text('[columns]\nrep = "Owner Name"\nstage = "Outcome"\ncreated = "Opened"\nclosed = "Finished"\n'
                 'value = "Deal Value (USD)"\n[stages]\nwon = ["Signed"]\nlost = ["Rejected"]\n')
    cal = calibrate(p, mapping=m, as_of=__import__("datetime").date(2024, 12, 31))
    table = cal.validated.stage_map.table.set_index("stage")
    assert table.at["Signed", "outcome"] == "won" and table.at["Signed", "rule"] == "mapping file"
    assert table.at["On hold", "outcome"] == "open"
    assert cal.validated.n_rejected == 0 and (cal.validated.deals["outcome"] == "won").sum() == 20


def test_columns_are_inferred_when_no_preset_matches():
    h = ["Owner", "Status", "Created At", "Closed At", "Amount", "Lead Source"]
    m = detect(h)
    assert m.preset is None and "inferred" in m.how
    assert m.columns == {"rep": 0, "stage": 1, "created": 2, "closed": 3, "value": 4, "channel": 5}
    with pytest.raises(UserError, match="missing required column"):
        detect(["Foo", "Bar"])


@pytest.mark.parametrize("family,x0", [
    ("exponential", [3.0]), ("gamma", [3.0, -0.3]), ("weibull", [0.2, 3.2]), ("lognormal", [3.0, -0.2]),
    ("lognormal_mixture", [0.3, 2.0, -0.5, 4.0, -0.7]),
])
def test_the_median_interval_solves_every_draw_as_the_one_at_a_time_root_finder_does(family, x0):
    """The interval of the median days to close is computed for 200 parameter draws at once
    (bisection over arrays); each draw's median must be brentq's to 1e-6 relative, with the same
    draws left out, and the interval the quantiles of those medians."""
    from salessim.calibration import survival as sv

    k = len(x0)
    fit = sv.SurvivalFit(family, np.array(x0), np.eye(k) * 2.0, 0.0, 0, 0, False)  # wide: tails matter
    draws = fit.parameter_draws(200)
    one_by_one = np.array([sv._safe(fit.median_cycle, x) for x in draws])
    at_once = 1.0 + sv._quantile_rows(family, draws[:, :k], 0.5)
    assert np.array_equal(np.isfinite(one_by_one), np.isfinite(at_once))
    ok = np.isfinite(one_by_one)
    assert ok.sum() > 150
    np.testing.assert_allclose(at_once[ok], one_by_one[ok], rtol=1e-6, atol=1e-6)
    lo, hi = fit.median_interval(0.90)
    assert lo == pytest.approx(np.quantile(one_by_one[ok], 0.05), rel=1e-6)
    assert hi == pytest.approx(np.quantile(one_by_one[ok], 0.95), rel=1e-6)


def test_a_two_clock_median_is_solved_on_at_most_three_grids_even_for_a_degenerate_draw():
    """A draw with a delay of log-sd 66 (seen in a 71k-row export's two-clock fit) made the point-by-
    point solver convolve grids of millions of points at each step (85 s for one report). The grid
    solver evaluates the survival function on at most three grids and says inf past its cap; on an
    ordinary fit it agrees with the median of the simulated sum."""
    from salessim.calibration import survival as sv

    calls = []

    def counting(fn):
        def sf(t):
            calls.append(len(t))
            return fn(t)
        return sf

    degenerate = np.array([math.log(3.0), math.log(0.5), math.log(25.0), math.log(66.0)])
    m = sv._grid_median(counting(lambda t: sv._sum_sf(t, degenerate)))
    assert len(calls) <= 3 and max(calls) <= sv.MEDIAN_CAP_DAYS / sv.GRID_STEP + 2
    assert m > 0
    ordinary = np.array([math.log(3.0), math.log(0.5), math.log(25.0), math.log(0.4)])
    rng = np.random.default_rng(0)
    total = rng.lognormal(math.log(3.0), 0.5, 400_000) + rng.lognormal(math.log(25.0), 0.4, 400_000)
    assert sv._grid_median(lambda t: sv._sum_sf(t, ordinary)) == pytest.approx(np.median(total), rel=0.01)
