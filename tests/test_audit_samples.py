"""The sample register (samples/exports/earnings/register.csv) audited against the sample policy: the three
underpayments samples/exports/earnings/make_register.py put there, found with the right amounts, in every format."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES, check_golden
from peerpay.jobs.audit import audit_report, run_audit

EXPORTS = SAMPLES / "exports" / "earnings"
ARGS = ["audit", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
        "-s", SAMPLES / "schedule.csv", "--register", EXPORTS / "register.csv", "--register-map", EXPORTS / "register.toml"]


@pytest.fixture(scope="module")
def sample():
    return run_audit(SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", EXPORTS / "register.csv", EXPORTS / "register.toml",
                     SAMPLES / "roster.csv", SAMPLES / "schedule.csv")


def test_the_three_underpayments_are_found_with_their_amounts(sample):
    found = [(f["employee_id"], str(__import__("numpy").datetime64(int(f["period_start"]), "D")), f["component"],
              f["owed"], f["paid"], f["difference"]) for _, f in sample.findings.iterrows()]
    assert found == [
        # 1. HL002's night differential for the period 11/09-11/22 is missing. Owed: the pay lines of
        #    the weeks of 11/09 and 11/16 hold night $100.00 (40 h x $2.50) and $120.00 (48 h x $2.50)
        #    = $220.00; paid $0.00.
        ("HL002", "2025-11-09", "differential:night", 22000, 0, -22000),
        # 2. HL004's standby for 11/23-12/06 at $2.00 an hour instead of the policy's $3.00: on call
        #    97 h + 8 h = 105 h; owed 105 x 3.00 = $315.00, paid 105 x 2.00 = $210.00: $105.00 short.
        ("HL004", "2025-11-23", "standby", 31500, 21000, -10500),
        # 3. HL016's overtime for 11/09-11/22 at 1.5 x the base rate ($42.03, rn step 2), as if the
        #    differentials were not in the regular rate (29 CFR 778.207(b)):
        #      paid: OT 11.5 h x 63.045 = 725.0175 -> $725.02; its straight time, 11.5 h at the
        #            period's average base rate (3,677.63 / 87.5 h = 42.030057), 483.3457 -> $483.35,
        #            counts as base pay; the premium paid is 725.02 - 483.35 = $241.67
        #      owed: the weeks' overtime premiums at their regular rates, $32.45 (1.5 h x 0.5 x
        #            43.2705) + $218.10 (10 h x 0.5 x 43.6208) = $250.55
        #      short 250.55 - 241.67 = $8.88
        ("HL016", "2025-11-09", "overtime", 25055, 24167, -888),
    ]
    assert sample.totals["underpaid"] == 22000 + 10500 + 888 == 33388
    assert sample.totals["overpaid"] == 0 and sample.totals["lines_underpaid"] == 3
    assert sample.totals["difference"] == -33388
    assert sample.problems == []
    # every other line of the register matches the policy to the cent, base pay included
    assert (sample.lines["status"] == "ok").sum() == len(sample.lines) - 3
    assert sample.lines["difference:base"].abs().max() == 0


def test_the_register_reconciles_and_ignored_codes_are_named(sample):
    recon = sample.register.reconciliation()
    assert recon["balanced"] and recon["lines_read"] == 195 == recon["lines_used"] + recon["lines_ignored"]
    assert sorted(sample.register.ignored) == ["CELL", "PTO", "VAC"]
    assert any("Left out, as the map's [codes] ignore says: CELL 3 line(s) $75.00" in n for n in sample.notes)


def test_json_report_has_the_documented_keys(cli):
    result = cli([*ARGS, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["register", "tolerance", "components", "lines", "findings", "employees", "rejected",
                            "not_audited", "totals", "notes", "reconciliation", "meta"]
    line = report["lines"][0]
    assert list(line) == ["employee_id", "period_start", "period_end", "status", "flagged", "owed", "paid", "difference",
                          "owed_hours", "paid_hours"]
    assert list(line["owed"]) == [*report["components"], "gross"]
    assert list(report["findings"][0]) == ["employee_id", "period_start", "period_end", "component", "status", "owed", "paid",
                                           "difference", "owed_hours", "paid_hours"]
    assert report["findings"][0]["owed_hours"] is None  # a differential has no hours of its own in the lines
    assert report["totals"]["underpaid"] == 333.88 and report["totals"]["findings"] == 3
    assert "Payroll paid $333.88 less than the policy owes" in result.stderr


def test_table_md_csv_xlsx_html(cli, tmp_path, regen_golden):
    md = cli([*ARGS, "-f", "md"])
    assert md.exit_code == 0
    check_golden("audit_samples.md", md.stdout, regen_golden)
    assert md.stdout.startswith("## Payroll paid $333.88 less than the policy owes")
    csv = cli([*ARGS, "-f", "csv"]).stdout.splitlines()
    assert csv[0].startswith("employee_id,period_start,period_end,status,flagged,owed:gross,paid:gross,difference:gross")
    assert len(csv) == 1 + 48
    assert any(row.startswith('"HL004","2025-11-23","2025-12-06","underpaid","standby"') for row in csv)
    book = tmp_path / "audit.xlsx"
    assert cli([*ARGS, "-o", book]).exit_code == 0
    wb = load_workbook(book)
    assert wb.sheetnames[:4] == ["findings", "lines", "by employee", "rejected"]
    assert [c.value for c in wb["findings"][1]][:4] == ["Employee ID", "Period start", "Period end", "Component"]
    assert wb["findings"].cell(2, 6).value == 220  # owed, as a number
    page = tmp_path / "audit.html"
    assert cli([*ARGS, "-o", page]).exit_code == 0
    html = page.read_text()
    assert "Payroll paid $333.88 less than the policy owes" in html and "differential:night" in html


def test_exit_code_4_only_when_asked(cli, tmp_path):
    assert cli(ARGS).exit_code == 0
    assert cli([*ARGS, "--fail-on-underpayment"]).exit_code == 4
    # a rejected row wins: the audit is incomplete (3)
    bad = tmp_path / "register.csv"
    bad.write_text((EXPORTS / "register.csv").read_text().replace(",REG,Regular,40.00,20.8265,833.06", ",REG,Regular,40.00,20.8265,83x.06", 1))
    args = [a if a != EXPORTS / "register.csv" else bad for a in ARGS]
    result = cli([*args, "--fail-on-underpayment"])
    assert result.exit_code == 3
    assert "rejected: register.csv:1:Amount: not an amount: '83x.06' (dollars, e.g. 1,234.50)" in result.stderr


def test_usage_errors(cli, tmp_path):
    assert cli([*ARGS, "--tolerance", "0.001"]).exit_code == 2
    assert cli([*ARGS, "--tolerance", "ten"]).exit_code == 2
    result = cli([*ARGS, "--from", "2025-11-02", "--to", "2025-11-15"])
    assert result.exit_code == 2 and "leave them out" in result.stderr
    result = cli([*ARGS, "-o", EXPORTS / "register.csv"])
    assert result.exit_code == 2 and "input" in result.stderr


def test_demo_shows_the_audit(cli):
    result = cli(["demo", "--samples", SAMPLES])
    assert result.exit_code == 0
    assert "Did payroll pay what the policy owes?" in result.stdout
    assert "Payroll paid $333.88 less than the policy owes" in result.stdout


def test_the_sample_register_is_what_its_generator_writes():
    done = subprocess.run([sys.executable, str(EXPORTS / "make_register.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_report_of_an_audit_is_json_ready(sample):
    report = audit_report(sample)
    json.dumps({k: v for k, v in report.items() if k != "lines"})
    assert report["not_audited"] == {"employee_weeks": 0, "owed": 0.0, "from": None, "to": None}


def test_readme_shows_the_audits_own_findings_table(cli):
    """README's "payroll paid $X less" table is the command's Markdown output, pasted."""
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    md = cli([*ARGS, "-f", "md"]).stdout
    table = md.split("difference = paid - owed):\n\n", 1)[1].split("\n\n", 1)[0]
    assert table in readme, "README.md: re-paste the audit findings table from `peerpay audit ... -f md`"
    assert "payroll paid $333.88 less than the" in readme


def test_a_summary_timesheet_keeps_every_paid_component_and_says_what_it_could_not_compute():
    from peerpay.io.exports import apply_map_to_file
    from peerpay.io.readers import read_policy

    policy = read_policy(SAMPLES / "policy.toml")
    ts = SAMPLES / "exports" / "summary_by_code.csv"
    mapped = apply_map_to_file(ts, SAMPLES / "exports" / "summary_by_code.toml", None, policy.timezone)
    a = run_audit(ts, policy, EXPORTS / "register.csv", EXPORTS / "register.toml", SAMPLES / "roster.csv",
                  SAMPLES / "schedule.csv", mapped=mapped)
    # the differentials were not computed from hours by code, yet what payroll paid for them is compared, not dropped
    assert "differential:night" in a.components
    assert int(a.lines["paid:differential:night"].sum()) == int(a.register.lines.loc[
        a.register.lines["component"] == "differential:night", "cents"].sum())
    assert a.totals["paid"] == 6436103
    assert any(n.startswith("The timesheet is a summary export") for n in a.notes)


def test_claim_on_the_sample(cli):
    """The sample's three underpayments as back pay (docs/formats.md §6), week by week:

    * HL002's night differential, $220.00, shared by what each week owes: 11/09 $100.00 (40 h,
      no overtime: workweek averaging, the straight time paid is far above the minimum, so the
      FLSA owes nothing) and 11/16 $120.00 (48 h, an overtime week: every hour at its own rate,
      night included, 29 CFR 778.315: the FLSA owes the $120.00 too).
    * HL004's standby, $105.00 ($97.00 and $8.00 by week): on-call time is not hours worked, so
      only the contract measure claims it.
    * HL016's overtime, $8.88: the period's premium paid $241.67 shared 32.45 : 218.10 ->
      $31.30 and $210.37, short $1.15 and $7.73. In the week of 11/09 the FLSA owes nothing:
      the holiday premium ($262.69 at time and a half) is creditable against overtime (29 U.S.C.
      207(h)(2)). In the week of 11/16 it owes the $7.73.
    Claim 220.00 + 105.00 + 8.88 = $333.88; FLSA 120.00 + 7.73 = $127.73 = liquidated damages.
    """
    result = cli([*ARGS, "--claim", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    claim = json.loads(result.stdout)["claim"]
    weeks = {(w["employee_id"], w["week_start"]): (w["contract_back_wages"], w["flsa_back_wages"]) for w in claim["weeks"]}
    assert weeks == {("HL002", "2025-11-09"): (100.0, 0.0), ("HL002", "2025-11-16"): (120.0, 120.0),
                     ("HL004", "2025-11-23"): (97.0, 0.0), ("HL004", "2025-11-30"): (8.0, 0.0),
                     ("HL016", "2025-11-09"): (1.15, 0.0), ("HL016", "2025-11-16"): (7.73, 7.73)}
    t = claim["totals"]
    assert (t["back_wages"], t["flsa_back_wages"], t["liquidated_damages"], t["total_owed"]) == (333.88, 127.73, 127.73, 461.61)
    table = cli([*ARGS, "--claim"]).stdout
    assert "Back pay for the underpaid weeks" in table and "Claim $333.88" in table
