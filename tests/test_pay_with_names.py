"""``pay --with-names``: the roster's name and role beside each employee id; off by default, never published."""

from __future__ import annotations

import json

import openpyxl

from conftest import SAMPLES

PAY = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]


def test_default_has_no_names(cli):
    out = cli([*PAY, "-f", "csv"]).stdout
    assert out.splitlines()[0].startswith('employee_id,week_start') and "Dana Mooring" not in out
    assert "Dana Mooring" not in cli([*PAY, "-f", "json"]).stdout


def test_csv_json_and_table_carry_name_and_role(cli):
    csv = cli([*PAY, "--with-names", "-f", "csv"]).stdout.splitlines()
    assert csv[0].startswith("employee_id,name,role,week_start")
    assert csv[1].startswith('"HL001","Dana Mooring","peer_specialist","2025-11-02"')  # samples/roster.csv row 1
    line = json.loads(cli([*PAY, "--with-names", "-f", "json"]).stdout)["lines"][0]
    assert list(line)[:4] == ["employee_id", "name", "role", "week_start"] and line["name"] == "Dana Mooring"
    table = cli([*PAY, "--with-names"]).stdout
    assert "Dana Mooring" in table and "peer_specialist" in table


def test_workbook_pay_lines_have_the_name_columns(cli, tmp_path):
    out = tmp_path / "pay.xlsx"
    assert cli([*PAY, "--with-names", "-o", out]).exit_code == 0
    book = openpyxl.load_workbook(out)
    header, first = list(book["pay lines"].values)[:2]
    assert header[:4] == ("Employee ID", "Name", "Role", "Week start")
    assert first[1] == "Dana Mooring"
    assert "Dana Mooring" in [r[1] for r in book["by employee"].values]


def test_with_names_needs_a_roster_and_published_reports_have_no_such_option(cli):
    res = cli(["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "--with-names"])
    assert res.exit_code == 2 and "--with-names needs --roster" in res.stderr
    gap = cli(["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--peer-role", "peer_specialist",
               "--publish", "--with-names"])
    assert gap.exit_code == 2 and "Dana Mooring" not in gap.stdout
