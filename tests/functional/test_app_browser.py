"""The app view in a real browser: `salessim present headcount_vs_dealsize` in headless Chromium.

1. start the app view of notebooks/headcount_vs_dealsize.ipynb with ``salessim present`` (quick mode);
2. change the reps widget (type a value into the slider's readout, as a person can);
3. check that the chart and the numbers changed, and that no code is shown.

Needs Debian's ``chromium`` and ``chromium-driver`` (/usr/bin/chromium, /usr/bin/chromedriver),
selenium and Voila. Without them the test is skipped with the reason, unless
``SALESSIM_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SALESSIM_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("SALESSIM_CHROMEDRIVER", "/usr/bin/chromedriver"))
REQUIRE = os.environ.get("SALESSIM_REQUIRE_BROWSER", "") == "1"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,2200")


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    for mod in ("selenium", "voila"):
        try:
            __import__(mod)
        except ImportError:
            return f"{mod} is not installed (pip install -e '.[dev]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"salessim present exited with code {proc.returncode} before serving")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"nothing listened on port {port} within {timeout:.0f} s")


@pytest.fixture
def app(tmp_path):
    reason = _missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"SALESSIM_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    port = _free_port()
    log = open(tmp_path / "present.log", "w")
    cmd = [sys.executable, "-m", "salessim", "present", "headcount_vs_dealsize", "--port", str(port), "--no-browser",
           "--quick"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, timeout=120)
        yield f"http://127.0.0.1:{port}/"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)          # the command, Voila and its kernels (one session)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        print((tmp_path / "present.log").read_text()[-3000:])


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="salessim-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.slow
def test_changing_reps_in_the_app_view_updates_the_chart_and_numbers(app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    def text(css: str) -> str:
        return browser.find_element(By.CSS_SELECTOR, css).text

    def chart_src() -> str:
        return browser.find_element(By.CSS_SELECTOR, "img.salessim-chart").get_attribute("src") or ""

    wait = WebDriverWait(browser, 300, poll_frequency=0.5)
    browser.get(app)
    # the page has run the whole notebook when the panel's first computation is done and the heatmap is shown
    wait.until(lambda d: "simulated" in text(".salessim-status") and chart_src().startswith(("blob:", "data:")))
    wait.until(lambda d: "Where does profit grow most" in d.find_element(By.TAG_NAME, "body").text)
    page = browser.find_element(By.TAG_NAME, "body").text
    for source in ("nb.setup()", "panel = growth_panel(", "GRID_REPLICATIONS ="):   # lines of code cells
        assert source not in page, f"code cells are shown ({source!r} is on the page)"
    before_src, before_numbers = chart_src(), text(".salessim-numbers")
    hire_row = [r for r in before_numbers.splitlines() if r.startswith("hire ")][0]
    assert hire_row.split()[1] == "15"

    readout = browser.find_element(By.CSS_SELECTOR, ".salessim-knob-reps .widget-readout")
    readout.click()
    readout.send_keys(Keys.CONTROL, "a")
    readout.send_keys("10", Keys.ENTER)

    wait.until(lambda d: chart_src() != before_src and text(".salessim-numbers") != before_numbers)
    wait.until(lambda d: "simulated" in text(".salessim-status") or "memory" in text(".salessim-status"))
    after = text(".salessim-numbers")
    hire_row = [r for r in after.splitlines() if r.startswith("hire ")][0]
    assert hire_row.split()[1] == "10", hire_row
    assert text(".salessim-knob-reps .widget-readout") == "10"
    assert not browser.find_elements(By.CSS_SELECTOR, ".salessim-error .jp-RenderedText")
