"""Bad input on the command line (issue 19): every command either runs correctly or stops with one
line on stderr and exit code 2, never a traceback and never a silently wrong run.

Each test runs a command the issue quotes (or its kin) through ``salessim.cli.main``.
"""

from __future__ import annotations

import pytest

from salessim.cli import main
from salessim.errors import MAX_LINE

QUICK = ["-n", "1", "--months", "1", "--workers", "1"]


def refused(argv: list[str], capsys) -> str:
    """Run ``argv``; assert exit code 2 and one line on stderr without a traceback; return the line."""
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err[:2000]
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- messages
def test_a_100000_character_value_is_echoed_cut(capsys):
    err = refused(["run", "baseline", "--set", "team.reps.0.id=" + "x" * 100_000, *QUICK], capsys)
    assert len(err) < MAX_LINE and "(100,000 characters)" in err


def test_a_100000_character_value_in_a_file_is_echoed_cut(tmp_path, capsys):
    f = tmp_path / "long.toml"
    f.write_text('extends = "baseline"\n[[team.supervisors]]\nid = "' + "h" * 100_000 + '"\nweekly_hours = 40\n'
                 'salary_per_month = 6000\n')
    err = refused(["show", str(f)], capsys)
    assert len(err) < MAX_LINE and "(100,000 characters)" in err


@pytest.mark.parametrize("where", ["file", "--set"])
def test_a_5000_digit_count_is_our_message_not_the_librarys(where, tmp_path, capsys):
    """It read 'Unable to parse input string as an integer, exceeded maximum size, got '9999...' (5 KB)."""
    digits = "9" * 5000
    if where == "file":
        f = tmp_path / "digits.toml"
        f.write_text(f'extends = "baseline"\n[calendar]\nmonths = "{digits}"\n')
        err = refused(["show", str(f)], capsys)
    else:
        err = refused(["show", "baseline", "--set", f'calendar.months="{digits}"'], capsys)
    assert "calendar.months: expected a whole number" in err
    assert "Unable to parse" not in err and len(err) < MAX_LINE
