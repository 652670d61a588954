"""`peerpay validate` predicts `peerpay pay` (issue 25, item 5).

On a corpus of files (the samples, the vendor exports through their maps, the hostile files and a
few rate-resolution cases) both commands run with the same inputs: they end with the same exit
code, validate's errors are exactly the rows pay rejects (file, row, column and reason), and
validate says "usable" only when pay pays every row. The issue's case: a timesheet without rates,
checked without a roster and a schedule, was "usable" while pay rejected 299 of its 300 rows.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
S = ROOT / "samples"
E = S / "exports"
H = ROOT / "tests" / "hostile"
RATES = ["-r", S / "roster.csv", "-s", S / "schedule.csv"]

ROSTER = "employee_id,role,step\nP1,peer_specialist,1\nP2,peer_specialist,9\n"
SCHEDULE = "role,step,hourly_rate\npeer_specialist,1,19.00\n"
SHIFTS = ("employee_id,start,end,rate\nP1,2025-11-03 08:00,2025-11-03 16:00,\nP2,2025-11-03 08:00,2025-11-03 16:00,\n"
          "P3,2025-11-03 08:00,2025-11-03 16:00,\nP3,2025-11-04 08:00,2025-11-04 16:00,21.50\n")


def _rate_cases(tmp: Path) -> list[list]:
    """P1 resolves through the roster and schedule; P2's step is not in the schedule; P3 is not in the
    roster (its second row carries a rate of its own)."""
    for name, text in (("roster.csv", ROSTER), ("schedule.csv", SCHEDULE), ("t.csv", SHIFTS)):
        (tmp / name).write_text(text, encoding="utf-8")
    (tmp / "p.toml").write_text("", encoding="utf-8")
    t, p = tmp / "t.csv", tmp / "p.toml"
    return [["-t", t, "-p", p], ["-t", t, "-p", p, "-r", tmp / "roster.csv", "-s", tmp / "schedule.csv"],
            ["-t", t, "-p", p, "-r", tmp / "roster.csv"]]


def corpus(tmp: Path) -> list[list]:
    cases = [["-t", S / "timesheet.csv", "-p", S / "policy.toml"],  # the issue: no roster, no schedule
             ["-t", S / "timesheet.csv", "-p", S / "policy.toml", *RATES],
             ["-t", S / "timesheet_employer2.csv", "-p", S / "policy.toml"],
             ["-t", S / "unpaid_work.csv", "-p", S / "policy.toml", *RATES],
             ["-t", S / "small_org" / "timesheet.csv", "-p", S / "small_org" / "policy.toml",
              "-r", S / "small_org" / "roster.csv", "-s", S / "small_org" / "schedule.csv"]]
    for export in sorted(E.glob("*.toml")):
        data = next(E.glob(export.stem + ".csv"), None) or E / f"{export.stem}.xlsx"
        cases += [["-t", data, "--map", export, "-p", S / "policy.toml", *RATES], ["-t", data, "--map", export, "-p", S / "policy.toml"]]
    cases += [["-t", f, "-p", H / "policy.toml"] for f in sorted(H.iterdir()) if f.name != "policy.toml"]
    return cases + _rate_cases(tmp)


def test_the_corpus_is_wide(tmp_path):
    assert len(corpus(tmp_path)) >= 40


def _problems(records) -> set[tuple]:
    return {(p["file"], p["row"], p["column"], p["reason"]) for p in records}


def test_validate_and_pay_agree_on_every_file_of_the_corpus(cli, tmp_path):
    disagree = []
    for case in corpus(tmp_path):
        v = cli(["validate", *case, "-f", "json"])
        p = cli(["pay", *case, "-f", "json"])
        label = " ".join(str(a).replace(str(ROOT), ".").replace(str(tmp_path), "tmp") for a in case)
        if v.exit_code != p.exit_code:
            disagree.append(f"{label}: validate exit {v.exit_code}, pay exit {p.exit_code}")
            continue
        if p.exit_code == 1:  # a file or the policy is unusable: nothing is paid, validate says so
            assert json.loads(v.stdout)["ok"] is False, label
            continue
        checked, paid = json.loads(v.stdout), json.loads(p.stdout)
        if _problems(checked["errors"]) != _problems(paid["rejected"]):
            disagree.append(f"{label}: validate errors != pay's rejected rows")
        assert checked["ok"] is (paid["rejected"] == []), label
        rec = paid["reconciliation"]
        assert (checked["rows"]["read"], checked["rows"]["would_pay"], checked["rows"]["would_reject"]) == \
            (rec["rows_read"], rec["rows_paid"], rec["rows_rejected"]), label
    assert disagree == []


def test_usable_is_said_only_when_pay_would_pay_every_row(cli):
    bare = cli(["validate", "-t", S / "timesheet.csv", "-p", S / "policy.toml"])
    assert bare.exit_code == 3 and "inputs are usable" not in bare.stderr
    assert "299 error(s), 0 warning(s): pay would reject 299 of 300 rows" in bare.stderr
    assert "give both --roster and --schedule" in bare.stderr  # the hint pay gives too
    full = cli(["validate", "-t", S / "timesheet.csv", "-p", S / "policy.toml", *RATES])
    assert full.exit_code == 0 and "0 error(s), 0 warning(s): inputs are usable: pay would pay all 300 rows" in full.stderr


def test_rate_resolution_cases_by_hand(cli, tmp_path):
    bare, with_tables, roster_only = _rate_cases(tmp_path)
    # no roster and no schedule: only the row with its own rate (row 4) resolves
    v = json.loads(cli(["validate", *bare, "-f", "json"]).stdout)
    assert {e["row"]: e["column"] for e in v["errors"]} == {1: "rate", 2: "rate", 3: "rate"}
    # with both: P1 resolves (step 1 is in the schedule); P2's step 9 is not; P3 is not in the roster
    # (a roster, once given, must list every employee, even one whose row carries a rate)
    v = json.loads(cli(["validate", *with_tables, "-f", "json"]).stdout)
    assert {e["row"]: e["column"] for e in v["errors"]} == {2: "rate", 3: "employee_id", 4: "employee_id"}
    assert v["rows"] == {"read": 4, "would_pay": 1, "would_reject": 3}
    # a roster without a schedule: no row without a rate of its own resolves
    v = json.loads(cli(["validate", *roster_only, "-f", "json"]).stdout)
    assert {e["row"] for e in v["errors"]} >= {1, 2}
