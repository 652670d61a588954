"""Pay periods (issue 25, item 2): ``[pay_period]`` in the policy, and a workweek flagged only where
the run's period really cuts it (issue 11 introduced ``--from/--to``).

Samples: Sunday workweeks; the data is November 2025 (Sat 11-01 to Sun 11-30) and the sample
policy pays monthly, so the period is 2025-11-01..11-30 and the weeks that straddle a month end
are flagged: 10-26 (Sun 10-26 .. Sat 11-01) and 11-30 (Sun 11-30 .. Sat 12-06).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.models.policy import PayPeriod, loads_policy, policy_warnings

S = Path(__file__).resolve().parents[1] / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]
D = date.fromisoformat


def run(*args):
    return CliRunner().invoke(main, [*PAY, *args])


# --- the periods themselves: tables of known dates -------------------------------------------


@pytest.mark.parametrize(("frequency", "anchor", "day", "period"), [
    ("biweekly", "2026-01-11", "2026-01-23", ("2026-01-11", "2026-01-24")),  # the period
    ("biweekly", "2026-01-11", "2026-01-25", ("2026-01-25", "2026-02-07")),
    ("biweekly", "2026-01-11", "2026-01-10", ("2025-12-28", "2026-01-10")),  # before the anchor
    ("weekly", "2026-01-14", "2026-01-13", ("2026-01-07", "2026-01-13")),  # Wednesday to Tuesday
    ("weekly", None, "2026-01-14", ("2026-01-11", "2026-01-17")),  # no anchor: the (Sunday) workweeks
    ("semimonthly", None, "2026-01-15", ("2026-01-01", "2026-01-15")),
    ("semimonthly", None, "2026-02-20", ("2026-02-16", "2026-02-28")),
    ("semimonthly", "2026-01-16", "2024-02-16", ("2024-02-16", "2024-02-29")),  # a leap year
    ("monthly", None, "2026-01-31", ("2026-01-01", "2026-01-31")),
    ("monthly", "2026-01-05", "2026-01-03", ("2025-12-05", "2026-01-04")),
    ("monthly", "2026-01-05", "2026-12-20", ("2026-12-05", "2027-01-04")),  # across the year end
])
def test_the_period_holding_a_day(frequency, anchor, day, period):
    pp = PayPeriod(frequency=frequency, anchor=D(anchor) if anchor else None)
    assert pp.containing(D(day)) == (D(period[0]), D(period[1]))


@pytest.mark.parametrize(("toml", "message"), [
    ('frequency = "biweekly"', "needs anchor"),
    ('frequency = "semimonthly"\nanchor = 2026-01-05', "must be a 1st or a 16th"),
    ('frequency = "monthly"\nanchor = 2026-01-30', "(1-28)"),
    ('frequency = "fortnightly"', "pay_period.frequency"),
    ('frequency = "weekly"\nanchr = 2026-01-11', "did you mean 'anchor'"),
])
def test_a_bad_pay_period_is_an_error_that_says_why(toml, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        loads_policy(f"[pay_period]\n{toml}\n")


def test_an_anchor_off_the_workweek_start_is_a_warning():
    pol = loads_policy('[workweek]\nstart_day = "sunday"\n[pay_period]\nfrequency = "biweekly"\nanchor = 2026-01-14\n')
    assert any("pay_period.anchor = 2026-01-14 is a Wednesday but workweeks start on sun" in w for w in policy_warnings(pol))
    assert policy_warnings(loads_policy('[pay_period]\nfrequency = "biweekly"\nanchor = 2026-01-11\n')) == []


# --- the run: a biweekly period, nobody works the last Saturday ----------------------


@pytest.fixture
def fortnight(tmp_path):
    """E1 works 8 h every weekday of the period 2026-01-11 (Sun) .. 01-24 (Sat); nobody works on 01-24."""
    days = [d for d in range(12, 24) if D(f"2026-01-{d:02d}").weekday() < 5]
    rows = "".join(f"E1,2026-01-{d:02d} 09:00,2026-01-{d:02d} 17:00,20.00\n" for d in days)
    (tmp_path / "t.csv").write_text("employee_id,start,end,rate\n" + rows, encoding="utf-8")
    base = '[workweek]\nstart_day = "sunday"\n[overtime]\nweekly_hours = 40\n'
    (tmp_path / "none.toml").write_text(base, encoding="utf-8")
    (tmp_path / "biweekly.toml").write_text(base + '[pay_period]\nfrequency = "biweekly"\nanchor = 2026-01-11\n', encoding="utf-8")
    return tmp_path


def test_a_whole_pay_period_flags_nothing(fortnight):
    for policy in ("biweekly.toml", "none.toml"):
        r = CliRunner().invoke(main, ["pay", "-t", str(fortnight / "t.csv"), "-p", str(fortnight / policy), "-f", "json"])
        assert r.exit_code == 0, r.output
        assert "overtime may be understated" not in r.output and "cut by the period" not in r.output
        report = json.loads(r.stdout)
        assert [x["week_start"] for x in report["lines"]] == ["2026-01-11", "2026-01-18"]
        assert all(not x.get("partial_week") for x in report["lines"])
    meta = json.loads(CliRunner().invoke(main, ["pay", "-t", str(fortnight / "t.csv"), "-p", str(fortnight / "biweekly.toml"),
                                                 "-f", "json"]).stdout)["meta"]
    # the statement's real period: the pay period, not the workweeks' first days
    assert meta["period"] == ("2026-01-11 to 2026-01-24 (pay period: biweekly from 2026-01-11); "
                              "workweeks starting 2026-01-11 to 2026-01-18")


def test_to_inside_a_workweek_flags_it(fortnight):
    r = CliRunner().invoke(main, ["pay", "-t", str(fortnight / "t.csv"), "-p", str(fortnight / "biweekly.toml"), "-f", "json",
                                  "--to", "2026-01-20"])
    assert r.exit_code == 0
    lines = json.loads(r.stdout)["lines"]
    assert [(x["week_start"], x["partial_week"]) for x in lines] == [("2026-01-11", False), ("2026-01-18", True)]
    assert "1 workweek(s) cut by the period 2026-01-11 to 2026-01-20 (starting 2026-01-18)" in r.output


# --- the samples: monthly periods ------------------------------------------------------------


def test_the_samples_monthly_period_flags_the_weeks_that_straddle_a_month_end():
    r = run("-f", "json")
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    assert sorted({x["week_start"] for x in report["lines"] if x["partial_week"]}) == ["2025-10-26", "2025-11-30"]
    assert "2 workweek(s) cut by the period 2025-11-01 to 2025-11-30 (starting 2025-10-26, 2025-11-30)" in report["notes"][0]
    assert "29 CFR 778.106" in report["notes"][0]


def test_from_to_keeps_the_overlapping_weeks_and_flags_the_partial_ones():
    # --from 2025-11-05 --to 2025-11-20 overlaps the weeks starting 11-02 (Sun 2 .. Sat 8: starts before the 5th ->
    # partial), 11-09 (wholly inside) and 11-16 (Sun 16 .. Sat 22: ends after the 20th -> partial)
    full = json.loads(run("-f", "json").stdout)
    r = run("-f", "json", "--from", "2025-11-05", "--to", "2025-11-20")
    assert r.exit_code == 0
    got = json.loads(r.stdout)
    assert sorted({(x["week_start"], x["partial_week"]) for x in got["lines"]}) == [
        ("2025-11-02", True), ("2025-11-09", False), ("2025-11-16", True)]
    # each kept week is paid exactly as in the full run (nothing re-cut), and the totals add up to the cent
    strip = lambda x: {k: v for k, v in x.items() if k != "partial_week"}
    kept = [strip(x) for x in full["lines"] if x["week_start"] in ("2025-11-02", "2025-11-09", "2025-11-16")]
    assert [strip(x) for x in got["lines"]] == kept
    assert Decimal(str(got["totals"]["gross_pay"])) == sum(Decimal(str(x["gross_pay"])) for x in kept)
    assert "2 workweek(s) cut by the period 2025-11-05 to 2025-11-20 (starting 2025-11-02, 2025-11-16)" in got["notes"][0]
    assert "note: 2 workweek(s) cut by the period" in r.output


def test_from_after_to_is_a_usage_error():
    assert run("--from", "2025-11-20", "--to", "2025-11-05").exit_code == 2


def test_cost_takes_the_pay_periods_as_the_baseline_without_a_weeks_warning():
    cost = ["cost", *PAY[1:], "--proposal", str(S / "proposals" / "union.toml"), "-f", "json"]
    r = CliRunner().invoke(main, cost)
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["baseline"]["period"]["from"] == "2025-11-01" and report["baseline"]["period"]["to"] == "2025-11-30"
    assert report["warnings"] == [] and "not a whole number of weeks" not in r.output
    assert report["meta"]["period"] == "2025-11-01 to 2025-11-30 (30 days)"


def test_init_writes_a_pay_period_that_validates(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    text = (tmp_path / "policy.toml").read_text(encoding="utf-8")
    assert "[pay_period]" in text
    policy = loads_policy(text)
    assert policy.pay_period == PayPeriod(frequency="biweekly", anchor=D("2026-01-11"))
    assert policy_warnings(policy) == []  # its anchor is a Sunday, like the workweek


def test_the_flag_is_a_column_written_as_json_would_write_it(files):
    """A year of lines is never turned into dicts to flag its weeks: ``partial_week`` is a column of the
    lines table, and the JSON written from the table is the JSON of the dicts (issue 16's writer)."""
    from peerpay.core.report import LineTable
    from peerpay.io.writers import to_json
    from peerpay.jobs.pay import report_scope

    rows = ["employee_id,start,end,rate"] + [f"E{i},2025-02-03 07:00,2025-02-03 15:{i % 60:02d},21.5{i % 7}" for i in range(1100)]
    run = files.pay("\n".join(rows) + "\n")
    run, scope = report_scope(run, date_to=D("2025-02-05"))  # cuts the week Sun 02-02 .. Sat 02-08
    assert scope.partial == {"2025-02-02"}
    report = run.json_report()
    assert isinstance(report["lines"], LineTable) and run._report is None  # no dicts were made
    plain = {**report, "lines": list(report["lines"])}
    assert all(line["partial_week"] is True for line in plain["lines"])
    from peerpay.io.writers import _records_by_column

    assert _records_by_column(report["lines"]) is not None  # the boolean column is written by arrow, not record by record
    assert to_json(report) == to_json(plain)  # by column (arrow) and record by record (json.dumps): the same bytes
    assert json.loads(to_json(report)) == json.loads(json.dumps(plain))
