"""Issue 11: every report records its run, from one record (cli/common.run_record).

JSON keeps ``meta.peerpay_version`` and ``meta.holidays_version`` and gains the record's keys;
table and Markdown end with a short "Run:" footer (after every table); the workbook's "Run"
sheet and the JSON carry the same hashes. tests/conftest.py fixes PEERPAY_RUN_TIME.
"""

from __future__ import annotations

import hashlib
import json

import openpyxl

from conftest import SAMPLES

PAY = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]
RUN_TIME = "2025-12-01T09:00:00+00:00"  # tests/conftest.py


def sha(name: str) -> str:
    return hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()


def test_pay_json_meta_keeps_versions_and_adds_the_run(cli):
    meta = json.loads(cli([*PAY, "-f", "json"]).stdout)["meta"]
    assert meta["peerpay_version"] == "0.1.0" and "holidays_version" in meta  # the keys that were there stay
    assert meta["command"] == "peerpay pay" and meta["run_time"] == RUN_TIME
    assert [f["file"] for f in meta["inputs"]] == ["timesheet.csv", "policy.toml", "roster.csv", "schedule.csv"]  # names, no folders
    assert meta["inputs"][0]["sha256"] == sha("timesheet.csv")
    assert meta["inputs"][0]["bytes"] == (SAMPLES / "timesheet.csv").stat().st_size
    assert meta["policy_sha256"] == sha("policy.toml")
    assert meta["period"] == "2025-11-01 to 2025-11-30 (pay period: monthly); workweeks starting 2025-10-26 to 2025-11-30"
    assert meta["holidays"].startswith("2025-11-11, 2025-11-27")
    assert str(SAMPLES) not in json.dumps(meta)


def test_table_and_md_end_with_the_run_footer(cli):
    for fmt in ("table", "md"):
        out = cli([*PAY, "-f", fmt]).stdout
        footer = out[out.rindex("Run: "):]
        assert footer.startswith("Run: peerpay 0.1.0, 2025-12-01T09:00:00 UTC; peerpay pay")
        assert f"timesheet.csv sha256 {sha('timesheet.csv')[:12]}…" in footer
        assert "Period: 2025-11-01 to 2025-11-30 (pay period: monthly); workweeks starting 2025-10-26" in footer
        assert out.index("Reconciliation:") < out.index("Run: ")  # after the tables: a pasted table stays whole


def test_run_sheet_and_json_hash_the_same_inputs(cli, tmp_path):
    out = tmp_path / "pay.xlsx"
    assert cli([*PAY, "-o", out]).exit_code == 0
    rows = dict(openpyxl.load_workbook(out)["Run"].iter_rows(min_row=2, values_only=True))
    assert rows["run time"] == RUN_TIME and rows["holidays version"]
    assert rows["input timesheet.csv"].startswith(f"sha256 {sha('timesheet.csv')}")
    assert rows["policy sha256"] == sha("policy.toml")


def test_every_command_records_its_run(cli):
    cost = ["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
            "-s", SAMPLES / "schedule.csv", "--proposal", SAMPLES / "proposals" / "union.toml"]
    gap = ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--peer-role", "peer_specialist"]
    backpay = ["backpay", "-t", SAMPLES / "timesheet.csv", "-u", SAMPLES / "unpaid_work.csv", "-p", SAMPLES / "policy.toml",
               "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]
    stipends = ["stipends", "--stipends", SAMPLES / "stipends.csv"]
    for args in (cost, gap, backpay, stipends):
        meta = json.loads(cli([*args, "-f", "json"]).stdout)["meta"]
        assert meta["command"] == f"peerpay {args[0]}" and meta["run_time"] == RUN_TIME, args[0]
        assert meta["inputs"] and {"peerpay_version", "holidays_version"} <= set(meta), args[0]
        assert "Run: peerpay 0.1.0" in cli([*args, "-f", "md"]).stdout, args[0]
