"""Issue 14, hand-worked: one person at two employers, joint employment, credential premiums and
the certification bonus (docs/joint-and-credentials.md). Every number below is worked by hand."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from pydantic import ValidationError

from peerpay.core.joint import bonus_overtime, bonus_weeks_split, largest_remainder
from peerpay.jobs.pay import person_report, run_pay_many
from peerpay.models.policy import Policy

POLICY = """
[workweek]
start_day = "sun"
[overtime]
weekly_hours = 40
multiplier = 1.5
[[differential]]
name = "night"
start = "23:00"
end = "07:00"
per_hour = 2.00
roles = ["night_peer"]
[joint_employment]
employers = ["Harbor", "Bay"]
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip())
    return p


def _two_employers(tmp_path, policy=POLICY):
    # Person P1 is A1 at Harbor ($20/h, day shifts) and B1 at Bay ($16/h, evenings into the night)
    _write(tmp_path, "roster.csv", """\
        employee_id,role,step,employer,person_id
        A1,peer,1,Harbor,P1
        B1,night_peer,1,Bay,P1
        C1,peer,1,Harbor,
        """)
    # Harbor: Mon-Fri 2025-11-03..07, 08:00-13:00 = 5 x 5 h = 25 h at $20
    a = "employee_id,start,end,rate\n" + "".join(f"A1,2025-11-0{d} 08:00,2025-11-0{d} 13:00,20\n" for d in range(3, 8))
    a += "".join(f"C1,2025-11-0{d} 08:00,2025-11-0{d} 16:00,20\n" for d in range(3, 8))  # 40 h alone
    # Bay: Mon-Fri 20:00-01:00 = 5 x 5 h = 25 h at $16, of which 23:00-01:00 = 2 h a night at +$2
    b = "employee_id,start,end,rate,employer\n" + "".join(
        f"B1,2025-11-0{d} 20:00,2025-11-0{d + 1} 01:00,16,Bay\n" for d in range(3, 8))
    _write(tmp_path, "harbor.csv", a)
    _write(tmp_path, "bay.csv", b)
    pol = Policy.model_validate(__import__("tomllib").loads(policy))
    return run_pay_many([tmp_path / "harbor.csv", tmp_path / "bay.csv"], pol, tmp_path / "roster.csv")


def test_two_employers_25_plus_25_with_a_night_differential(tmp_path):
    run = _two_employers(tmp_path)
    assert run.problems == []
    lines = run.result.lines.set_index("employee_id")
    # Harbor alone: 25 h x $20 = $500.00, no overtime
    assert lines.loc["A1", "gross_pay"] == 500_00 and lines.loc["A1", "overtime_premium"] == 0
    # Bay alone: 25 h x $16 = $400.00 + night 10 h x $2 = $20.00 -> $420.00, no overtime
    assert lines.loc["B1", "base_pay"] == 400_00 and lines.loc["B1", "diff:night"] == 20_00
    assert lines.loc["B1", "gross_pay"] == 420_00

    rep = person_report(run)
    people = rep["people"]
    comb = people[(people["person_id"] == "P1") & (people["employer"] == "(combined)")].iloc[0]
    assert comb["worked_minutes"] == 50 * 60 and comb["gross_pay"] == 920_00
    assert bool(comb["combined_only_over_40"])  # 50 h combined, 25 h at each
    # C1 works 40 h at one employer: never flagged
    assert not people[people["person_id"] == "C1"]["combined_only_over_40"].any()

    joint = rep["joint"].set_index("employee_id")
    # Combined week: W = 50 h, O = 50 - 40 = 10 h. Straight-time pay S = 500 + 420 = $920.
    # Regular rate = 920 / 50 = $18.40 (29 CFR 778.115); premium = 0.5 x 18.40 x 10 = $92.00.
    assert set(joint["combined_premium"]) == {92_00}
    assert joint.loc["A1", "combined_overtime_minutes"] == 600
    # Allocation by straight-time pay: Harbor 9200 x 500/920 = 5000 c; Bay 9200 x 420/920 = 4200 c
    assert joint.loc["A1", "joint_overtime_premium"] == 50_00
    assert joint.loc["B1", "joint_overtime_premium"] == 42_00
    assert joint["joint_additional"].sum() == 92_00
    assert "C1" not in joint.index  # no second employer: not part of any combined week


def test_rejections_keep_their_own_file(tmp_path):
    _two_employers(tmp_path)
    (tmp_path / "bay.csv").write_text("employee_id,start,end,rate\nB1,2025-11-03 20:00,2025-11-03 19:00,16\n")
    run = run_pay_many([tmp_path / "harbor.csv", tmp_path / "bay.csv"], Policy(), tmp_path / "roster.csv")
    assert [(p.file, p.row, p.column) for p in run.problems] == [("bay.csv", 1, "end")]
    assert run.reconciliation["balanced"] and run.reconciliation["rows_read"] == 11


def test_largest_remainder_adds_up_to_the_cent():
    # 100 c over three equal shares: 33.33.. each; 1 c left goes to the first (ties by position)
    assert list(largest_remainder(100, [1, 1, 1])) == [34, 33, 33]
    # 1000 c by 1:2: 333.33 / 666.67 -> floors 333 + 666 = 999, the 1 c to the larger remainder (.67)
    assert list(largest_remainder(1000, [1, 2])) == [333, 667]


CRED_POLICY = """
[workweek]
start_day = "sun"
[overtime]
weekly_hours = 40
[[premium]]
name = "cprs"
credential = "CPRS"
per_hour = 1.50
"""


def test_credential_premium_starting_mid_week(tmp_path):
    # D1, $20/h, Mon-Fri 08:00-16:00 (8 h) + Sat 08:00-13:00 (5 h) = 45 h; CPRS from Wed 2025-11-05
    _write(tmp_path, "roster.csv", """\
        employee_id,role,step,credential,certified_on
        D1,peer,1,CPRS,2025-11-05
        E1,peer,1,,
        """)
    rows = "".join(f"{e},2025-11-0{d} 08:00,2025-11-0{d} 16:00,20\n" for e in ("D1", "E1") for d in range(3, 8))
    rows += "D1,2025-11-08 08:00,2025-11-08 13:00,20\n"
    _write(tmp_path, "t.csv", "employee_id,start,end,rate\n" + rows)
    pol = Policy.model_validate(__import__("tomllib").loads(CRED_POLICY))
    run = run_pay_many([tmp_path / "t.csv"], pol, tmp_path / "roster.csv")
    lines = run.result.lines.set_index("employee_id")
    d = lines.loc["D1"]
    # base 45 x 20 = $900; premium Wed-Sat = 8 + 8 + 8 + 5 = 29 h x $1.50 = $43.50
    assert d["base_pay"] == 900_00 and d["diff:cprs"] == 43_50
    # regular rate = (900 + 43.50) / 45 = 20.9666..; OT premium = 0.5 x 943.50 / 45 x 5 = 52.4166.. -> $52.42
    assert d["overtime_premium"] == 52_42
    assert d["gross_pay"] == 900_00 + 43_50 + 52_42
    # E1 holds no credential: no premium, 40 h, no overtime
    assert lines.loc["E1", "diff:cprs"] == 0 and lines.loc["E1", "gross_pay"] == 800_00


def test_bonus_over_four_weeks_with_overtime():
    pol = Policy.model_validate({"overtime": {"weekly_hours": 40}})
    weeks = pd.DataFrame({"worked_minutes": [40 * 60, 45 * 60, 50 * 60, 44 * 60],
                          "overtime_minutes": [0, 5 * 60, 10 * 60, 4 * 60]})
    out = bonus_overtime(400_00, weeks, pol)  # $400 over 4 weeks, equal amounts: $100 a week
    assert list(out["bonus_share"]) == [100_00] * 4
    # week 1: no overtime -> 0
    # week 2: 100 / 45 x 0.5 x 5 = 5.5555.. -> $5.56
    # week 3: 100 / 50 x 0.5 x 10 = $10.00
    # week 4: 100 / 44 x 0.5 x 4 = 4.5454.. -> $4.55
    assert list(out["bonus_overtime"]) == [0, 5_56, 10_00, 4_55]

    # per hour worked (179 h): 40000 c x h / 179 -> floors 8938, 10055, 11173, 9832 (= 39998);
    # the 2 c left go to the largest remainders: week 2 (.866) and week 1 (.547)
    assert list(bonus_weeks_split(400_00, weeks["worked_minutes"], "per_hour")) == [8939, 10056, 11173, 9832]
    per_hour = bonus_overtime(400_00, weeks, pol, "per_hour")
    # week 2: 100.56 / 45 x 0.5 x 5 = 5.5866.. -> $5.59; week 3: 111.73 / 50 x 0.5 x 10 = 11.173 -> $11.17
    # week 4: 98.32 / 44 x 0.5 x 4 = 4.4690.. -> $4.47
    assert list(per_hour["bonus_overtime"]) == [0, 5_59, 11_17, 4_47]


def test_dol_style_bonus_example():
    # 29 CFR 778.209(a): the additional overtime for a week = one-half of the hourly rate allocable
    # to the bonus x the statutory overtime hours. A $52 bonus for one 52-hour week:
    # 52 / 52 = $1.00/h; 0.5 x 1.00 x 12 h = $6.00.
    pol = Policy.model_validate({"overtime": {"weekly_hours": 40}})
    out = bonus_overtime(52_00, pd.DataFrame({"worked_minutes": [52 * 60], "overtime_minutes": [12 * 60]}), pol)
    assert list(out["bonus_overtime"]) == [6_00]


def test_certification_bonus_in_the_person_report(tmp_path):
    _write(tmp_path, "roster.csv", "employee_id,role,step,credential,certified_on\nD1,peer,1,CPRS,2025-11-03\n")
    # two weeks: 45 h then 40 h
    rows = "".join(f"D1,2025-11-0{d} 08:00,2025-11-0{d} 17:00,20\n" for d in range(3, 8))
    rows += "".join(f"D1,2025-11-{d} 08:00,2025-11-{d} 16:00,20\n" for d in range(10, 15))
    _write(tmp_path, "t.csv", "employee_id,start,end,rate\n" + rows)
    pol = Policy.model_validate(__import__("tomllib").loads(
        "[overtime]\nweekly_hours = 40\n[[premium]]\nname = \"cprs_bonus\"\ncredential = \"CPRS\"\nbonus = 200\nbonus_weeks = 2\n"))
    run = run_pay_many([tmp_path / "t.csv"], pol, tmp_path / "roster.csv")
    bonus = person_report(run)["bonus"]
    # $200 over 2 weeks = $100 each; week 1: 100 / 45 x 0.5 x 5 = 5.5555.. -> $5.56; week 2: no OT
    assert list(bonus["bonus_share"]) == [100_00, 100_00]
    assert list(bonus["bonus_overtime"]) == [5_56, 0]


def test_premium_policy_validation():
    with pytest.raises(ValidationError):
        Policy.model_validate({"premium": [{"name": "x", "credential": "C"}]})  # nothing to pay
    with pytest.raises(ValidationError):
        Policy.model_validate({"joint_employment": {"employers": ["only one"]}})


# --- through the CLI, on the samples -----------------------------------------------------------

from conftest import SAMPLES  # noqa: E402

SAMPLE_ARGS = ["-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]


def test_pay_by_person_on_the_samples(cli):
    res = cli(["pay", "-t", SAMPLES / "timesheet.csv", "-t", SAMPLES / "timesheet_employer2.csv", *SAMPLE_ARGS,
               "--by", "person", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    import json

    rep = json.loads(res.stdout)
    week = [r for r in rep["people"] if r["person_id"] == "HL006" and r["week_start"] == "2025-11-02"]
    # Bayside 36 h + Harbor Light 8 h = 44 h: over 40 combined, neither employer alone
    assert [(r["employer"], r["hours"], r["combined_only_over_40"]) for r in week] == [
        ("Bayside Outreach", 36.0, "yes"), ("Harbor Light", 8.0, "yes"), ("(combined)", 44.0, "yes")]
    joint = [r for r in rep["joint_employment"] if r["week_start"] == "2025-11-02"]
    # S = 694.00 + 176.90 = 870.90; 0.5 x 870.90 / 44 x 4 = 39.5863.. -> $39.59;
    # Bayside 3959 x 694/870.90 = 3154.9 -> 3155 c, Harbor Light 3959 x 176.90/870.90 = 804.2 -> 804 c
    assert [(r["employer"], r["combined_premium"], r["employer_share"]) for r in joint] == [
        ("Bayside Outreach", 39.59, 31.55), ("Harbor Light", 39.59, 8.04)]
    assert any("never a legal finding" in n for n in rep["notes"])


def test_pay_glob_and_rejections_keep_file_row_column(cli, tmp_path):
    bad = tmp_path / "timesheet_x.csv"
    bad.write_text("employee_id,start,end,rate,employer\nBO700,2025-11-03 09:00,2025-11-03 08:00,19,Bayside Outreach\n")
    res = cli(["pay", "-t", SAMPLES / "timesheet.csv", "-t", str(tmp_path / "timesheet_*.csv"), *SAMPLE_ARGS])
    assert res.exit_code == 3
    assert "timesheet_x.csv:1:end" in res.stderr


def test_pay_several_timesheets_refuses_map(cli):
    res = cli(["pay", "-t", SAMPLES / "timesheet.csv", "-t", SAMPLES / "timesheet_employer2.csv", *SAMPLE_ARGS,
               "--map", SAMPLES / "policy.toml"])
    assert res.exit_code == 2


def test_demo_shows_a_multi_employer_person_and_certified_peers(cli):
    res = cli(["demo", "--samples", SAMPLES])
    assert res.exit_code == 0
    assert "Joint employment (what-if)" in res.stdout and "Bayside Outreach" in res.stdout
    assert "Credential premium (CPRS" in res.stdout and "Certification bonus" in res.stdout


def test_certification_gap_hand_worked():
    from peerpay.core.joint import certification_gap

    creds = pd.DataFrame({"employee_id": ["p1", "p2", "p9"], "credential": ["CPRS"] * 3,
                          "from_day": [0, 0, 10**6], "until_day": [2**40] * 3})  # p9: certified only in the future
    workers = pd.DataFrame({"employee_id": ["p1", "p2", "p3", "p4", "p9", "o1", "o2"],
                            "role": ["peer"] * 5 + ["nurse"] * 2,
                            "hourly_units": [220_000, 240_000, 200_000, 180_000, 190_000, 300_000, 320_000]})
    cg = certification_gap(workers, creds, "peer", as_of_day=20_000, premium_per_hour=1.5)
    # certified p1, p2: mean (22 + 24) / 2 = $23.00, median $23.00, n 2
    assert cg["certified"] == {"n": 2, "mean": 23.0, "median": 23.0, "suppressed": False}
    # not certified p3, p4, p9: mean (20 + 18 + 19) / 3 = $19.00, median $19.00
    assert cg["not_certified"]["mean"] == 19.0 and cg["not_certified"]["n"] == 3
    # gap = (23 - 19) / 19 x 100 = 21.05.. -> 21.1 %
    assert cg["gap_percent"] == 21.1
    # peer-role gap: others (30 + 32) / 2 = $31.00 - peers (22+24+20+18+19)/5 = $20.60 -> $10.40;
    # a $1.50/h premium closes 1.5 / 10.4 = 14.42.. -> 14.4 %
    assert cg["peer_role_gap_per_hour"] == 10.4 and cg["premium_share_of_role_gap_percent"] == 14.4
    # suppression: a group under min_group shows its n only
    small = certification_gap(workers, creds, "peer", 20_000, None, min_group=3)
    assert small["certified"] == {"n": 2, "mean": None, "median": None, "suppressed": True}


def test_gap_by_person_counts_multi_employer_people(cli):
    res = cli(["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-t", SAMPLES / "timesheet.csv",
               "--also-timesheet", SAMPLES / "timesheet_employer2.csv", "-p", SAMPLES / "policy.toml",
               "--basis", "earnings", "--by", "person", "--credentials", SAMPLES / "credentials.csv",
               "--as-of", "2025-11-30", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    import json

    rep = json.loads(res.stdout)
    assert rep["people"] == {"multi_employer": 1}
    assert rep["certification"]["certified"]["n"] == 3 and rep["certification"]["not_certified"]["n"] == 4
    # HL006's effective rate is the whole person's: (Harbor Light + Bayside gross) / (40 + 108 h)
    assert any("work for more than one employer" in n for n in rep["notes"])


def test_cost_a_credential_premium_on_the_holders_hours(cli):
    base = ["cost", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv",
            "-s", SAMPLES / "schedule.csv", "--proposal", SAMPLES / "proposals" / "credential_premium.toml", "-f", "json"]
    import json

    with_creds = json.loads(cli([*base, "--credentials", SAMPLES / "credentials.csv"]).stdout)
    without = json.loads(cli(base).stdout)
    # both carry the same status quo (steps go on): the premium is the difference, by role
    added = {r["role"]: r["wages_cash"] for r in with_creds["proposals"][0]["years"]}
    for r in without["proposals"][0]["years"]:
        added[r["role"]] = round(added[r["role"]] - r["wages_cash"], 2)
    # only CPRS holders are paid: peers (HL001 from 11-12, HL002, HL004) and the supervisor (HL008)
    assert added["peer_specialist"] > 0 and added["peer_supervisor"] > 0
    assert added["rn"] == 0 and added["case_manager"] == 0
    cprs = without["proposals"][0]["items"][-1]  # no credentials known: no holder, no cost, and it says so
    assert cprs["item"] == "differential: cprs" and cprs["term_cash_cost"] == 0 and "holds CPRS" in cprs["note"]


def test_gap_certification_table_in_every_format_with_suppression(cli, tmp_path):
    base = ["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-t", SAMPLES / "timesheet.csv",
            "-p", SAMPLES / "policy.toml", "--basis", "earnings", "--credentials", SAMPLES / "credentials.csv",
            "--as-of", "2025-11-30"]
    text = cli([*base, "-f", "table"]).stdout
    # its own titled block, after the groups table and before the quartiles; 3 certified peers, 4 not
    assert text.index("Pay gap:") < text.index("Certified vs not certified peers (hourly)") < text.index("pay quartiles")
    assert "certified (any)  3" in text and "not certified    4" in text
    # --min-group 4: the 3 certified peers are suppressed exactly as a small group: n "<4", no figures
    md = cli([*base, "-f", "md", "--min-group", "4"]).stdout
    block = md[md.index("### Certified vs not certified"):].split("\n\n")[1]
    assert "| certified (any) | <4  |            |              |         |" in block
    assert "26.53" not in block and "| not certified   | 4   |      24.15 |" in block
    html = tmp_path / "g.html"
    assert cli([*base, "-f", "html", "-o", html]).exit_code == 0
    assert "Certified vs not certified peers (hourly)" in html.read_text()
    book = tmp_path / "g.xlsx"
    assert cli([*base, "-f", "xlsx", "-o", book]).exit_code == 0
    import openpyxl

    ws = openpyxl.load_workbook(book)["certified vs not"]
    assert [c.value for c in ws[2]] == ["certified (any)", 3, 26.53, 24.35, 0.099]
    # without --credentials: no such block (the existing goldens are unchanged)
    plain = cli(["gap", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "-f", "table"]).stdout
    assert "Certified vs not certified" not in plain


# --- issue 22: statutory premiums, credits for premiums already paid, bonus periods past the data ----------


def _harbor_bay(tmp_path, harbor_days, bay_hours):
    """Person P2: H2 at Harbor ($25/h; daily overtime after 8 h at 1.5x) and B2 at Bay ($15/h)."""
    _write(tmp_path, "roster.csv", "employee_id,role,step,employer,person_id\nH2,peer,1,Harbor,P2\nB2,peer,1,Bay,P2\n")
    a = "employee_id,start,end,rate\n" + "".join(f"H2,2025-11-0{3 + i} 08:00,2025-11-0{3 + i} {8 + h:02d}:00,25\n"
                                                 for i, h in enumerate(harbor_days))
    b = "employee_id,start,end,rate,employer\n" + f"B2,2025-11-08 08:00,2025-11-08 {8 + bay_hours:02d}:00,15,Bay\n"
    _write(tmp_path, "harbor.csv", a)
    _write(tmp_path, "bay.csv", b)
    pol = Policy.model_validate({"workweek": {"start_day": "sun"}, "overtime": {"weekly_hours": 40, "daily_hours": 8},
                                 "joint_employment": {"employers": ["Harbor", "Bay"]}})
    return person_report(run_pay_many([tmp_path / "harbor.csv", tmp_path / "bay.csv"], pol, tmp_path / "roster.csv"))["joint"]


def test_joint_week_where_harbor_s_daily_overtime_covers_everything(tmp_path):
    # Harbor: 10 + 10 + 10 + 6 = 36 h at $25 = 900.00; daily overtime 3 x 2 h = 6 h x 0.5 x 25 = 75.00 paid
    # Bay: 6 h at $15 = 90.00. Combined W = 42 h; statutory overtime = 42 - 40 = 2 h (daily hours are Harbor's
    # own promise, 29 CFR 778.102). S = 990.00; regular rate 990 / 42 = 23.5714; premium 0.5 x 23.5714 x 2 = 23.57
    # credited: Harbor's 75.00 daily-overtime premium (207(h)(2), 778.202(c)) >= 23.57 -> nothing more from anyone
    # (before: O = 6 daily + 0 = 6 h -> 70.71 split 64.28 / 6.43: "Bay owes 6.43, Harbor -10.72")
    joint = _harbor_bay(tmp_path, [10, 10, 10, 6], 6).set_index("employee_id")
    assert set(joint["combined_overtime_minutes"]) == {120} and set(joint["combined_premium"]) == {23_57}
    assert joint.loc["H2", "credited_premium"] == 75_00 and joint.loc["B2", "credited_premium"] == 0
    assert list(joint["joint_additional"]) == [0, 0] and (joint["joint_additional"] >= 0).all()


def test_joint_week_where_the_credit_covers_part(tmp_path):
    # Harbor: 10 + 8 + 8 + 8 + 2 = 36 h at $25 = 900.00; daily overtime 2 h x 0.5 x 25 = 25.00 paid
    # Bay: 8 h at $15 = 120.00 (no daily overtime). W = 44 h; statutory overtime 4 h; S = 1,020.00;
    # regular rate 23.181818; premium 0.5 x 1020 / 44 x 4 = 46.3636 -> 46.36; less 25.00 credited = 21.36
    # split by S: Harbor 2136 x 900 / 1020 = 1884.71, Bay 2136 x 120 / 1020 = 251.29: floors 1884 + 251 = 2135;
    # the last cent to the larger remainder (Harbor .71): 18.85 / 2.51
    joint = _harbor_bay(tmp_path, [10, 8, 8, 8, 2], 8).set_index("employee_id")
    assert set(joint["combined_premium"]) == {46_36} and joint["credited_premium"].sum() == 25_00
    assert joint.loc["H2", "joint_additional"] == 18_85 and joint.loc["B2", "joint_additional"] == 2_51


def test_bonus_in_a_38_hour_week_with_contract_daily_overtime_is_zero():
    # 38 h worked, 2 of them contract daily overtime (after 8 h); a $100 bonus for the week.
    # 29 CFR 778.209(b): only statutory overtime hours (over 40) carry the bonus's half-time: 0 h -> $0.00
    # (before: 100 / 38 x 0.5 x 2 = 2.63 on the contract's daily hours)
    pol = Policy.model_validate({"overtime": {"weekly_hours": 40, "daily_hours": 8}})
    week = pd.DataFrame({"worked_minutes": [38 * 60], "overtime_minutes": [2 * 60]})
    assert list(bonus_overtime(100_00, week, pol)["bonus_overtime"]) == [0]
    # a contract that extends the bonus to its own daily overtime (applies_to = "contract"): 100 / 38 x 0.5 x 2 = 2.6316 -> 2.63
    assert list(bonus_overtime(100_00, week, pol, applies_to="contract")["bonus_overtime"]) == [2_63]


def test_bonus_overtime_is_covered_by_a_double_time_premium_already_paid():
    # 45 h at $20 under a double-time contract: paid overtime premium 1.0 x 20 x 5 = 100.00 (credits).
    # statutory premium on the week's other pay: 0.5 x 900 / 45 x 5 = 50.00 -> 50.00 paid above it (207(h)(2))
    # a $100 bonus for the week: 0.5 x 100 / 45 x 5 = 5.5556; covered by the 50.00 excess -> $0.00
    # without the credit columns (nothing known about premiums paid): $5.56
    pol = Policy.model_validate({"overtime": {"weekly_hours": 40, "multiplier": 2}})
    week = pd.DataFrame({"worked_minutes": [45 * 60], "overtime_minutes": [5 * 60]})
    assert list(bonus_overtime(100_00, week, pol)["bonus_overtime"]) == [5_56]
    paid = week.assign(regular_rate_num=[900 * 6_000_000_000], credits=[100_00])
    assert list(bonus_overtime(100_00, paid, pol)["bonus_overtime"]) == [0]
    # a premium that covers only part: credits 52.00 -> excess 2.00; 5.5556 - 2.00 = 3.5556 -> 3.56
    assert list(bonus_overtime(100_00, paid.assign(credits=[52_00]), pol)["bonus_overtime"]) == [3_56]


def test_a_bonus_period_running_past_the_data_is_prorated_with_a_note(tmp_path):
    # $400 over 4 weeks from the week of 2025-11-02; the data holds two weeks (45 h, then 40 h):
    # per_week: $100 in each week present (2 of 4); the other $200 is not spread on them.
    # week 1: 100 / 45 x 0.5 x 5 = 5.5556 -> 5.56; week 2: no overtime
    _write(tmp_path, "roster.csv", "employee_id,role,step,credential,certified_on\nD1,peer,1,CPRS,2025-11-03\n")
    rows = "".join(f"D1,2025-11-0{d} 08:00,2025-11-0{d} 17:00,20\n" for d in range(3, 8))
    rows += "".join(f"D1,2025-11-{d} 08:00,2025-11-{d} 16:00,20\n" for d in range(10, 15))
    _write(tmp_path, "t.csv", "employee_id,start,end,rate\n" + rows)
    toml = "[overtime]\nweekly_hours = 40\n[[premium]]\nname = \"b\"\ncredential = \"CPRS\"\nbonus = 400\nbonus_weeks = 4\n"
    pol = Policy.model_validate(__import__("tomllib").loads(toml))
    bonus = person_report(run_pay_many([tmp_path / "t.csv"], pol, tmp_path / "roster.csv"))["bonus"]
    assert list(bonus["bonus_share"]) == [100_00, 100_00] and list(bonus["bonus_overtime"]) == [5_56, 0]
    assert any("prorated" in n and "'b'" in n and "1 holder(s)" in n for n in bonus.attrs["notes"])
    # per hour: the two weeks present carry 2/4 of $400 = $200, split 45 : 40 -> 105.88 / 94.12
    pol = Policy.model_validate(__import__("tomllib").loads(toml + 'bonus_allocation = "per_hour"\n'))
    bonus = person_report(run_pay_many([tmp_path / "t.csv"], pol, tmp_path / "roster.csv"))["bonus"]
    assert list(bonus["bonus_share"]) == [105_88, 94_12]
