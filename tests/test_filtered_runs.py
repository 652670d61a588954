"""Filtered runs say so (issue 25, item 4): with ``--from/--to`` or ``--employee`` the reconciliation
counts the rows in scope as paid and the others apart, names the filter (never an id), and the run
record lists every option that changed the figures.

Hand-worked (Sunday workweeks, $20.00/h, no overtime rule):

    row 1  E1  Sat 01-17 22:00 -> Sun 01-18 06:00   8 h: 2 h in the week of 01-11, 6 h in the week of 01-18
    row 2  E1  Mon 01-19 09:00 -> 17:00             8 h, week of 01-18
    row 3  E2  Tue 01-13 09:00 -> 17:00             8 h, week of 01-11
    row 4  E2  "yesterday"                           rejected (not a date-time), no hours

--from 2026-01-18 --to 2026-01-24 keeps the week of 01-18: rows 1 and 2 are in scope (row 1 with
6 of its 8 hours), row 3 is out of scope. rows: 4 read = 2 paid + 1 rejected + 1 out of scope;
hours: 24 in = 14 paid + 0 rejected + 10 out of scope (row 3's 8 and row 1's 2).
--employee E2: rows 4 = 1 paid + 1 rejected + 2 out of scope; hours 24 = 8 + 0 + 16.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from peerpay.core.report import reconciliation, scoped_reconciliation

TIMESHEET = """employee_id,start,end,rate
E1,2026-01-17 22:00,2026-01-18 06:00,20.00
E1,2026-01-19 09:00,2026-01-19 17:00,20.00
E2,2026-01-13 09:00,2026-01-13 17:00,20.00
E2,yesterday,2026-01-13 17:00,20.00
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "t.csv").write_text(TIMESHEET, encoding="utf-8")
    (tmp_path / "p.toml").write_text('[workweek]\nstart_day = "sunday"\n', encoding="utf-8")
    return ["pay", "-t", tmp_path / "t.csv", "-p", tmp_path / "p.toml"]


def recon_of(result) -> dict:
    return json.loads(result.stdout)["reconciliation"]


def test_a_period_counts_the_rows_and_hours_out_of_scope(cli, files):
    r = cli([*files, "-f", "json", "--from", "2026-01-18", "--to", "2026-01-24"])
    assert r.exit_code == 3  # row 4 is rejected
    rec = recon_of(r)
    assert (rec["rows_read"], rec["rows_paid"], rec["rows_rejected"], rec["rows_out_of_scope"]) == (4, 2, 1, 1)
    assert (rec["hours_in"], rec["hours_paid"], rec["hours_rejected"], rec["hours_out_of_scope"]) == (24.0, 14.0, 0.0, 10.0)
    assert rec["scope"] == "--from 2026-01-18 --to 2026-01-24" and rec["balanced"] is True
    assert ("Reconciliation: 4 rows read = 2 paid + 1 rejected + 1 out of scope (--from 2026-01-18 --to 2026-01-24); "
            "hours in 24.00 = paid 14.00 + rejected 0.00 + out of scope 10.00") in r.stderr
    report = json.loads(r.stdout)
    assert [(x["employee_id"], x["week_start"], x["hours_worked"]) for x in report["lines"]] == [("E1", "2026-01-18", 14.0)]
    assert len(report["rejected"]) == 1  # a rejected row is an input problem, shown whatever the filter


def test_an_employee_filter_counts_the_others_out_of_scope_and_names_no_id(cli, files):
    r = cli([*files, "-f", "json", "--employee", "E2"])
    rec = recon_of(r)
    assert (rec["rows_read"], rec["rows_paid"], rec["rows_rejected"], rec["rows_out_of_scope"]) == (4, 1, 1, 2)
    assert (rec["hours_paid"], rec["hours_out_of_scope"]) == (8.0, 16.0)
    assert rec["scope"] == "--employee (1 id)"
    recon_line = next(line for line in r.stderr.splitlines() if line.startswith("Reconciliation"))
    assert "E2" not in recon_line and "E1" not in recon_line


def test_both_filters_and_an_empty_result_still_balance(cli, files):
    rec = recon_of(cli([*files, "-f", "json", "--from", "2026-01-18", "--employee", "E2"]))
    assert (rec["rows_paid"], rec["rows_out_of_scope"], rec["hours_paid"], rec["hours_out_of_scope"]) == (0, 3, 0.0, 24.0)
    assert rec["scope"] == "--from 2026-01-18, --employee (1 id)" and rec["balanced"]


def test_an_unfiltered_run_keeps_the_plain_reconciliation(cli, files):
    rec = recon_of(cli([*files, "-f", "json"]))
    assert "rows_out_of_scope" not in rec and "scope" not in rec
    assert (rec["rows_read"], rec["rows_paid"], rec["rows_rejected"], rec["hours_paid"]) == (4, 3, 1, 24.0)


def test_the_run_record_lists_every_option_that_changes_the_figures(cli, files, tmp_path):
    args = [*files, "--from", "2026-01-18", "--to", "2026-01-24", "--employee", "E1", "--detail"]
    meta = json.loads(cli([*args, "-f", "json"]).stdout)["meta"]
    assert meta["options"] == {"from": "2026-01-18", "to": "2026-01-24", "employee": ["E1"], "detail": True}
    assert meta["period"].startswith("2026-01-18 to 2026-01-24 (--from/--to)")
    cli([*args, "-o", tmp_path / "pay.xlsx"])
    run = dict(openpyxl.load_workbook(tmp_path / "pay.xlsx")["Run"].iter_rows(min_row=2, values_only=True))
    assert (run["option --from"], run["option --to"], run["option --employee"]) == ("2026-01-18", "2026-01-24", "E1")
    cli([*args, "-o", tmp_path / "pay.html"])
    page = (tmp_path / "pay.html").read_text(encoding="utf-8")
    for item in ("option --from", "2026-01-18", "option --employee", "period", "run time", "2025-12-01T09:00:00+00:00"):
        assert item in page  # the HTML run record carries what the README says it does
    assert "out of scope" in page  # the filtered reconciliation, in the page


def test_scoped_reconciliation_balances_and_refuses_an_impossible_scope():
    # 10 rows read: 9 paid (9 h each), 1 rejected (1 h); 3 in scope (27 h)
    r = reconciliation(10, 9, 1, 540 * 9, 60, 0)
    s = scoped_reconciliation(r, 3, 1620, 540 * 9, "--employee (1 id)")
    assert (s["rows_paid"], s["rows_out_of_scope"], s["hours_paid"], s["hours_out_of_scope"], s["balanced"]) == (3, 6, 27.0, 54.0, True)
    assert s["hours_in"] == s["hours_paid"] + s["hours_rejected"] + s["hours_out_of_scope"]
    assert list(s)[:4] == ["rows_read", "rows_paid", "rows_rejected", "rows_out_of_scope"]
    assert scoped_reconciliation(r, 12, 1620, 540 * 9, "x")["balanced"] is False  # more in scope than paid


def test_the_scope_is_the_same_with_and_without_the_audit_trail(cli):
    """Without --detail a run is paid without its segments (on two cores); the minutes in scope then come from
    each shift's own start and end. The samples' zone (America/New_York) falls back on 2025-11-02, the
    first day of a workweek: the week edges are local midnights, as the engine cuts them."""
    from conftest import SAMPLES

    pay = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
           "-s", SAMPLES / "schedule.csv", "-f", "json"]
    for scope in (["--from", "2025-11-02", "--to", "2025-11-08"], ["--from", "2025-11-05", "--to", "2025-11-20", "--employee", "HL004"],
                  ["--to", "2025-11-01"]):
        plain = json.loads(cli([*pay, *scope]).stdout)
        detailed = json.loads(cli([*pay, *scope, "--detail"]).stdout)
        assert plain["reconciliation"] == detailed["reconciliation"], scope
        segments = sum(s["minutes"] for s in detailed["detail"])
        assert round(segments / 60, 4) == detailed["reconciliation"]["hours_paid"], scope  # the trail shows the minutes in scope
