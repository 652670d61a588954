"""Column maps (``--map``): each vendor export pays exactly like the canonical timesheet it came from."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SAMPLES, dedent
from peerpay.errors import InputError
from peerpay.io.exports import apply_map_to_file, loads_map, read_map
from peerpay.jobs.pay import run_pay
from peerpay.io.readers import read_policy

EXPORTS = SAMPLES / "exports"
VENDORS = ["adp_wfn", "paychex_flex", "ukg_punches", "ukg_timecard", "peoplesoft"]
LEAVE_DROPPED = {"adp_wfn": 3, "paychex_flex": 3, "ukg_punches": 0, "ukg_timecard": 3, "peoplesoft": 3}
PAY_ARGS = ["--policy", SAMPLES / "policy.toml", "--roster", SAMPLES / "roster.csv", "--schedule", SAMPLES / "schedule.csv"]


def pay_export(path, map_path, sheet=None):
    policy = read_policy(SAMPLES / "policy.toml")
    mapped = apply_map_to_file(path, map_path, sheet, policy.timezone)
    return run_pay(path, policy, SAMPLES / "roster.csv", SAMPLES / "schedule.csv", sheet=sheet, raw_timesheet=mapped)


@pytest.fixture(scope="module")
def canonical():
    return run_pay(SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", SAMPLES / "roster.csv", SAMPLES / "schedule.csv").report


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_export_pays_like_the_canonical_timesheet(vendor, canonical):
    report = pay_export(EXPORTS / f"{vendor}.csv", EXPORTS / f"{vendor}.toml").report
    assert report["lines"] == canonical["lines"]
    assert report["totals"] == canonical["totals"]
    assert report["rejected"] == []
    recon = report["reconciliation"]
    assert recon["balanced"] and recon["rows_paid"] == 300
    assert recon["rows_dropped"] == LEAVE_DROPPED[vendor]
    assert report["map"]["not_computed"] == []


def test_xlsx_export_on_a_named_sheet_pays_like_the_canonical_timesheet(canonical):
    # Line Date is a real Excel date cell here; the sheet sits behind a cover sheet
    report = pay_export(EXPORTS / "paychex_flex.xlsx", EXPORTS / "paychex_flex.toml", sheet="Hours").report
    assert report["lines"] == canonical["lines"]


def test_cli_json_of_a_vendor_export_is_the_canonical_json(cli):
    canon = cli(["pay", "-t", SAMPLES / "timesheet.csv", *PAY_ARGS, "-f", "json"])
    adp = cli(["pay", "-t", EXPORTS / "adp_wfn.csv", "--map", EXPORTS / "adp_wfn.toml", *PAY_ARGS, "-f", "json"])
    assert adp.exit_code == 0, adp.stderr
    assert json.loads(adp.stdout)["lines"] == json.loads(canon.stdout)["lines"]
    assert "3 dropped by the map" in adp.stderr
    assert "map: left out codes that are not hours worked: PTO 1 rows 8.00 h, VAC 2 rows 12.00 h" in adp.stderr


def test_summary_export_pays_hours_base_and_standby_and_names_what_it_cannot(canonical):
    run = pay_export(EXPORTS / "summary_by_code.csv", EXPORTS / "summary_by_code.toml")
    keep = ("employee_id", "week_start", "hours_worked", "on_call_hours", "base_pay", "standby_pay")
    assert [{k: ln[k] for k in keep} for ln in run.report["lines"]] == [{k: ln[k] for k in keep} for ln in canonical["lines"]]
    not_computed = " | ".join(run.report["map"]["not_computed"])
    for rule in ("evening", "night", "weekend", "holiday_premium", "daily overtime", "call-back minimum"):
        assert rule in not_computed
    assert "weekly overtime" not in not_computed  # periods are Sunday..Saturday workweeks: weekly OT is paid
    assert run.report["reconciliation"]["balanced"]


def test_summary_with_biweekly_periods_cannot_compute_weekly_overtime(tmp_path, files):
    export = files.write("register.csv", """\
        Employee ID,Period Begin,Period End,Earnings Code,Hours,Rate
        E1,11/02/2025,11/15/2025,REG,90.00,20.00
        """)
    cmap = files.write("m.toml", """\
        [columns]
        employee_id = "Employee ID"
        rate = "Rate"
        [summary]
        begin = "Period Begin"
        end = "Period End"
        hours = "Hours"
        date_format = "%m/%d/%Y"
        [codes]
        column = "Earnings Code"
        work = ["REG"]
        """)
    pol = files.write("p.toml", "[overtime]\nweekly_hours = 40\n")
    mapped = apply_map_to_file(export, cmap)
    run = run_pay(export, pol, raw_timesheet=mapped)
    assert any("weekly overtime" in n for n in run.report["map"]["not_computed"])
    assert sum(ln["hours_worked"] for ln in run.report["lines"]) == 90.0
    assert all(ln["overtime_hours"] == 0 for ln in run.report["lines"])


def test_errors_name_the_original_file_row_and_column(tmp_path):
    # row 2's third group has an impossible 12-hour time; row 3 an unknown code; row 5 Feb 30th
    lines = (EXPORTS / "adp_wfn.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [l.split(",") for l in lines[1:]]
    rows[1][header.index("Hours 3 In")] = "13:99 PM"
    rows[2][header.index("Hours 2 Code")] = "XYZ"
    rows[4][header.index("Hours 1 Date")] = "02/30/2025"
    bad = tmp_path / "adp_bad.csv"
    bad.write_text("\n".join(",".join(r) for r in [header] + rows) + "\n")
    report = pay_export(bad, EXPORTS / "adp_wfn.toml").report
    got = [(p["file"], p["row"], p["column"], p["reason"]) for p in report["rejected"]]
    assert got == [
        ("adp_bad.csv", 2, "Hours 3 In", "not a time '13:99 PM' (expected %I:%M %p)"),
        ("adp_bad.csv", 3, "Hours 2 Code", "pay code 'XYZ' is not in the map's [codes] (add it under work, on_call, callback or drop)"),
        ("adp_bad.csv", 5, "Hours 1 Date", "not a date '02/30/2025' (expected %m/%d/%Y)"),
    ]
    assert report["reconciliation"]["balanced"]


def test_engine_rejections_are_reported_against_the_export(files):
    # the engine finds the overlap; the report names the export's row and its time column
    export = files.write("tc.csv", """\
        Employee ID,Date,Pay Code,In,Out,Wage
        E1,11/03/2025,Regular,08:00AM,04:00PM,20
        E1,11/03/2025,Regular,12:00PM,08:00PM,20
        E1,11/03/2025,Regular,10:00PM,06:00AM,20
        """)
    cmap = files.write("m.toml", """\
        [columns]
        employee_id = "Employee ID"
        rate = "Wage"
        [start]
        date = "Date"
        time = "In"
        date_format = "%m/%d/%Y"
        time_format = "%I:%M%p"
        [end]
        time = "Out"
        time_format = "%I:%M%p"
        [codes]
        column = "Pay Code"
        work = ["Regular"]
        """)
    run = run_pay(export, files.write("p.toml", ""), raw_timesheet=apply_map_to_file(export, cmap))
    assert [(p.row, p.column, p.reason) for p in run.problems] == [(2, "In", "overlaps row 1 of the same employee")]
    assert run.report["lines"][0]["hours_worked"] == 16.0  # 08-16 + 22-06 (next day)


def test_punches_without_a_partner_are_rejected(files):
    export = files.write("punches.csv", """\
        Person Number,Punch DTM,Punch Type,Rate
        E1,2025-11-03 08:00,In,20
        E1,2025-11-03 16:00,Out,20
        E1,2025-11-04 08:00,In,20
        E2,2025-11-04 16:00,Out,20
        """)
    cmap = files.write("m.toml", """\
        [columns]
        employee_id = "Person Number"
        rate = "Rate"
        [punches]
        at = "Punch DTM"
        direction = "Punch Type"
        """)
    run = run_pay(export, files.write("p.toml", ""), raw_timesheet=apply_map_to_file(export, cmap))
    assert [(p.row, p.column) for p in run.problems] == [(3, "Punch DTM"), (4, "Punch DTM")]
    assert "punch in without a punch out" in run.problems[0].reason
    assert run.report["totals"]["hours_worked"] == 8.0
    assert run.report["reconciliation"]["balanced"]


@pytest.mark.parametrize(
    "body, message",
    [
        ('[columns]\nemployee_id = "x"\n[start]\ncolumn = "s"\n[end]\ncolum = "e"\n', "end.colum: unknown key (did you mean 'column'?)"),
        ('[columns]\nemployee_id = "x"\n', "give [start] and [end]"),
        ('[columns]\nemployee_id = "x"\n[start]\ncolumn = "s"\n[end]\ncolumn = "e"\n[codes]\ncolumn = "c"\nwork = ["A"]\ndrop = ["a"]\n',
         "code 'a' is listed under both work and drop"),
        ('[columns]\nemployee_id = "x"\n[unpivot]\ncode = "Hours Code"\n[start]\ncolumn = "s"\n[end]\ncolumn = "e"\n', "must contain {n}"),
        ('[columns]\nemployee_id = "x"\n[start]\ncolumn = "s"\nformat = "MM/DD/YYYY"\n[end]\ncolumn = "e"\n', "has no % directive"),
        ("not toml = = =", "not valid TOML"),
    ],
)
def test_map_mistakes_are_named(body, message):
    with pytest.raises(ValueError, match=None) as exc:
        loads_map(body)
    assert message in str(exc.value)


def test_a_map_naming_a_missing_column_stops_with_a_suggestion(files):
    export = files.write("e.csv", "Worker ID,Start,End\nE1,2025-11-03 08:00,2025-11-03 16:00\n")
    cmap = files.write("m.toml", '[columns]\nemployee_id = "Worker Id "\n[start]\ncolumn = "Starts"\n[end]\ncolumn = "End"\n')
    with pytest.raises(InputError, match=r"column 'Starts' named in the map is not in the file \(did you mean 'start'\?\)"):
        apply_map_to_file(export, cmap)


def test_shipped_maps_are_valid_and_the_exports_are_up_to_date():
    for path in sorted(EXPORTS.glob("*.toml")):
        read_map(path)
    done = subprocess.run([sys.executable, EXPORTS / "make_exports.py", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_init_writes_a_starter_policy_and_map_that_validate(cli, tmp_path):
    result = cli(["init", tmp_path])
    assert result.exit_code == 0
    from peerpay.models.policy import loads_policy

    loads_policy((tmp_path / "policy.toml").read_text())
    assert loads_map((tmp_path / "map.toml").read_text()).layout == "shifts"
    again = cli(["init", tmp_path])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli(["init", tmp_path, "--force"]).exit_code == 0


def test_validate_prints_every_problem_at_once(cli, tmp_path):
    ts = tmp_path / "t.csv"
    ts.write_text(dedent("""\
        employee_id,start,end,rate
        E1,2025-11-03 08:00,2025-11-03 16:00,20
        E1,2025-02-30 08:00,2025-02-30 16:00,20
        E1,2025-11-04 08:00,2025-11-04 07:00,abc
        E1,2025-11-03 08:00,2025-11-03 16:00,20
        """))
    pol = tmp_path / "p.toml"
    pol.write_text('[overtime]\nweekly_hour = 40\n')
    human = cli(["validate", "-t", ts, "-p", pol])
    assert human.exit_code == 1  # the policy is unusable
    assert human.stdout.splitlines() == [
        "error: p.toml: overtime.weekly_hour: unknown key (did you mean 'weekly_hours'?)",
        "error: t.csv:2:start: no such date or time '2025-02-30 08:00'",
        "error: t.csv:3:end: end is before start",
        "error: t.csv:4:start: overlaps row 1 of the same employee",
        "warning: t.csv:4: same as row 1 (a duplicate: it is paid only once, the copy is rejected as an overlap)",
    ]
    pol.write_text("[overtime]\nweekly_hours = 40\n")
    js = cli(["validate", "-t", ts, "-p", pol, "--format", "json"])
    assert js.exit_code == 3
    data = json.loads(js.stdout)
    assert data["ok"] is False and data["counts"] == {"errors": 3, "warnings": 1}
    assert data["errors"][0] == {"file": "t.csv", "row": 2, "column": "start", "reason": "no such date or time '2025-02-30 08:00'"}
    clean = cli(["validate", "-t", SAMPLES / "timesheet.csv", *PAY_ARGS])
    assert clean.exit_code == 0, clean.stdout


def test_validate_checks_an_export_through_its_map(cli):
    result = cli(["validate", "-t", EXPORTS / "ukg_timecard.csv", "--map", EXPORTS / "ukg_timecard.toml", *PAY_ARGS])
    assert result.exit_code == 0, result.stdout
    assert "left out codes that are not hours worked" in result.stdout


def test_the_audit_trail_points_at_the_export_rows(files):
    export = files.write("e.csv", """\
        Emp,Date,In,Hrs,Code,Rate
        E1,11/03/2025,08:00 AM,8.00,REG,20
        E1,11/04/2025,,8.00,VAC,
        E1,11/05/2025,08:00 AM,8.00,REG,20
        """)
    cmap = files.write("m.toml", """\
        [columns]
        employee_id = "Emp"
        rate = "Rate"
        [start]
        date = "Date"
        time = "In"
        date_format = "%m/%d/%Y"
        time_format = "%I:%M %p"
        [end]
        hours = "Hrs"
        [codes]
        column = "Code"
        work = ["REG"]
        drop = ["VAC"]
        """)
    run = run_pay(export, files.write("p.toml", ""), raw_timesheet=apply_map_to_file(export, cmap))
    assert sorted(run.result.segments["row"].unique()) == [1, 3]


def test_wide_export_counts_shifts_in_the_rejected_list_and_the_reconciliation(cli):
    # issue 11: without a roster no shift has a rate. The rejected list used to say 75 (export rows,
    # one rejection per row and column) while the reconciliation said 299 (shifts after [unpivot]).
    # Now both count shifts: 303 shifts read from 75 export rows = 1 paid + 299 rejected + 3 dropped.
    res = cli(["pay", "-t", EXPORTS / "adp_wfn.csv", "--map", EXPORTS / "adp_wfn.toml", "-p", SAMPLES / "policy.toml"])
    assert res.exit_code == 3
    r = json.loads(cli(["pay", "-t", EXPORTS / "adp_wfn.csv", "--map", EXPORTS / "adp_wfn.toml", "-p", SAMPLES / "policy.toml",
                        "-f", "json"]).stdout)
    recon = r["reconciliation"]
    assert (recon["rows_read"], recon["rows_paid"], recon["rows_rejected"], recon["rows_dropped"]) == (303, 1, 299, 3)
    assert len(r["rejected"]) == recon["rows_rejected"] == 299
    assert r["rejected"][0]["column"] == "Hours 1 Temp Rate"  # the export's own cell, not the map's key "temp_rate"
    assert "Rejected shifts (299)" in res.stdout
    assert "303 shifts read (from 75 export rows) = 1 paid + 299 rejected + 3 dropped by the map" in res.stdout


def test_summary_export_under_california_tiers_keeps_only_the_weekly_tier():
    # a summary by pay period has no workdays: the daily and seventh-day tiers cannot be counted
    from peerpay.models.policy import Policy, loads_policy

    ca = loads_policy('[overtime]\nrules = "CA"\n')
    mapped = apply_map_to_file(EXPORTS / "summary_by_code.csv", EXPORTS / "summary_by_code.toml", None, None)
    run = run_pay(EXPORTS / "summary_by_code.csv", ca, SAMPLES / "roster.csv", SAMPLES / "schedule.csv", raw_timesheet=mapped)
    assert "daily overtime" in " | ".join(run.report["map"]["not_computed"])
    assert [t.name for t in run.policy.overtime.tiers] == ["weekly_40"] and run.policy.overtime.state_law == "CA"
    assert isinstance(run.policy, Policy)
