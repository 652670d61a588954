"""`peerpay pay` through click's CliRunner: rejections, exit codes, formats, output files, golden files.

Exit codes (docs/formats.md §4): 0 all paid, 3 some rows rejected, 2 usage, 1 unreadable file or invalid
policy (message on stderr, no output file written).

Golden files: ``python -m pytest tests/test_pay_cli.py --regen-golden`` rewrites
tests/golden/pay_samples.{json,md} from the current code; review the diff before committing.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from conftest import GOLDEN, SAMPLES, check_golden, dedent

GOOD_ROW = "A,2025-02-03 08:00,2025-02-03 16:00,work,20"
POLICY = 'timezone = "America/New_York"\n[overtime]\nweekly_hours = 40\n'


@pytest.fixture
def paths(tmp_path):
    """Write a timesheet (header + rows) and the policy; return (timesheet, policy)."""

    def make(*rows: str, header: str = "employee_id,start,end,kind,rate", policy: str = POLICY):
        ts = tmp_path / "ts.csv"
        ts.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        pol = tmp_path / "policy.toml"
        pol.write_text(dedent(policy), encoding="utf-8")
        return ts, pol

    return make


def pay_json(cli, ts, pol, *extra):
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json", *extra])
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


# ---------------------------------------------------------------------------------------------
# Rejections: exact file:row:column, exit 3, the other rows still paid
# ---------------------------------------------------------------------------------------------

REJECTIONS = [
    # (row as it appears in the CSV, column named, words in the reason)
    ("A,yesterday,2025-02-04 16:00,work,20", "start", "not a date-time"),
    ("A,2025-02-30 08:00,2025-03-01 16:00,work,20", "start", "no such date"),
    ("A,2025-02-04 16:00,2025-02-04 08:00,work,20", "end", "end is before start"),
    ("A,2025-02-04 08:00,2025-02-04 08:00,work,20", "end", "end is the same as start"),
    ("A,2025-02-04 08:00,2025-02-05 08:01,work,20", "end", "longer than 24 hours"),
    ("A,2025-02-04 08:00,2025-02-04 10:00,nap,20", "kind", "kind must be work, on_call or callback"),
    ("A,2025-02-04 08:00,2025-02-04 10:00,work,twenty", "rate", "not a number"),
    ("A,2025-02-04 08:00,2025-02-04 10:00,work,-5", "rate", "must not be below 0"),
    ("A,2025-02-04 08:00,2025-02-04 10:00,work,", "rate", "no rate"),
    ("A,2025-02-03 15:00,2025-02-03 18:00,work,20", "start", "overlaps row 1"),
    ("A,2025-03-09 02:30,2025-03-09 06:00,work,20", "start", "does not exist in America/New_York"),
    ("A,2025-03-08 22:00,2025-03-09 02:15,work,20", "end", "does not exist in America/New_York"),
    (",2025-02-04 08:00,2025-02-04 10:00,work,20", "employee_id", "employee_id is empty"),
    ("A,2025-02-04 08:00:30,2025-02-04 10:00,work,20", "start", "has seconds"),
    ("A,2025-02-04 08:00,,work,20", "end", "end is empty"),
]


@pytest.mark.parametrize("row, column, reason", REJECTIONS, ids=[r[2] for r in REJECTIONS])
def test_rejected_row(cli, paths, row, column, reason):
    ts, pol = paths(GOOD_ROW, row)
    result, report = pay_json(cli, ts, pol)
    assert result.exit_code == 3
    assert len(report["rejected"]) == 1
    rej = report["rejected"][0]
    assert (rej["file"], rej["row"], rej["column"]) == ("ts.csv", 2, column)
    assert reason in rej["reason"]
    assert f"ts.csv:2:{column}: " in result.stderr  # file:row:column on stderr
    # the good row is still paid, the bad one contributes nothing
    assert report["totals"] == {"hours_worked": 8.0, "gross_pay": 160.0}


def test_first_offending_column_in_file_order(cli, paths):
    # bad kind and bad rate on one row: kind comes first in the file; with the columns swapped,
    # rate does. One entry per row.
    ts, pol = paths("A,2025-02-04 08:00,2025-02-04 10:00,nap,oops")
    _, report = pay_json(cli, ts, pol)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(1, "kind")]
    ts, pol = paths("A,2025-02-04 08:00,2025-02-04 10:00,oops,nap", header="employee_id,start,end,rate,kind")
    _, report = pay_json(cli, ts, pol)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(1, "rate")]


def test_unknown_employee_with_roster(cli, paths, tmp_path):
    ts, pol = paths(GOOD_ROW, "GHOST,2025-02-04 08:00,2025-02-04 10:00,work,20")
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,role,step\nA,peer_specialist,1\n", encoding="utf-8")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("role,step,hourly_rate\npeer_specialist,1,20\n", encoding="utf-8")
    result, report = pay_json(cli, ts, pol, "-r", roster, "-s", schedule)
    assert result.exit_code == 3
    assert report["rejected"] == [
        {"file": "ts.csv", "row": 2, "column": "employee_id", "reason": "employee_id 'GHOST' is not in the roster"}
    ]


def test_on_call_may_overlap_work_but_not_on_call(cli, paths):
    ts, pol = paths(
        "A,2025-02-03 17:00,2025-02-04 07:00,on_call,20",
        "A,2025-02-03 22:00,2025-02-03 23:00,callback,20",
        "A,2025-02-04 06:00,2025-02-04 08:00,on_call,20",
    )
    result, report = pay_json(cli, ts, pol)
    assert result.exit_code == 3
    assert [(r["row"], r["column"], r["reason"]) for r in report["rejected"]] == [
        (3, "start", "overlaps row 1 of the same employee")
    ]


def test_contract_section_4_example(cli, tmp_path):
    # The JSON example printed in docs/formats.md §4, reproduced: 44 h at $20 in the week of Sun
    # 2025-03-02, 8 of them in a $2.50 night window; row 7 has its end before its start.
    #   base 44 x $20 = $880; night 8 x $2.50 = $20; regular rate = $900 / 44 = $20.4545
    #   OT premium = 0.5 x 900/44 x 4 = $40.909 -> $40.91; gross = 880 + 20 + 40.91 = $940.91
    ts = tmp_path / "t.csv"
    ts.write_text(dedent("""
        employee_id,start,end,rate
        E1,2025-03-03 08:00,2025-03-03 16:00,20
        E1,2025-03-04 08:00,2025-03-04 16:00,20
        E1,2025-03-05 08:00,2025-03-05 16:00,20
        E1,2025-03-06 08:00,2025-03-06 16:00,20
        E1,2025-03-07 23:00,2025-03-08 07:00,20
        E1,2025-03-08 08:00,2025-03-08 12:00,20
        E1,2025-03-08 18:00,2025-03-08 14:00,20
        """), encoding="utf-8")
    pol = tmp_path / "p.toml"
    pol.write_text(dedent("""
        [overtime]
        weekly_hours = 40
        [[differential]]
        name = "night"
        start = "23:00"
        end = "07:00"
        per_hour = 2.50
        """), encoding="utf-8")
    result, report = pay_json(cli, ts, pol)
    assert result.exit_code == 3
    assert {k: report[k] for k in ("lines", "rejected", "totals")} == {
        "lines": [
            {"employee_id": "E1", "week_start": "2025-03-02",
             "hours_worked": 44.0, "on_call_hours": 0.0, "overtime_hours": 4.0,
             "base_pay": 880.00, "differential_pay": {"night": 20.00},
             "holiday_premium": 0.00, "standby_pay": 0.00, "callback_premium": 0.00,
             "overtime_premium": 40.91, "regular_rate": 20.4545, "gross_pay": 940.91}],
        "rejected": [{"file": "t.csv", "row": 7, "column": "end", "reason": "end is before start"}],
        "totals": {"hours_worked": 44.0, "gross_pay": 940.91},
    }
    # key order is the contract's
    assert list(report["lines"][0]) == ["employee_id", "week_start", "hours_worked", "on_call_hours", "overtime_hours",
                                        "base_pay", "differential_pay", "holiday_premium", "standby_pay",
                                        "callback_premium", "overtime_premium", "regular_rate", "gross_pay"]


def test_rejects_file(cli, paths, tmp_path):
    ts, pol = paths(GOOD_ROW, "A,2025-02-04 16:00,2025-02-04 08:00,work,20")
    out = tmp_path / "rejects.csv"
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json", "--rejects", out])
    assert result.exit_code == 3
    frame = pd.read_csv(out)
    assert frame.to_dict("records") == [{"file": "ts.csv", "row": 2, "column": "end", "reason": "end is before start"}]


def test_no_rejections_exit_zero(cli, paths):
    ts, pol = paths(GOOD_ROW)
    result, report = pay_json(cli, ts, pol)
    assert result.exit_code == 0
    assert report["rejected"] == []
    assert report["reconciliation"]["balanced"] is True


# ---------------------------------------------------------------------------------------------
# Exit 1 (unusable input) and 2 (usage)
# ---------------------------------------------------------------------------------------------

def test_invalid_policy_suggests_the_key_and_writes_nothing(cli, paths, tmp_path):
    ts, pol = paths(GOOD_ROW, policy="[overtime]\nweekly_hour = 40\n")
    out = tmp_path / "out.json"
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", out])
    assert result.exit_code == 1
    assert "overtime.weekly_hour: unknown key (did you mean 'weekly_hours'?)" in result.stderr
    assert result.stdout == ""
    assert not out.exists()
    assert list(tmp_path.glob(".*.part")) == []


@pytest.mark.parametrize(
    "policy, words",
    [
        ('[[differential]]\nname = "n"\nstart = "23:00"\nend = "07:00"\nper_hr = 2\n', "did you mean 'per_hour'?"),
        ('timezon = "UTC"\n', "did you mean 'timezone'?"),
        ('timezone = "Mars/Olympus"\n', "unknown IANA timezone"),
        ("[overtime]\nsystem = \"8_and_80\"\nperiod_start = 2025-02-02\n", "establishment"),
        ("[overtime\n", "not valid TOML"),
        ('[holiday]\ncountry = "XX"\n', "holiday calendar"),
    ],
)
def test_invalid_policies_exit_1(cli, paths, policy, words):
    ts, pol = paths(GOOD_ROW, policy=policy)
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json"])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("which", ["timesheet", "policy", "roster"])
def test_missing_file_exit_1(cli, paths, tmp_path, which):
    ts, pol = paths(GOOD_ROW)
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,role,step\nA,x,1\n", encoding="utf-8")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("role,step,hourly_rate\nx,1,20\n", encoding="utf-8")
    args = {"timesheet": ts, "policy": pol, "roster": roster}
    args[which] = tmp_path / "missing.csv"
    result = cli(["pay", "-t", args["timesheet"], "-p", args["policy"], "-r", args["roster"], "-s", schedule])
    assert result.exit_code == 1
    assert "missing.csv: no such file" in result.stderr


@pytest.mark.parametrize(
    "text, words",
    [("", "the file is empty"), ("employee_id,start\nA,2025-02-03 08:00\n", "missing required column(s) end")],
)
def test_unusable_timesheet_exit_1(cli, tmp_path, text, words):
    ts = tmp_path / "ts.csv"
    ts.write_text(text, encoding="utf-8")
    pol = tmp_path / "p.toml"
    pol.write_text("", encoding="utf-8")
    result = cli(["pay", "-t", ts, "-p", pol])
    assert result.exit_code == 1
    assert words in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["pay"],  # no --timesheet
        ["pay", "-t", "{ts}"],  # no --policy
        ["pay", "-t", "{ts}", "-p", "{pol}", "-f", "pdf"],
        ["pay", "-t", "{ts}", "-p", "{pol}", "-f", "xlsx"],  # xlsx needs --output
        ["pay", "-t", "{ts}", "-p", "{pol}", "--bogus"],
    ],
)
def test_usage_errors_exit_2(cli, paths, args):
    ts, pol = paths(GOOD_ROW)
    result = cli([a.format(ts=ts, pol=pol) for a in args])
    assert result.exit_code == 2


# ---------------------------------------------------------------------------------------------
# Formats and output files
# ---------------------------------------------------------------------------------------------

DIFF_POLICY = POLICY + '[[differential]]\nname = "evening"\nstart = "15:00"\nend = "23:00"\nper_hour = 2\n'


def test_format_csv_is_the_lines_flat(cli, paths):
    ts, pol = paths("A,2025-02-03 12:00,2025-02-03 20:00,work,20", "B,2025-02-03 08:00,2025-02-03 16:00,work,=1+1",
                    policy=DIFF_POLICY)
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "csv"])
    assert result.exit_code == 3
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == [
        "employee_id", "week_start", "hours_worked", "on_call_hours", "overtime_hours", "base_pay",
        "differential:evening", "holiday_premium", "standby_pay", "callback_premium", "overtime_premium",
        "regular_rate", "gross_pay",
    ]
    # 12:00-20:00: 5 h in 15-23 x $2 = $10
    assert frame.to_dict("records")[0]["differential:evening"] == 10.0
    assert frame.to_dict("records")[0]["gross_pay"] == 170.0


def test_format_csv_when_every_row_is_rejected_still_has_a_header(cli, paths):
    # Found while writing these tests: an empty report gave a CSV without even a header row,
    # which a downstream reader (pandas.read_csv) refuses as "no columns to parse".
    ts, pol = paths("A,nope,2025-02-03 16:00,work,20", policy=DIFF_POLICY)
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "csv"])
    assert result.exit_code == 3
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert len(frame) == 0
    assert {"employee_id", "week_start", "differential:evening", "gross_pay"} <= set(frame.columns)


def test_format_csv_detail_is_the_audit_trail(cli, paths, tmp_path):
    # issue 11: the segments are a second file beside the lines (they used to replace the lines on stdout)
    ts, pol = paths("A,2025-02-03 12:00,2025-02-03 20:00,work,20", policy=DIFF_POLICY)
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "csv", "--detail", "-o", tmp_path / "pay.csv"])
    assert result.exit_code == 0
    assert "gross_pay" in pd.read_csv(tmp_path / "pay.csv").columns  # the lines, unchanged
    frame = pd.read_csv(tmp_path / "pay.detail.csv")
    assert {"employee_id", "row", "kind", "from", "to", "hours", "rules", "daily_ot_hours", "weekly_ot_hours"} <= set(frame.columns)
    # cut at the window edge 15:00: 3 h base only, 5 h base + evening
    assert frame[["hours", "rules"]].values.tolist() == [[3.0, "base"], [5.0, "base+evening"]]


@pytest.mark.parametrize("fmt, heading", [("md", "## Gross pay by employee"), ("table", "Gross pay by employee\n====")])
def test_format_md_and_table(cli, paths, fmt, heading):
    ts, pol = paths(GOOD_ROW, "A,2025-02-04 16:00,2025-02-04 08:00,work,20")
    result = cli(["pay", "-t", ts, "-p", pol, "-f", fmt])
    assert result.exit_code == 3
    out = result.stdout
    assert out.startswith(heading)
    assert "TOTAL" in out and "160.00" in out
    assert "Rejected rows (1)" in out and "end is before start" in out
    assert "Reconciliation: 2 rows read = 1 paid + 1 rejected" in out
    detail = cli(["pay", "-t", ts, "-p", pol, "-f", fmt, "--detail"]).stdout
    assert "Audit trail" in detail and "Audit trail" not in out


def test_format_xlsx_reads_back(cli, paths, tmp_path):
    ts, pol = paths("A,2025-02-03 12:00,2025-02-03 20:00,work,20", "A,bad,2025-02-04 08:00,work,20", policy=DIFF_POLICY)
    out = tmp_path / "pay.xlsx"
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "xlsx", "-o", out, "--detail"])
    assert result.exit_code == 3
    book = openpyxl.load_workbook(out)
    # issue 11 added the Run and Policy sheets and readable headers (the JSON/CSV keep the pinned names)
    assert book.sheetnames == ["pay lines", "by employee", "rejected", "audit trail", "Run", "Policy", "notes"]
    rows = list(book["pay lines"].values)
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert header[:3] == ("Employee ID", "Week start", "Hours worked")
    assert (first["Employee ID"], first["Base pay"], first["Differential: evening"], first["Gross pay"]) == ("A", 160, 10, 170)
    assert book["pay lines"]["F2"].number_format == "$#,##0.00"  # base_pay as currency
    rejected = list(book["rejected"].values)
    assert rejected[1][:3] == ("ts.csv", 2, "start")


def test_format_xlsx_when_every_row_is_rejected_still_has_a_header(cli, paths, tmp_path):
    # Found while writing these tests: the "pay lines" sheet of an all-rejected run was blank.
    ts, pol = paths("A,nope,2025-02-03 16:00,work,20", policy=DIFF_POLICY)
    out = tmp_path / "pay.xlsx"
    assert cli(["pay", "-t", ts, "-p", pol, "-f", "xlsx", "-o", out]).exit_code == 3
    rows = list(openpyxl.load_workbook(out)["pay lines"].values)
    assert rows[0][:2] == ("Employee ID", "Week start") and "Differential: evening" in rows[0]
    assert len(rows) == 1


def test_format_json_matches_run_pay(cli, paths):
    from peerpay.jobs.pay import run_pay

    ts, pol = paths(GOOD_ROW, policy=DIFF_POLICY)
    _, report = pay_json(cli, ts, pol)
    expected = json.loads(json.dumps(run_pay(ts, pol).report))
    # the CLI adds its run record to ``meta`` (issue 11): the job's meta keys are kept as they are
    meta = report.pop("meta")
    assert meta.items() >= expected.pop("meta").items()
    assert report == expected


def test_output_file_is_refused_when_it_exists(cli, paths, tmp_path):
    ts, pol = paths(GOOD_ROW)
    out = tmp_path / "out.json"
    out.write_text("keep me", encoding="utf-8")
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", out])
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    result = cli(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", out, "--force"])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["totals"]["gross_pay"] == 160.0
    assert result.stdout == ""  # the report went to the file, not stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "policy.toml", "ts.csv"]  # no temp files


def test_output_file_empty_or_new_is_written(cli, paths, tmp_path):
    ts, pol = paths(GOOD_ROW)
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    assert cli(["pay", "-t", ts, "-p", pol, "-f", "md", "-o", empty]).exit_code == 0
    assert empty.read_text(encoding="utf-8").startswith("## Gross pay by employee")
    new = tmp_path / "sub" / "new.json"
    assert cli(["pay", "-t", ts, "-p", pol, "-f", "json", "-o", new]).exit_code == 0
    assert json.loads(new.read_text(encoding="utf-8"))["lines"][0]["employee_id"] == "A"


def test_logs_never_print_names(cli, tmp_path):
    # the roster's name column is never printed, in stdout or stderr
    ts = tmp_path / "ts.csv"
    ts.write_text("employee_id,start,end\nA,2025-02-03 08:00,2025-02-03 16:00\nA,bad,2025-02-03 16:00\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name,role,step\nA,Secret Person,peer_specialist,1\n", encoding="utf-8")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("role,step,hourly_rate\npeer_specialist,1,20\n", encoding="utf-8")
    pol = tmp_path / "p.toml"
    pol.write_text("", encoding="utf-8")
    for fmt in ("json", "csv", "md", "table"):
        # csv --detail writes two files (issue 11): lines and segments; both are checked
        to = ["-o", tmp_path / "out.csv", "--force"] if fmt == "csv" else []
        result = cli(["pay", "-t", ts, "-p", pol, "-r", roster, "-s", schedule, "-f", fmt, "--detail", *to])
        assert result.exit_code == 3
        files = "".join(p.read_text() for p in tmp_path.glob("out*.csv")) if to else ""
        assert "Secret" not in result.stdout + result.stderr + files


# ---------------------------------------------------------------------------------------------
# Golden files: the bundled samples
# ---------------------------------------------------------------------------------------------

def _sample_args(fmt):
    return ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml",
            "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-f", fmt]


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_golden_samples(cli, regen_golden, fmt):
    result = cli(_sample_args(fmt))
    assert result.exit_code in (0, 3), result.stderr
    check_golden(f"pay_samples.{fmt}", result.stdout, regen_golden, as_json=fmt == "json")


def test_golden_samples_are_internally_consistent():
    report = json.loads((GOLDEN / "pay_samples.json").read_text(encoding="utf-8"))
    assert report["reconciliation"]["balanced"] is True
    total = sum(round(ln["gross_pay"] * 100) for ln in report["lines"])
    assert total == round(report["totals"]["gross_pay"] * 100)


def test_roster_without_schedule_checks_employees_and_pays_row_rates(tmp_path):
    # A roster alone is enough to catch a mistyped employee id; rates come from the rows.
    # A: 8 h x $20 = $160.00. Row 2 names an employee the roster does not have -> exit 3.
    ts = tmp_path / "t.csv"
    ts.write_text("employee_id,start,end,rate\nA,2025-03-03 09:00,2025-03-03 17:00,20\nZ,2025-03-03 09:00,2025-03-03 17:00,20\n")
    pol = tmp_path / "p.toml"
    pol.write_text("")
    ros = tmp_path / "r.csv"
    ros.write_text("employee_id,role,step\nA,peer_specialist,1\n")
    from click.testing import CliRunner

    from peerpay.cli import main

    res = CliRunner().invoke(main, ["pay", "-t", str(ts), "-p", str(pol), "-r", str(ros), "-f", "json"])
    assert res.exit_code == 3
    import json

    out = json.loads(res.stdout)
    assert out["rejected"] == [{"file": "t.csv", "row": 2, "column": "employee_id", "reason": "employee_id 'Z' is not in the roster"}]
    assert out["totals"] == {"hours_worked": 8.0, "gross_pay": 160.0}
