"""Regenerate the README's notebook figures: the main chart of each notebook, and the app view.

    .venv/bin/python docs/make_app_figures.py            # the three charts (about a minute on 2 cores)
    .venv/bin/python docs/make_app_figures.py --app      # also a screenshot of `salessim present` (needs chromium)

Each chart is made by the same package call as in its notebook, at the notebook's full
settings (20 paired replications, 12 months, seed 1; the calibration at 20 replications).
Writes docs/images/notebook_*.png (and docs/images/app_view.png with --app).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from salessim.analyses import commission_design as cd
from salessim.analyses import growth
from salessim.apps import notebook as nb
from salessim.calibration import calibrate
from salessim.calibration.charts import backtest_chart
from salessim.runs.execution import default_workers
from salessim.views import commission_charts, growth_charts, style

OUT = Path(__file__).parent / "images"


def headcount() -> None:
    s = growth.GrowthSettings(reps=15, heads=2, threshold_uplift=4.0, training_cost_per_rep=3000, months=12,
                              replications=20, seed=1)
    res = growth.analyse(s)
    style.save(growth_charts.revenue_profit_chart(res), OUT / "notebook_headcount_vs_dealsize", ("png",))
    print("\n".join(f"- {x}" for x in res.conclusion()))


def commission() -> None:
    design = cd.design_of("new_product_group").model_copy(update={"new_group_rate_multiple": 5.0})
    c = cd.compare_schemes("new_product_group", design, n=20, months=12, seed=1)
    style.save(commission_charts.side_by_side(c), OUT / "notebook_commission_design", ("png",))
    print("\n".join(f"- {x}" for x in c.conclusion()))


def calibration() -> None:
    sample = nb.crm_sample()
    print(sample.note)
    cal = calibrate(sample.deals, teams=sample.teams, products=sample.products)
    bt = cal.backtest(n=20, seed=0, workers=default_workers())
    style.save(backtest_chart(bt, "Does the calibrated model reproduce the history?", cal.fit.currency or ""),
               OUT / "notebook_calibrate_from_crm", ("png",))
    print(bt.scores.to_string(index=False))


def app_view() -> None:
    """Serve headcount_vs_dealsize (full settings) and screenshot its panel in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "salessim", "present", "headcount_vs_dealsize", "--port", str(port),
                             "--no-browser"], start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1300,1500", f"--user-data-dir={tempfile.mkdtemp()}"):
        opts.add_argument(flag)
    driver = None
    try:
        for _ in range(600):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        driver.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(driver, 900).until(
            lambda d: "simulated" in d.find_element(By.CSS_SELECTOR, ".salessim-status").text)
        panel = driver.find_element(By.CSS_SELECTOR, ".salessim-panel")
        driver.execute_script("arguments[0].scrollIntoView(true);", panel)
        time.sleep(1)
        driver.save_screenshot(str(OUT / "app_view.png"))
    finally:
        if driver is not None:
            driver.quit()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main(argv: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    headcount()
    commission()
    calibration()
    if "--app" in argv:
        app_view()


if __name__ == "__main__":
    main(sys.argv[1:])
