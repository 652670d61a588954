"""`peerpay gap`: out-of-class hours by role, worked by hand (docs/out-of-class.md, "In the gap report").

The organisation of the hand-worked tests (week of Sunday 2025-02-02; the schedule of
tests/test_out_of_class.py: peer step 2 $19.00, case manager step 2 $23.00):

    P1  peer specialist   Mon-Fri 8 h = 40 h; Monday's 8 h are case management
    P2  peer specialist   Mon-Fri 8 h = 40 h; Tuesday 4 h case management, Wednesday 2 h supervision
    P3  peer specialist   Mon-Thu 7.5 h = 30 h; none (and an on-call row marked case management: not work)
    C1  case manager      Mon-Fri 8 h = 40 h; Thursday marked case management (its own role: not out of class)

    peer row   hours worked 40 + 40 + 30 = 110; out of class 8 + 4 + 2 = 14 h, by 2 people
               share 14 / 110 x 100 = 12.727... -> 12.7 %
               median person (P1 8 h, P2 6 h): (8 + 6) / 2 = 7.00 h; their shares 8/40 = 20 %, 6/40 = 15 %
               -> median 17.5 %
               case manager 8 + 4 = 12 h (2 people), 12 / 110 = 10.9 %; peer supervisor 2 h (1), 1.8 %
    case manager row   1 person, 40 h, none
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from peerpay.jobs.gap import run_gap

SCHEDULE = """
role,step,hourly_rate,effective_date
peer_specialist,1,18.00,2025-01-01
peer_specialist,2,19.00,2025-01-01
case_manager,1,22.00,2025-01-01
case_manager,2,23.00,2025-01-01
peer_supervisor,1,19.50,2025-01-01
peer_supervisor,2,21.00,2025-01-01
"""
ROSTER = """
employee_id,role,step
P1,peer_specialist,2
P2,peer_specialist,2
P3,peer_specialist,2
C1,case_manager,2
"""
TIMESHEET = """
employee_id,start,end,kind,duty_role
P1,2025-02-03 08:00,2025-02-03 16:00,work,case_manager
P1,2025-02-04 08:00,2025-02-04 16:00,work,
P1,2025-02-05 08:00,2025-02-05 16:00,work,
P1,2025-02-06 08:00,2025-02-06 16:00,work,
P1,2025-02-07 08:00,2025-02-07 16:00,work,
P2,2025-02-03 08:00,2025-02-03 16:00,work,
P2,2025-02-04 08:00,2025-02-04 12:00,work,case_manager
P2,2025-02-04 12:00,2025-02-04 16:00,work,
P2,2025-02-05 08:00,2025-02-05 10:00,work,peer_supervisor
P2,2025-02-05 10:00,2025-02-05 16:00,work,
P2,2025-02-06 08:00,2025-02-06 16:00,work,
P2,2025-02-07 08:00,2025-02-07 16:00,work,
P3,2025-02-03 08:00,2025-02-03 15:30,work,
P3,2025-02-04 08:00,2025-02-04 15:30,work,
P3,2025-02-05 08:00,2025-02-05 15:30,work,
P3,2025-02-06 08:00,2025-02-06 15:30,work,
P3,2025-02-06 18:00,2025-02-06 22:00,on_call,case_manager
C1,2025-02-03 08:00,2025-02-03 16:00,work,
C1,2025-02-04 08:00,2025-02-04 16:00,work,
C1,2025-02-05 08:00,2025-02-05 16:00,work,
C1,2025-02-06 08:00,2025-02-06 16:00,work,case_manager
C1,2025-02-07 08:00,2025-02-07 16:00,work,
"""
#: 5 hours a day before out-of-class pay is owed: P1's 8-hour day is paid at the duty rate, P2's 4 h and 2 h are not
POLICY = '[on_call]\nstandby_per_hour = 2.00\n[out_of_class]\nmethod = "same_step"\nminimum_hours = 5\nper = "day"\n'


def gap(files, *, timesheet=TIMESHEET, policy=POLICY, roster=ROSTER, unpaid=None, **kw):
    paths = {n: files.write(f"{n}.csv", t) for n, t in (("timesheet", timesheet), ("roster", roster), ("schedule", SCHEDULE))}
    un = files.write("unpaid.csv", unpaid) if unpaid else None
    return run_gap(paths["roster"], paths["schedule"], "peer_specialist", basis="earnings", as_of=date(2025, 2, 28),
                   timesheet=paths["timesheet"], policy=files.write("policy.toml", policy), unpaid=un, **kw)


def by_role(run) -> dict[str, dict]:
    return {r["role"]: r for r in run.report["out_of_class"]["roles"]}


def test_hours_out_of_class_by_role(files):
    run = gap(files)
    assert run.problems == []
    peer, cm = by_role(run)["peer_specialist"], by_role(run)["case_manager"]
    assert {k: peer[k] for k in ("n", "people_out_of_class", "hours_worked", "out_of_class_hours", "out_of_class_pct",
                                 "median_out_of_class_hours", "median_out_of_class_pct")} == {
        "n": 3, "people_out_of_class": 2, "hours_worked": 110.0, "out_of_class_hours": 14.0, "out_of_class_pct": 12.7,
        "median_out_of_class_hours": 7.0, "median_out_of_class_pct": 17.5}
    assert peer["by_duty_role"] == [{"duty_role": "case_manager", "people": 2, "hours": 12.0, "pct": 10.9},
                                    {"duty_role": "peer_supervisor", "people": 1, "hours": 2.0, "pct": 1.8}]
    # [out_of_class] minimum_hours = 5 a day: only P1's 8-hour day is paid at the duty rate
    assert peer["paid_at_duty_rate_hours"] == 8.0
    assert (cm["n"], cm["people_out_of_class"], cm["out_of_class_hours"], cm["by_duty_role"]) == (1, 0, 0.0, [])
    # the peer group first, then the others by name
    assert [r["role"] for r in run.report["out_of_class"]["roles"]] == ["peer_specialist", "case_manager"]


def test_unpaid_log_rows_count_as_out_of_class_work_and_as_hours_worked(files):
    # P3 also did 2 h of case management that was never paid (the unpaid-work log):
    #   hours worked 110 + 2 = 112; out of class 14 + 2 = 16 h by 3 people: 16 / 112 = 14.285... -> 14.3 %
    #   median person: 2, 6, 8 -> 6.00 h; shares 2/32 = 6.25 %, 6/40 = 15 %, 8/40 = 20 % -> 15.0 %
    unpaid = "employee_id,start,end,duty_role,activity\nP3,2025-02-07 08:00,2025-02-07 10:00,case_manager,intake\n"
    peer = by_role(gap(files, unpaid=unpaid))["peer_specialist"]
    assert (peer["hours_worked"], peer["out_of_class_hours"], peer["out_of_class_pct"], peer["people_out_of_class"]) == (112.0, 16.0, 14.3, 3)
    assert (peer["median_out_of_class_hours"], peer["median_out_of_class_pct"]) == (6.0, 15.0)
    assert (peer["unpaid_out_of_class_hours"], peer["paid_at_duty_rate_hours"]) == (2.0, 8.0)
    assert peer["by_duty_role"][0] == {"duty_role": "case_manager", "people": 3, "hours": 14.0, "pct": 12.5}


def test_without_the_policy_section_the_hours_are_counted_and_said(files):
    run = gap(files, policy="[on_call]\nstandby_per_hour = 2.00\n")
    section = run.report["out_of_class"]
    assert by_role(run)["peer_specialist"]["out_of_class_hours"] == 14.0
    assert "paid_at_duty_rate_hours" not in by_role(run)["peer_specialist"]
    assert any("no [out_of_class]" in n for n in section["notes"])


def test_no_section_without_duty_roles(files):
    plain = "\n".join(line.rsplit(",", 1)[0] for line in TIMESHEET.strip().splitlines()) + "\n"  # no duty_role column
    assert "out_of_class" not in gap(files, timesheet=plain).report


def test_a_pooled_group_is_the_home_group(files):
    # --group 'front=peer_specialist,case_manager': one group of 4 people, 150 h worked, 14 h out of class = 9.3 %
    run = gap(files, groups={"front": ["peer_specialist", "case_manager"]})
    (front,) = run.report["out_of_class"]["roles"]
    assert (front["role"], front["n"], front["hours_worked"], front["out_of_class_hours"], front["out_of_class_pct"]) == \
        ("front", 4, 150.0, 14.0, 9.3)


# --------------------------------------------------------------------------- published (docs/gap.md, the disclosure rule)

BAND_ROSTER = ROSTER + "P4,peer_specialist,2\n"
#: P4 does 10.5 h of case management; P3 7.5 h, P2 6.25 h (with P1's 8 h P1 is dropped: 3 people, below)
BAND_TIMESHEET = """
employee_id,start,end,duty_role
P2,2025-02-03 08:00,2025-02-03 14:15,case_manager
P2,2025-02-04 08:00,2025-02-04 16:00,
P3,2025-02-03 08:00,2025-02-03 15:30,case_manager
P3,2025-02-04 08:00,2025-02-04 16:00,
P4,2025-02-03 08:00,2025-02-03 18:30,case_manager
P4,2025-02-04 08:00,2025-02-04 16:00,
C1,2025-02-03 08:00,2025-02-03 16:00,
C1,2025-02-04 08:00,2025-02-04 16:00,
C2,2025-02-03 08:00,2025-02-03 16:00,
C3,2025-02-03 08:00,2025-02-03 16:00,
"""


def test_published_a_group_of_three_as_bands(files):
    # Three peers did case management: 6.25, 7.5 and 10.5 h (of 14.25, 15.5 and 18.5 h worked).
    #   median person 7.5 h: the ladder step [7.1, 8) -> "7.1–8 h". The edges and midpoint (7.1, 8, 7.55)
    #   hit nobody's hours or any small-group mean: pairs 6.875, 8.375, 9; all but one (the same); all 8.0833
    #   (8 is 0.083 h away: more than the 0.015 the rule allows).
    #   shares: 6.25/14.25 = 43.86 %, 7.5/15.5 = 48.39 %, 10.5/18.5 = 56.76 % -> median 48.39 %: step [45, 50)
    #   No count, no total, no exact share. Case managers (3 people, none): "none". P1 has no hours: not a worker here.
    roster = BAND_ROSTER.replace("P1,peer_specialist,2\n", "") + "C2,case_manager,2\nC3,case_manager,2\n"
    run = gap(files, timesheet=BAND_TIMESHEET, roster=roster, policy="", publish=True)
    peer, cm = by_role(run)["peer_specialist"], by_role(run)["case_manager"]
    assert peer == {"role": "peer_specialist", "status": "band", "banded": True, "median_out_of_class_hours_band": [7.1, 8],
                    "median_out_of_class_pct_band": [45, 50],
                    "by_duty_role": [{"duty_role": "case_manager", "median_hours_band": [7.1, 8]}]}
    assert cm == {"role": "case_manager", "status": "none", "people_out_of_class": 0, "out_of_class_hours": 0.0, "out_of_class_pct": 0.0}


def test_published_one_or_two_people_are_withheld(files):
    # The hand-worked organisation: 3 peers, but only 2 did out-of-class work; 1 case manager.
    run = gap(files, publish=True)
    assert by_role(run)["peer_specialist"] == {"role": "peer_specialist", "status": "withheld", "suppressed": True}
    assert by_role(run)["case_manager"] == {"role": "case_manager", "status": "withheld", "suppressed": True}
    text = json.dumps(run.report["out_of_class"])
    for secret in ("14.0", "12.7", "7.0", "17.5", "8.0"):
        assert secret not in text


def big_org(files, peers_cm: int = 11, peers_sup: tuple[int, ...] = (), peers_none: int = 1):
    """``peers_cm`` peers with 3.5 + 0.25 k hours of case management (k = 1, 2, …), the peers listed in
    ``peers_sup`` also 1.75 h of supervision, ``peers_none`` peers with none; every peer works 8 h on
    Monday and Tuesday of 2025-02-03 (the case management inside those hours)."""
    n = peers_cm + peers_none
    roster = ["employee_id,role,step"] + [f"P{k:02d},peer_specialist,2" for k in range(1, n + 1)]
    rows = ["employee_id,start,end,duty_role"]
    for k in range(1, n + 1):
        if k <= peers_cm:
            minutes = 210 + 15 * k
            rows.append(f"P{k:02d},2025-02-03 08:00,2025-02-03 {8 + minutes // 60:02d}:{minutes % 60:02d},case_manager")
            rows.append(f"P{k:02d},2025-02-03 {8 + minutes // 60:02d}:{minutes % 60:02d},2025-02-03 16:00,")
        else:
            rows.append(f"P{k:02d},2025-02-03 08:00,2025-02-03 16:00,")
        if k in peers_sup:
            rows += [f"P{k:02d},2025-02-04 08:00,2025-02-04 09:45,peer_supervisor", f"P{k:02d},2025-02-04 09:45,2025-02-04 16:00,"]
        else:
            rows.append(f"P{k:02d},2025-02-04 08:00,2025-02-04 16:00,")
    return gap(files, timesheet="\n".join(rows) + "\n", roster="\n".join(roster) + "\n", policy="", publish=True)


def test_published_ten_people_exactly(files):
    # 11 peers did case management: 3.75, 4.00, …, 6.25 h = 11 x 5.00 = 55.00 h; 12 peers x 16 h = 192 h worked
    #   share 55 / 192 = 28.645... -> 28.6 %; the median person: 5.00 h of 16 = 31.25 % -> 31.3 %
    peer = by_role(big_org(files))["peer_specialist"]
    assert {k: peer[k] for k in ("status", "people_out_of_class", "out_of_class_hours", "out_of_class_pct", "median_out_of_class_hours",
                                 "median_out_of_class_pct")} == {
        "status": "exact", "people_out_of_class": 11, "out_of_class_hours": 55.0, "out_of_class_pct": 28.6,
        "median_out_of_class_hours": 5.0, "median_out_of_class_pct": 31.3}
    assert peer["by_duty_role"] == [{"duty_role": "case_manager", "people": 11, "hours": 55.0, "median_hours": 5.0}]


def test_published_totals_minus_parts_band_the_duty_roles(files):
    # The same 11 peers, and P01 also did 1.75 h of supervision: the group total (56.75 h) less an exact
    # case-management total (55.00 h) would be P01's supervision hours. So case management is shown
    # by its own people as a band, and supervision (1 person) is not listed. The median, 5.00 h, is in the
    # ladder step [5, 5.6); but 5, 4.5 and 4 are people's hours (P06, P04, P02), so every band of two or
    # three steps has an edge on somebody: the first clean one is four steps, [3.6, 5.6) (midpoint 4.6).
    peer = by_role(big_org(files, peers_sup=(1,)))["peer_specialist"]
    assert (peer["status"], peer["out_of_class_hours"], peer["people_out_of_class"]) == ("exact", 56.75, 11)
    (cell,) = peer["by_duty_role"]
    assert cell["duty_role"] == "case_manager" and "hours" not in cell and "people" not in cell
    assert cell["median_hours_band"] == [3.6, 5.6]
    # with 10 or more people on each side, both duty roles are exact again
    peer = by_role(big_org(files, peers_sup=tuple(range(1, 11))))["peer_specialist"]
    assert [(c["duty_role"], c["people"], c["hours"]) for c in peer["by_duty_role"]] == [("case_manager", 11, 55.0),
                                                                                         ("peer_supervisor", 10, 17.5)]


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("publish", [False, True])
def test_every_format_carries_the_section(files, publish):
    import io

    import openpyxl

    from peerpay.cli.gap import render_gap

    report = json.loads(json.dumps(gap(files, unpaid="employee_id,start,end,duty_role\nP3,2025-02-07 08:00,2025-02-07 10:00,case_manager\n",
                                       publish=publish).report))
    # internal: the share 16 / 112 h; published (3 people: 8, 6 and 2 h): the median person's band, [5.6, 6.3)
    shown = "14.3" if not publish else "5.6–6.3"
    for fmt in ("table", "md", "csv", "html"):
        out = render_gap(report, fmt)
        assert shown in out, fmt
        assert "case_manager" in out or "case manager" in out, fmt
    assert json.loads(render_gap(report, "json"))["out_of_class"] == report["out_of_class"]
    book = openpyxl.load_workbook(io.BytesIO(render_gap(report, "xlsx")))
    sheet = book["out-of-class work"]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Duty role" in cells and "case_manager" in cells
    assert (14.3 if not publish else "5.6–6.3") in cells


def test_the_fact_sheet_says_it_in_words(files):
    from peerpay.cli.gap import render_gap

    page = render_gap(gap(files).report, "html")
    assert "Peer specialists worked 14.00 hours in another class&#x27;s work, 12.7 % of their hours worked" in page
    page = render_gap(by_role_report(big_org(files)), "html")
    assert "Peer specialists worked 55.00 hours in another class" in page


def by_role_report(run) -> dict:
    return json.loads(json.dumps(run.report))


def test_cli_gap_with_out_of_class_rows(files, cli):
    paths = [files.write(n, t) for n, t in (("t.csv", TIMESHEET), ("r.csv", ROSTER), ("s.csv", SCHEDULE), ("p.toml", POLICY))]
    res = cli(["gap", "-t", paths[0], "-r", paths[1], "-s", paths[2], "-p", paths[3], "--basis", "earnings", "--as-of", "2025-02-28",
               "-f", "json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["out_of_class"]["roles"][0]["out_of_class_hours"] == 14.0
