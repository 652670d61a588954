"""`pay` and `validate` warn when a workweek's straight-time pay is below the minimum wage of the days
worked x the hours (29 CFR 776.4; docs/backpay.md "Minimum wage by the day worked"), in every format."""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from peerpay.cli import main

from conftest import dedent

FL_POLICY = '[workweek]\nstart_day = "sunday"\n[overtime]\nweekly_hours = 40\n[holiday]\ncountry = "US"\nsubdivision = "FL"\n'

# Florida: $13.00 until 2025-09-29, $14.00 from 2025-09-30. Weeks start on Sunday.
# week 2025-09-21: Mon 09-22, Tue 09-23, 8 h each at $13.50 = 216.00 >= 16 x 13.00 = 208.00  -> fine
#   (valued on the week's last day, 09-27, it is $13.00 too; the September month's last day, 09-30, would be $14.00)
# week 2025-09-28: Mon 09-29 (13.00) + Tue 09-30 (14.00), 8 h each = 216.00; required 104 + 112 = 216.00 -> fine
#   (at the week's last day's $14.00: 224.00, a false warning of 8.00)
# week 2025-10-05: Mon 10-06, 8 h = 108.00 < 8 x 14.00 = 112.00 -> short by 4.00 (row 5)
TIMESHEET = """
employee_id,start,end,rate
F1,2025-09-22 09:00,2025-09-22 17:00,13.50
F1,2025-09-23 09:00,2025-09-23 17:00,13.50
F1,2025-09-29 09:00,2025-09-29 17:00,13.50
F1,2025-09-30 09:00,2025-09-30 17:00,13.50
F1,2025-10-06 09:00,2025-10-06 17:00,13.50
"""
WARNING = {"employee_id": "F1", "week_start": "2025-10-05", "hours_worked": 8.0, "straight_time_pay": 108.0, "minimum_wage": 14.0,
           "minimum_wage_pay": 112.0, "shortfall": 4.0}


def _files(tmp_path):
    (tmp_path / "p.toml").write_text(FL_POLICY)
    (tmp_path / "t.csv").write_text(dedent(TIMESHEET))
    return ["-t", str(tmp_path / "t.csv"), "-p", str(tmp_path / "p.toml")]


def test_pay_json_lists_each_week_below_the_minimum_of_its_days(tmp_path):
    for extra in ([], ["--detail"]):  # from the audit trail, or by paying the straddling weeks again
        res = CliRunner().invoke(main, ["pay", *_files(tmp_path), "-f", "json", *extra])
        assert res.exit_code == 0, res.output
        mw = json.loads(res.stdout)["minimum_wage"]
        assert mw["jurisdiction"] == "US-FL" and mw["below_minimum"] == [WARNING]
        assert "warning: 1 workweek(s) paid below the minimum wage" in res.stderr and "F1" not in res.stderr  # counts only


def test_pay_text_workbook_and_csv(tmp_path):
    table = CliRunner().invoke(main, ["pay", *_files(tmp_path)]).stdout
    section = table[table.index("Workweeks paid below the minimum wage"):]
    assert "F1" in section and "2025-10-05" in section and "4.00" in section and "2025-09-28" not in section
    assert CliRunner().invoke(main, ["pay", *_files(tmp_path), "-o", str(tmp_path / "p.xlsx")]).exit_code == 0
    rows = list(openpyxl.load_workbook(tmp_path / "p.xlsx")["below minimum wage"].iter_rows(values_only=True))
    assert rows[1][0] == "F1" and rows[1][-1] == 4.0
    res = CliRunner().invoke(main, ["pay", *_files(tmp_path), "-f", "csv"])  # the CSV holds the lines: the warning goes to stderr
    assert res.exit_code == 0 and "1 workweek(s) paid below the minimum wage" in res.stderr


def test_no_section_when_every_week_is_paid_enough(tmp_path):
    args = _files(tmp_path)
    (tmp_path / "t.csv").write_text(dedent(TIMESHEET).replace("F1,2025-10-06 09:00,2025-10-06 17:00,13.50\n", ""))
    res = CliRunner().invoke(main, ["pay", *args, "-f", "json"])
    assert json.loads(res.stdout)["minimum_wage"]["below_minimum"] == [] and "minimum wage" not in res.stderr
    assert "below the minimum wage" not in CliRunner().invoke(main, ["pay", *args]).stdout


def test_validate_warns_at_the_week_s_first_row(tmp_path):
    res = CliRunner().invoke(main, ["validate", *_files(tmp_path), "-f", "json"])
    assert res.exit_code == 0, res.output  # a warning, not an error
    (w,) = [w for w in json.loads(res.stdout)["warnings"] if "minimum wage" in w["reason"]]
    assert (w["file"], w["row"], w["column"]) == ("t.csv", 5, "rate")
    assert "workweek of 2025-10-05" in w["reason"] and "$108.00" in w["reason"] and "by $4.00" in w["reason"]
    assert "F1" not in w["reason"]  # the row says who; the message carries no id
    human = CliRunner().invoke(main, ["validate", *_files(tmp_path)])
    assert "warning: t.csv:5:rate: workweek of 2025-10-05" in human.stdout
