"""The billing share worked by hand (docs/billing.md): billed per paid hour, pay per paid hour, the
share and unbilled hours; a bad billing file rejected row by row; the published view.

Week of 2025-02-02 (Sunday) .. 02-08, no overtime: P1 and P2 are peers, C1 a case manager.
"""

from __future__ import annotations

import json

from peerpay.jobs.billing import run_billing

TIMESHEET = "employee_id,start,end,rate\n" + "".join(
    f"{e},2025-02-0{d} 08:00,2025-02-0{d} 16:00,{r}\n" for e, r in (("P1", 20), ("P2", 18), ("C1", 30)) for d in range(3, 8))
ROSTER = "employee_id,role,step\nP1,peer_specialist,1\nP2,peer_specialist,1\nC1,case_manager,1\n"
FEES = """state,procedure_code,modifier,unit_minutes,rate,effective_date,source,status
MD,H0038,,15,20.00,2025-01-01,test,illustrative
MD,T1016,,15,25.00,2025-02-05,test,illustrative
"""
BILLING = """employee_id,service_date,procedure_code,modifier,units
P1,2025-02-03,H0038,,48
P1,2025-02-04,H0038,,48
P2,2025-02-05,H0038,,40
C1,2025-02-06,T1016,,80
"""


def run(files, billing=BILLING, **kw):
    paths = [files.write(n, t) for n, t in (("ts.csv", TIMESHEET), ("roster.csv", ROSTER), ("fees.csv", FEES), ("billing.csv", billing))]
    pol = files.write("policy.toml", "")
    return run_billing(paths[0], pol, paths[3], paths[2], roster=paths[1], peer_role="peer_specialist", **kw)


def test_shares_by_hand(files):
    # P1: paid 40 h x 20 = 800.00; billed 96 units x 20.00 = 1,920.00 (24 h): 48.00 per paid hour,
    #     pay 20.00 per paid hour, share 800 / 1,920 = 41.67 -> 41.7 cents; unbilled 40 - 24 = 16 h
    # P2: 720.00; 40 units x 20 = 800.00 (10 h): share 90.0 cents; unbilled 30 h
    # C1: 1,200.00; 80 units x 25 = 2,000.00 (20 h): share 60.0 cents; unbilled 20 h
    r = run(files)
    assert r.problems == []
    people = {p["employee_id"]: p for p in r.report["people"]}
    assert people["P1"] == {"employee_id": "P1", "role": "peer_specialist", "paid_hours": 40.0, "gross_pay": 800.0,
                            "billed_units": 96, "billed": 1920.0, "unbilled_hours": 16.0, "billed_per_paid_hour": 48.0,
                            "pay_per_paid_hour": 20.0, "cents_per_dollar_billed": 41.7}
    assert (people["P2"]["cents_per_dollar_billed"], people["P2"]["unbilled_hours"]) == (90.0, 30.0)
    assert (people["C1"]["cents_per_dollar_billed"], people["C1"]["unbilled_hours"]) == (60.0, 20.0)
    roles = {g["role"]: g for g in r.report["roles"]}
    # peers: (800 + 720) / (1,920 + 800) = 1,520 / 2,720 = 55.88 -> 55.9; median of 41.67 and 90 = 65.83 -> 65.8
    #        billed per paid hour 2,720 / 80 = 34.00; unbilled (16 + 30) / 80 = 57.5 %
    p = roles["peer_specialist"]
    assert (p["n"], p["cents_per_dollar_billed"], p["median_cents_per_dollar_billed"], p["billed_per_paid_hour"], p["unbilled_pct"]) == \
        (2, 55.9, 65.8, 34.0, 57.5)


def test_unbilled_hours_are_floored_at_zero(files):
    # 200 units (50 h) billed against 40 paid hours: no negative unbilled time
    r = run(files, "employee_id,service_date,procedure_code,units\nP1,2025-02-03,H0038,200\n")
    p1 = next(p for p in r.report["people"] if p["employee_id"] == "P1")
    assert p1["unbilled_hours"] == 0.0
    assert next(p for p in r.report["people"] if p["employee_id"] == "P2")["cents_per_dollar_billed"] is None  # billed nothing


BAD = """employee_id,service_date,procedure_code,modifier,units
P1,2025-02-03,H0038,,4
P1,2025-02-03,H9999,,4
P1,2025-02-03,H0038,,2.5
P1,2024-01-01,H0038,,4
ZZZ,2025-02-03,H0038,,4
P1,2025-02-03,H0038,HQ,4
C1,2025-02-03,T1016,,4
P1,2025-02-04,h0038,,four
"""


def test_a_bad_billing_file_is_rejected_row_by_row(files):
    r = run(files, BAD)
    got = [(p.file, p.row, p.column, p.reason) for p in r.problems]
    assert got == [
        ("billing.csv", 2, "procedure_code", "procedure code 'H9999' is not in the fee schedule for MD"),
        ("billing.csv", 3, "units", "units must be a whole number"),
        ("billing.csv", 4, "service_date", "service_date 2024-01-01 is outside the timesheet's period (2025-02-03 to 2025-02-07)"),
        ("billing.csv", 5, "employee_id", "employee_id 'ZZZ' is not in the roster"),
        ("billing.csv", 6, "modifier", "modifier HQ is not in the fee schedule for H0038 (MD)"),
        ("billing.csv", 7, "service_date", "no fee schedule rate for T1016 (MD) on 2025-02-03 (rates from 2025-02-05)"),
        ("billing.csv", 8, "units", "not a number 'four'"),
    ]
    p1 = next(p for p in r.report["people"] if p["employee_id"] == "P1")
    assert p1["billed_units"] == 4  # the rest is still computed


def test_cli_exit_3_and_every_format(files, cli):
    r = run(files)  # writes the files
    d = files.folder
    args = ["billing", "-t", str(d / "ts.csv"), "-p", str(d / "policy.toml"), "-r", str(d / "roster.csv"),
            "--billing", str(d / "billing.csv"), "--fee-schedule", str(d / "fees.csv")]
    ok = cli([*args, "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["roles"] == json.loads(json.dumps(r.report["roles"]))
    files.write("bad.csv", BAD)
    bad = cli([*args[:-4], "--billing", str(d / "bad.csv"), "--fee-schedule", str(d / "fees.csv"), "--format", "csv"])
    assert bad.exit_code == 3
    assert "bad.csv:2:procedure_code: procedure code 'H9999' is not in the fee schedule for MD" in bad.stderr
    for fmt in ("table", "md", "html"):
        out = cli([*args, "--format", fmt])
        assert out.exit_code == 0 and "peer" in out.stdout.lower()
    xlsx = cli([*args, "--output", str(d / "b.xlsx")])
    assert xlsx.exit_code == 0 and (d / "b.xlsx").stat().st_size > 0


def test_published_view_withholds_small_groups(files):
    # 2 peers and 1 case manager: every group is under 3 -> withheld, nobody by id, no dollar figure
    r = run(files, publish=True)
    assert "people" not in r.report
    assert [(g["role"], g["status"]) for g in r.report["roles"]] == [("case_manager", "withheld"), ("peer_specialist", "withheld")]
    assert all(set(g) <= {"role", "status", "suppressed"} for g in r.report["roles"])
