"""`peerpay backpay` / `peerpay stipends` through the CLI: every rejection path, exit codes, formats, golden."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import SAMPLES, check_golden, dedent
from peerpay.cli import main

POLICY = """
[workweek]
start_day = "sunday"
[overtime]
weekly_hours = 40
"""
PAID = """
employee_id,start,end,kind,rate
E1,2025-11-03 09:00,2025-11-03 17:00,work,20
E1,2025-11-04 09:00,2025-11-04 17:00,work,20
"""


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def files(tmp_path):
    def make(unpaid: str, paid: str = PAID, policy: str = POLICY):
        (tmp_path / "policy.toml").write_text(dedent(policy))
        (tmp_path / "paid.csv").write_text(dedent(paid))
        (tmp_path / "unpaid.csv").write_text(dedent(unpaid))
        return ["backpay", "-t", tmp_path / "paid.csv", "-u", tmp_path / "unpaid.csv", "-p", tmp_path / "policy.toml",
                "--minimum-wage", "7.25"]
    return make


GOOD = """
employee_id,start,end,rate
E1,2025-11-05 09:00,2025-11-05 10:00,20
"""


@pytest.mark.parametrize("row, column, reason", [
    ("E1,2025-11-05 09:00,2025-11-05 08:00,20", "end", "end is before start"),
    ("E1,2025-11-05 09:00,2025-11-06 10:00,20", "end", "shift is longer than 24 hours"),
    (",2025-11-05 09:00,2025-11-05 10:00,20", "employee_id", "employee_id is empty"),
    ("E1,yesterday,2025-11-05 10:00,20", "start", None),
    ("E1,2025-11-05 09:00,2025-11-05 10:00,abc", "rate", None),
    ("E1,2025-11-05 09:00,2025-11-05 10:00,", "rate", None),
    ("E1,2025-11-03 16:00,2025-11-03 18:00,20", "start", "overlaps a paid shift"),
    ("E1,2025-11-05 09:30,2025-11-05 10:30,20", "start", "overlaps row 1 of the same employee"),
])
def test_each_unpaid_rejection_names_file_row_column(files, row, column, reason):
    res = _run(files(GOOD + row + "\n") + ["--format", "json"])
    assert res.exit_code == 3, res.output
    (rej,) = json.loads(res.stdout)["rejected"]
    assert (rej["file"], rej["row"], rej["column"]) == ("unpaid.csv", 2, column)
    if reason:
        assert rej["reason"] == reason
    assert f"unpaid.csv:2:{column}:" in res.stderr
    assert json.loads(res.stdout)["totals"]["back_wages"] == 20.0  # the good row is still priced


def test_bad_kind_in_unpaid_log(files):
    res = _run(files("employee_id,start,end,kind,rate\nE1,2025-11-05 09:00,2025-11-05 10:00,standby,20\n") + ["-f", "json"])
    assert res.exit_code == 3
    assert json.loads(res.stdout)["rejected"][0]["column"] == "kind"


def test_a_rejected_paid_row_names_the_paid_file(files):
    res = _run(files(GOOD, paid=PAID + "E1,2025-11-06 09:00,2025-11-06 08:00,work,20\n") + ["-f", "json"])
    assert res.exit_code == 3
    assert json.loads(res.stdout)["rejected"] == [{"file": "paid.csv", "row": 3, "column": "end", "reason": "end is before start"}]


@pytest.mark.parametrize("extra, code, message", [
    (["-f", "xlsx"], 2, "needs --output"),
    (["--willful", "--lookback-years", "2"], 2, "--willful"),
    (["--with-names"], 2, "--roster"),
    (["--minimum-wage", "abc"], 2, "--minimum-wage"),
    (["--minimum-wage", "0"], 2, "--minimum-wage"),
    (["--lookback-years", "0"], 2, ""),
    (["--liquidated", "all", "--no-liquidated"], 2, "contradict"),
    (["--liquidated", "half"], 2, ""),
    (["--state-lookback-years", "0"], 2, ""),
])
def test_usage_errors_exit_2(files, extra, code, message):
    res = _run(files(GOOD) + extra)
    assert res.exit_code == code, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_output_over_an_input_is_refused(files, tmp_path):
    res = _run(files(GOOD) + ["-o", tmp_path / "unpaid.csv", "-f", "csv"])
    assert res.exit_code == 2 and "one of the inputs" in res.stderr
    assert (tmp_path / "unpaid.csv").read_text().startswith("employee_id")


def test_existing_output_needs_force(files, tmp_path):
    (tmp_path / "out.json").write_text("keep")
    res = _run(files(GOOD) + ["-o", tmp_path / "out.json", "-f", "json"])
    assert res.exit_code == 2 and (tmp_path / "out.json").read_text() == "keep"
    res = _run(files(GOOD) + ["-o", tmp_path / "out.json", "-f", "json", "--force"])
    assert res.exit_code == 0 and json.loads((tmp_path / "out.json").read_text())["totals"]["back_wages"] == 20.0


@pytest.mark.parametrize("unpaid, policy, code", [
    ("start,end\n2025-11-05 09:00,2025-11-05 10:00\n", POLICY, 1),  # missing employee_id
    (GOOD, "[overtime]\nweekly_hourz = 40\n", 1),  # invalid policy
])
def test_unusable_files_exit_1(files, unpaid, policy, code):
    res = _run(files(unpaid, policy=policy))
    assert res.exit_code == code and "Traceback" not in res.output and res.stderr.startswith("peerpay:")


def test_missing_unpaid_file_exits_1(files, tmp_path):
    args = files(GOOD)
    args[4] = tmp_path / "nope.csv"
    res = _run(args)
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_formats_and_statements(files, tmp_path):
    for fmt in ("table", "md", "csv"):
        res = _run(files(GOOD) + ["-f", fmt])
        assert res.exit_code == 0 and "E1" in res.stdout
    res = _run(files(GOOD) + ["-f", "xlsx", "-o", tmp_path / "b.xlsx", "--statements", tmp_path / "st", "--rejects", tmp_path / "r.csv"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b.xlsx").read_bytes()[:2] == b"PK"
    page = (tmp_path / "st" / "statement-E1.html").read_text()
    assert "$20.00" in page and "not legal advice" in page.lower().replace("\n", " ")
    assert "http" not in page and "<script" not in page  # self-contained, nothing fetched
    assert (tmp_path / "r.csv").read_text().startswith("file,row,column,reason")


def test_samples_golden_and_names_only_on_request(tmp_path, regen_golden):
    args = ["backpay", "-t", SAMPLES / "timesheet.csv", "-u", SAMPLES / "unpaid_work.csv", "-p", SAMPLES / "policy.toml",
            "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-f", "json"]
    res = _run(args + ["--statements", tmp_path / "st"])
    assert res.exit_code == 0, res.output
    check_golden("backpay_samples.json", res.stdout, regen_golden, as_json=True)
    assert "Dana Mooring" not in res.stdout + (tmp_path / "st" / "statement-HL001.html").read_text()
    res = _run(args + ["--with-names", "--statements", tmp_path / "named"])
    assert json.loads(res.stdout)["employees"][0]["name"] == "Dana Mooring"
    assert "Dana Mooring" in (tmp_path / "named" / "statement-HL001.html").read_text()


def test_stipends_cli(tmp_path):
    res = _run(["stipends", "--stipends", SAMPLES / "stipends.csv", "-p", SAMPLES / "policy.toml", "--living-wage", "24.50", "-f", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # by workweek (Maryland $15.00): V01 7 h and 7.5 h for $100 (Oct), V02 12 h for $150, V03 4 h for $50
    assert data["totals"]["weeks_below_minimum"] == 4 and data["totals"]["shortfall"] == 57.5
    (tmp_path / "s.csv").write_text("person,date,amount,hours\nV1,2025-11-01,50,0\nV1,2025-13-01,50,2\n,2025-11-01,50,2\n")
    res = _run(["stipends", "--stipends", tmp_path / "s.csv", "-f", "json"])
    assert res.exit_code == 3
    assert [(r["row"], r["column"]) for r in json.loads(res.stdout)["rejected"]] == [(1, "hours"), (2, "date"), (3, "person")]
    res = _run(["stipends", "--stipends", tmp_path / "s.csv", "--living-wage", "x"])
    assert res.exit_code == 2


def test_demo_shows_back_pay():
    res = _run(["demo", "--samples", SAMPLES])
    assert res.exit_code == 0 and "Back wages for unpaid work" in res.stdout


def test_gap_accepts_the_unpaid_log_and_stipend_peers():
    base = ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-t", SAMPLES / "timesheet.csv",
            "-p", SAMPLES / "policy.toml", "--as-of", "2025-11-30", "--basis", "earnings", "-f", "json"]
    res = _run(base + ["--unpaid", SAMPLES / "unpaid_work.csv", "--stipends", SAMPLES / "stipends.csv"])
    assert res.exit_code == 0, res.output
    groups = {g["role"]: g for g in json.loads(res.stdout)["groups"]}
    # the same records as backpay: 15.08 unpaid hours for peer specialists (tests/golden/backpay_samples.json)
    assert groups["peer_specialist"]["unpaid_hours"] == 15.08
    # stipend peers: V01 600 / 39.5 h = 15.19, V02 300 / 21 = 14.29, V03 350 / 23 = 15.22 -> median 15.19
    assert groups["stipend_peer"]["n"] == 3 and groups["stipend_peer"]["median_hourly"] == 15.19
    res = _run(base[:-4] + ["--stipends", SAMPLES / "stipends.csv"])
    assert res.exit_code == 1 and "--basis earnings" in res.stderr


def readable_header_key(header: str) -> str:
    """A workbook header back to its key (``FLSA back wages`` -> ``flsa_back_wages``)."""
    return str(header).lower().replace(" ", "_")


def test_every_format_and_the_statement_show_the_same_measures(tmp_path):
    """The samples through table, JSON, CSV, XLSX and the statements: the three measures and the claim
    of every week (and every employee) are the same figures everywhere."""
    import io

    import openpyxl
    import pandas as pd

    args = ["backpay", "-t", SAMPLES / "timesheet.csv", "-u", SAMPLES / "unpaid_work.csv", "-p", SAMPLES / "policy.toml",
            "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--as-of", "2025-12-01"]
    data = json.loads(_run(args + ["-f", "json"]).stdout)
    measures = ["contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages", "liquidated_damages"]
    expected = {(w["employee_id"], w["week_start"]): [w[m] for m in measures] for w in data["weeks"]}
    assert len(expected) == 10 and any(v[0] != v[1] for v in expected.values())  # the measures differ somewhere

    csv = pd.read_csv(io.StringIO(_run(args + ["-f", "csv"]).stdout), dtype={"week_start": str})
    assert {(r.employee_id, r.week_start): [getattr(r, m) for m in measures] for r in csv.itertuples()} == expected

    assert _run(args + ["-f", "xlsx", "-o", tmp_path / "b.xlsx"]).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["weeks"]
    rows = list(sheet.iter_rows(values_only=True))
    head = [readable_header_key(h) for h in rows[0]]
    got = {(r[head.index("employee_id")], str(r[head.index("week_start")])[:10]): [r[head.index(m)] for m in measures] for r in rows[1:]}
    assert got == expected

    table = _run(args + ["-f", "table"]).stdout
    for (emp, week), values in expected.items():
        line = next(ln for ln in table.splitlines() if ln.startswith(emp) and week in ln)
        assert [f"{v:,.2f}" for v in values] == line.split()[-5:]

    assert _run(args + ["-f", "json", "--statements", tmp_path / "st"]).exit_code == 0
    for e in data["employees"]:
        page = (tmp_path / "st" / f"statement-{e['employee_id']}.html").read_text()
        for w in [w for w in data["weeks"] if w["employee_id"] == e["employee_id"]]:
            block = page[page.index(f"Workweek starting {w['week_start']}"):]
            block = block[:block.index("</table>")]
            for key, m in (("contract", "contract_back_wages"), ("flsa", "flsa_back_wages"), ("state", "state_back_wages"),
                           ("claim", "back_wages"), ("liquidated", "liquidated_damages")):
                row = block[block.index(f'data-key="{key}"'):]
                amount = row[row.index("<td"):]
                assert amount[amount.index(">") + 1:amount.index("</td>")] == f"${w[m]:,.2f}"
        claim = page[page.index('data-key="claim"', page.index("Amount claimed")):]
        assert f"${e['back_wages']:,.2f}" in claim[:claim.index("</tr>")]


def test_liquidated_all_and_the_state_lookback_through_the_cli(files):
    # E1: 16 h paid at $20 (Mon, Tue); 1 unpaid hour Wed: contract 20.00; FLSA averaging 17 x 7.25 <= 320 -> 0
    res = _run(files(GOOD) + ["-f", "json", "--liquidated", "all", "--state-lookback-years", "4", "--as-of", "2025-12-01"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["liquidated_damages_basis"], data["state_lookback_years"], data["state_lookback_from"]) == ("all", 4, "2021-12-01")
    assert data["totals"] == data["totals"] | {"back_wages": 20.0, "flsa_back_wages": 0.0, "liquidated_damages": 20.0, "total_owed": 40.0}
    res = _run(files(GOOD) + ["-f", "json"])
    assert json.loads(res.stdout)["totals"]["liquidated_damages"] == 0.0  # federal amount by default


def test_backpay_with_the_sample_stipend_log(tmp_path):
    args = ["backpay", "-t", SAMPLES / "timesheet.csv", "-u", SAMPLES / "unpaid_work.csv", "-p", SAMPLES / "policy.toml",
            "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--stipends", SAMPLES / "stipends.csv", "-f", "json"]
    res = _run(args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    stipend_weeks = {(w["employee_id"], w["week_start"]): w["state_back_wages"] for w in data["weeks"] if w["employee_id"].startswith("V")}
    # the four stipend weeks below Maryland's $15.00 (the same as `peerpay stipends`), federal: none below $7.25
    assert stipend_weeks == {("V01", "2025-10-05"): 5.0, ("V01", "2025-10-19"): 12.5, ("V02", "2025-10-12"): 30.0,
                             ("V03", "2025-11-02"): 10.0}
    assert all(w["flsa_back_wages"] == 0 for w in data["weeks"] if w["employee_id"].startswith("V"))
