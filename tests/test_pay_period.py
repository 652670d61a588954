"""`peerpay pay --from/--to` selects workweeks; a week partly outside the period or the data is flagged (issue 11).

Samples: Sunday workweeks; data from Sat 2025-11-01 to Sun 2025-11-30. --from 2025-11-05 --to 2025-11-20
overlaps the weeks starting 11-02 (Sun 2 .. Sat 8: starts before the 5th -> partial), 11-09 (wholly inside)
and 11-16 (Sun 16 .. Sat 22: ends after the 20th -> partial).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from peerpay.cli import main

S = Path(__file__).resolve().parents[1] / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]


def run(*args):
    return CliRunner().invoke(main, [*PAY, *args])


def test_period_keeps_the_overlapping_weeks_and_flags_the_partial_ones():
    full = json.loads(run("-f", "json").stdout)
    r = run("-f", "json", "--from", "2025-11-05", "--to", "2025-11-20")
    assert r.exit_code == 0
    got = json.loads(r.stdout)
    assert sorted({(x["week_start"], x["partial_week"]) for x in got["lines"]}) == [
        ("2025-11-02", True), ("2025-11-09", False), ("2025-11-16", True)]
    # each kept week is paid exactly as in the full run (nothing re-cut), and the totals add up to the cent
    strip = lambda x: {k: v for k, v in x.items() if k != "partial_week"}
    kept = [x for x in full["lines"] if x["week_start"] in ("2025-11-02", "2025-11-09", "2025-11-16")]
    assert [strip(x) for x in got["lines"]] == kept
    assert Decimal(str(got["totals"]["gross_pay"])) == sum(Decimal(str(x["gross_pay"])) for x in kept)
    assert "overtime may be understated" in got["notes"][0] and "2025-11-02, 2025-11-16" in got["notes"][0]
    assert "note: 2 workweek(s) not wholly inside" in r.output


def test_weeks_cut_by_the_data_are_noted_even_without_a_period():
    r = run()
    # the first week starts 2025-10-26 but the data starts 2025-11-01
    assert "2025-10-26" in r.output and "overtime may be understated" in r.output


def test_from_after_to_is_a_usage_error():
    assert run("--from", "2025-11-20", "--to", "2025-11-05").exit_code == 2
