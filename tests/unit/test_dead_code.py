"""No dead code in the package: vulture finds nothing unused in ``salessim/``.

Vulture matches names, so a definition it cannot see being used (a pydantic validator, an
argparse or IPython hook, a property a template reads, public API used only by the tests,
notebooks or docs) is listed, with the reason, in ``tests/vulture_whitelist.py``. When this
test fails: delete what it reports if nothing uses it (grep notebooks/, docs/, tests/ and
benchmarks/ first), or list it in the whitelist with a comment saying who uses it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("vulture")

ROOT = Path(__file__).resolve().parents[2]
#: vulture's confidence: 60 covers unused functions, methods, classes, attributes and variables;
#: unused imports, arguments and unreachable code are reported at 90-100
MIN_CONFIDENCE = 60


def test_vulture_finds_no_dead_code():
    done = subprocess.run(
        [sys.executable, "-m", "vulture", "salessim", "tests/vulture_whitelist.py",
         "--min-confidence", str(MIN_CONFIDENCE)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0 and not done.stdout.strip(), (
        "vulture reports unused code (delete it, or whitelist it in tests/vulture_whitelist.py "
        "with who uses it):\n" + done.stdout + done.stderr)
