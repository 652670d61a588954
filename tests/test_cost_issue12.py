"""Issue 12: costing that can be quoted at the table. Hand-worked, arithmetic in the comments.

Baseline as in test_cost_handworked: one week 2025-11-02 (Sun) to 11-08 (Sat), x 365/7.
  E1 peer_specialist step 1 ($20.00/h): Mon-Fri 09:00-17:00 = 40 h = $800.
  E2 rn step 1 ($40.00/h): Sun and Sat 09:00-13:00 = 8 h = $320.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from peerpay.errors import InputError
from peerpay.models.proposal import loads_on_costs, loads_proposal
from tests.test_cost_handworked import (
    FROZEN,
    HEAD,
    POLICY,
    ROSTER,
    SCHEDULE,
    WEEK,
    cost,
    dollars,
    year,
)

# --- one anniversary convention (29 February) ---------------------------------------------------

LEAP_ROSTER = ROSTER.replace("E1,peer_specialist,1,1.0,2020-04-01", "E1,peer_specialist,1,1.0,2016-02-29")


def test_hired_on_29_february_moves_on_28_february_in_a_common_year_and_29_in_a_leap_year(files):
    from peerpay.core.costing import steps_on

    run = cost(files, HEAD + "years = 1\n", roster=LEAP_ROSTER)
    p = loads_proposal(HEAD + "years = 3\n[[step_movement]]\neffective = 2026-01-01\n"
                       "[[schedule]]\neffective = 2026-01-01\nrole = \"peer_specialist\"\nstep = 4\nhourly_rate = 23.00\n")
    days = np.array(["2026-02-27", "2026-02-28", "2026-03-01", "2027-02-28",
                     "2028-02-28", "2028-02-29"], dtype="datetime64[D]")
    # 2026 and 2027 are common years: the anniversary is 28 Feb; 2028 is a leap year: 29 Feb
    assert list(steps_on(p, run.baseline, np.array(["E1"] * 6, dtype=object), days)) == [1, 2, 2, 3, 3, 4]


def test_the_29_february_step_is_costed_from_28_february_not_a_year_late(files):
    # E1 (hired 2016-02-29) moves step 1 ($20) -> 2 ($21) on 2026-02-28: +$1 x 40 h = $40 a week
    # from 28 Feb to 31 Dec = 365 - 58 = 307 days -> 40 x 307/7 = $1,754.29 (before the fix: $0,
    # the step came only at the next year's start).
    run = cost(files, HEAD + "years = 1\n[[step_movement]]\neffective = 2026-01-01\n", roster=LEAP_ROSTER)
    assert year(run, 1)["cash_cost"] == dollars(40 * 307, 7)
    assert year(run, 1)["run_rate"] == dollars(40 * 365, 7)


# --- cost per point of gap closed -----------------------------------------------------------------


def test_a_plain_percent_raise_closes_no_gap_and_has_no_cost_per_point(files):
    # 3 % for all: peer 20 -> 20.60, rn 40 -> 41.20; gap (41.20 - 20.60)/41.20 = 50.0 % before and after
    run = cost(files, FROZEN + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 3\n")
    gap = run.report["proposals"][0]["gap"][0]
    assert (gap["gap_before_pct"], gap["gap_after_pct"]) == (50.0, 50.0)
    assert gap["points_closed"] is None and gap["run_rate_per_point"] is None


def test_a_widening_gap_is_a_negative_closing_without_a_cost_per_point(files):
    # +$1.00/h for rn only: (41 - 20)/41 = 51.2195 % -> 51.2; 50.0 - 51.2 = -1.2 points "closed"
    run = cost(files, FROZEN + "years = 1\n[[increase]]\neffective = 2026-01-01\ncents_per_hour = 100\nroles = [\"rn\"]\n")
    gap = run.report["proposals"][0]["gap"][0]
    assert (gap["gap_before_pct"], gap["gap_after_pct"], gap["points_closed"]) == (50.0, 51.2, -1.2)
    assert gap["run_rate_per_point"] is None


# --- typos are errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("items, message", [
    ('[[increase]]\neffective = 2026-01-01\npercent = 3\nroles = ["peer_specalist"]\n',
     "increase[1].roles: unknown role 'peer_specalist' (did you mean 'peer_specialist'?)"),
    ('[[floor]]\neffective = 2026-01-01\nhourly = 25\nsteps = [9]\n', "floor[1].steps: unknown step 9"),
    ('[[placement]]\neffective = 2026-01-01\nrole = "peer_specialst"\nstep = 2\n',
     "placement[1].role: unknown role 'peer_specialst' (did you mean 'peer_specialist'?)"),
    ('[[policy_change]]\neffective = 2026-01-01\n[[policy_change.differential]]\nname = "nigth"\nper_hour = 3\n',
     "the policy has no differential named 'nigth' (did you mean 'night'?); to add a new differential, say new = true"),
    ('[[policy_change]]\neffective = 2026-01-01\nremove_differentials = ["nite"]\n',
     "remove_differentials: no differential named 'nite'"),
    ('[[policy_change]]\neffective = 2026-01-01\n[[policy_change.differential]]\nname = "night"\nnew = true\nper_hour = 3\n',
     "'night' already exists"),
    ('[[policy_change]]\neffective = 2026-01-01\n[[policy_change.differential]]\nname = "night"\nper_hour = 3\n'
     'roles = ["peer"]\n', "differential[1].roles: unknown role 'peer'"),
    ('[[lump_sum]]\neffective = 2025-12-15\namount = 500\n',
     "lump_sum[1]: paid on 2025-12-15, outside the term 2026-01-01 to 2026-12-31"),
])
def test_a_typo_is_an_error_never_a_silent_zero(files, items, message):
    with pytest.raises(InputError) as err:
        cost(files, HEAD + "years = 1\n" + items, policy=NIGHT_POLICY)
    assert message in str(err.value)


NIGHT_POLICY = """\
[overtime]
weekly_hours = 40
[[differential]]
name = "night"
start = "23:00"
end = "07:00"
per_hour = 2.00
"""
# E1 works a night shift Sun 23:00 - Mon 07:00 (8 night hours); E2 Sat 23:00 - Sun 03:00 (4 night hours)
NIGHTS = """\
employee_id,start,end
E2,2025-11-01 23:00,2025-11-02 03:00
E1,2025-11-02 23:00,2025-11-03 07:00
E1,2025-11-04 09:00,2025-11-04 17:00
"""


def test_a_new_differential_must_be_said_and_can_be_limited_to_roles(files):
    # A new "weekend" differential of $1.00/h on Sun+Sat for peers only, new = true.
    # Over 2025-11-02..08 E1 works Sun 23:00-24:00 = 1 h on a Sunday (Mon 00:00-07:00 is not);
    # E2 (rn) is not a peer: nothing. 1 h x $1.00 = $1.00 a week -> 365/7 = $52.14.
    # Period from --period 2025-11-01..2025-11-07 (7 days: the shifts start on 1, 2 and 4 Nov).
    run = cost(files, FROZEN + """years = 1
[[policy_change]]
effective = 2026-01-01
[[policy_change.differential]]
name = "weekend"
new = true
days = ["sat", "sun"]
per_hour = 1.00
roles = ["peer_specialist"]
""", timesheet=NIGHTS, policy=NIGHT_POLICY, period=(dt.date(2025, 11, 1), dt.date(2025, 11, 7)))
    assert year(run, 1, "rn")["run_rate"] == 0.0
    assert year(run, 1)["run_rate"] == dollars(Fraction(365, 7))


def test_the_pay_engine_pays_a_role_limited_differential_to_those_roles_only(files):
    # night $2.00/h for peers only: E1 (peer) 8 night hours = $16.00; E2 (rn) 4 night hours = $0.
    policy = NIGHT_POLICY + 'roles = ["peer_specialist"]\n'
    run = files.pay(NIGHTS, policy, ROSTER, SCHEDULE)
    lines = run.result.lines.groupby("employee_id")["diff:night"].sum()
    assert lines.to_dict() == {"E1": 1600, "E2": 0}  # cents
    # without roles both earn it: E2 4 h x $2.00 = $8.00
    lines = files.pay(NIGHTS, NIGHT_POLICY, ROSTER, SCHEDULE).result.lines.groupby("employee_id")["diff:night"].sum()
    assert lines.to_dict() == {"E1": 1600, "E2": 800}


# --- retro: members and employer ------------------------------------------------------------------


def test_retro_shows_what_members_receive_and_what_it_costs_the_employer(files):
    # 10 % for E1 from 2026-01-01, paid back on 2026-04-01: 90 days of +$80 a week.
    # Members receive 80 x 90/7 = $1,028.57; with FICA 7.65 % the employer pays
    # 80 x 90/7 x 1.0765 = $1,107.26 (on-costs $78.69).
    fica = loads_on_costs('[[on_cost]]\nname = "FICA"\npercent = 7.65\n')
    run = cost(files, FROZEN + """years = 1
[[increase]]
effective = 2026-01-01
percent = 10
roles = ["peer_specialist"]
[retro]
since = 2026-01-01
paid_on = 2026-04-01
""", on_costs=fica)
    p = run.report["proposals"][0]
    assert p["retro_pay_to_members"] == dollars(80 * 90, 7)
    assert p["retro_pay"] == dollars(Fraction(80 * 90, 7) * Fraction("1.0765"))
    assert p["retro_on_costs"] == dollars(Fraction(80 * 90, 7) * Fraction("0.0765"))


def test_lump_sums_are_labelled_inside_wages_cash(files):
    # $500 lump sum + 2 % for E1 (+$16 a week = 16 x 365/7 = $834.29): wages_cash = $1,334.29 of which
    # lump sums $500 and $834.29 without them.
    run = cost(files, FROZEN + """years = 1
[[lump_sum]]
effective = 2026-03-01
amount = 500
roles = ["peer_specialist"]
[[increase]]
effective = 2026-01-01
percent = 2
roles = ["peer_specialist"]
""")
    y = year(run, 1)
    assert (y["wages_cash"], y["lump_sums"], y["wages_cash_excl_lump_sums"]) == (
        dollars(Fraction(16 * 365, 7) + 500), 500.0, dollars(16 * 365, 7))


# --- the baseline period ------------------------------------------------------------------------

WEEKDAYS_ONLY = "\n".join(line for line in WEEK.splitlines() if not line.startswith("E2")) + "\n"


def test_a_monday_to_friday_export_needs_the_period_and_warns_without_it(files):
    # E1's Mon-Fri shifts alone span 5 days: x 365/5 would add 40 % to the hours (and a warning says
    # so); --period 2025-11-02 2025-11-08 gives the right x 365/7: 800 x 365/7 = $41,714.29.
    guessed = cost(files, HEAD + "years = 1\n", timesheet=WEEKDAYS_ONLY)
    assert guessed.report["baseline"]["period"]["days"] == 5
    assert "not a whole number of weeks" in guessed.report["warnings"][0]
    run = cost(files, HEAD + "years = 1\n", timesheet=WEEKDAYS_ONLY, period=(dt.date(2025, 11, 2), dt.date(2025, 11, 8)))
    assert run.report["baseline"]["period"]["days"] == 7 and run.report["warnings"] == []
    total = {r["role"]: r for r in run.report["baseline"]["by_role"]}["TOTAL"]
    assert total["wages"] == dollars(800 * 365, 7)
    with pytest.raises(InputError, match="start outside --period"):
        cost(files, HEAD + "years = 1\n", timesheet=WEEKDAYS_ONLY, period=(dt.date(2025, 11, 4), dt.date(2025, 11, 10)))


def test_period_option_on_the_command_line(cli, files):
    args = ["cost", "-t", files.write("t.csv", WEEKDAYS_ONLY), "-p", files.write("p.toml", POLICY),
            "-r", files.write("r.csv", ROSTER), "-s", files.write("s.csv", SCHEDULE),
            "--proposal", files.write("x.toml", HEAD + "years = 1\n"), "-f", "json"]
    warned = cli(args)
    assert warned.exit_code == 0 and "warning: the baseline period" in warned.stderr
    ok = cli(args + ["--period", "2025-11-02", "2025-11-08"])
    assert ok.exit_code == 0 and "warning" not in ok.stderr


# --- item by item -------------------------------------------------------------------------------

from tests.test_cost_handworked import NIGHT_POLICY as OT_NIGHT_POLICY  # noqa: E402
from tests.test_cost_handworked import NIGHT_WEEK  # noqa: E402


def test_item_by_item_parts_carry_their_overtime_knock_on_and_add_up_to_the_total(files):
    # E1 works 48 h a week: 8 night hours, 8 overtime hours (1.5 x regular rate); E2 works no nights.
    # Baseline week:   base 48 x 20 = 960, night 8 x 2 = 16, OT 0.5 x 976/48 x 8 = 81.33
    # 1. raises (+10 % peers, $22): base 1056, night 16, OT 0.5 x 1072/48 x 8 = 89.33
    #    -> +96.00 base +8.00 OT = +104.00 a week -> 104 x 365/7 = $5,422.86 (OT knock-on 8 x 365/7 = $417.14)
    # 2. differential: night $3.00 on top: night 24, OT 0.5 x 1080/48 x 8 = 90.00
    #    -> +8.00 night +0.67 OT = +8.67 a week -> 8.67 x 365/7 = $452.07 (OT knock-on 0.67 x 365/7 = $34.94)
    # TOTAL 112.67 x 365/7 = $5,874.93 = 5,422.86 + 452.07
    run = cost(files, FROZEN + """years = 1
[[policy_change]]
effective = 2026-01-01
[[policy_change.differential]]
name = "night"
per_hour = 3.00
[[increase]]
effective = 2026-01-01
percent = 10
roles = ["peer_specialist"]
""", timesheet=NIGHT_WEEK, policy=OT_NIGHT_POLICY)
    # Frozen steps: row 0, the status quo, moves E1 to step 2 ($21) on 2026-04-01: base +48, OT premium
    #    0.5 x 1024/48 x 8 = 85.33 (+4.00): +52.00 a week, cash 52 x 275/7 = $2,042.86, run 52 x 365/7 = $2,711.43;
    #    the step freeze takes exactly that back; the raises and the night differential are costed on the frozen scale.
    items = run.report["proposals"][0]["items"]
    assert [i["item"] for i in items] == ["status quo (current contract rolled forward)", "step freeze", "raises",
                                          "differential: night"]
    sq, freeze, raises, night = items
    assert (sq["years"][0]["cash_cost"], sq["years"][0]["run_rate"]) == (dollars(52 * 275, 7), dollars(52 * 365, 7))
    assert sq["years"][0]["overtime_knock_on"] == dollars(4 * 365, 7)
    assert (freeze["years"][0]["cash_cost"], freeze["years"][0]["run_rate"]) == (-dollars(52 * 275, 7), -dollars(52 * 365, 7))
    assert raises["end_of_term_run_rate"] == dollars(104 * 365, 7)
    assert raises["years"][0]["overtime_knock_on"] == dollars(8 * 365, 7)
    assert night["end_of_term_run_rate"] == dollars(Fraction("8.67") * 365, 7)
    assert night["years"][0]["overtime_knock_on"] == dollars(Fraction("0.67") * 365, 7)
    total = run.report["proposals"][0]["end_of_term_run_rate"]
    assert total == dollars(Fraction("112.67") * 365, 7)
    assert round(raises["end_of_term_run_rate"] + night["end_of_term_run_rate"], 2) == total


# --- status quo, difference, value of 1 % ---------------------------------------------------------


def test_status_quo_difference_and_the_value_of_one_percent(files):
    # Status quo (steps only): E1 (hired 2020-04-01) step 1 -> 2 on 2026-04-01, +$1 x 40 h = $40 a week
    # for 275 days: 40 x 275/7 = $1,571.43 cash; run-rate 40 x 365/7 = $2,085.71. E2 is on rn's top step.
    # Value of 1 %: E1 20.00 -> 20.20 (+0.20 x 40 = 8.00), E2 40.00 -> 40.40 (+0.40 x 8 = 3.20): 11.20 x 365/7 = $584.00.
    # (The value of 1 % is on the payroll the term starts from: no anniversary between the baseline and 2026-01-01.)
    # Both proposals keep the status quo's step (no step clause), so their raises apply to $21 from 1 April:
    # A: 2 %: E1 20.40 (+16 a week) for 90 days, 21.42 (+56.80) for 275; E2 40.80 (+6.40) all year:
    #    cash (1,440 + 15,620 + 2,336)/7 = $2,770.86; run (56.80 + 6.40) x 365/7 = $3,295.43
    # B: 1 %: E1 20.20 (+8) for 90 days, 21.21 (+48.40) for 275; E2 40.40 (+3.20):
    #    cash (720 + 13,310 + 1,168)/7 = $2,171.14; run (48.40 + 3.20) x 365/7 = $2,690.57
    # A - B from the printed figures: cash $599.72, run-rate $604.86.
    run = cost(files, [HEAD + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 2\n",
                       HEAD.replace('"P"', '"Q"') + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 1\n"])
    r = run.report
    assert r["status_quo"]["years"] == [{"year": 1, "cash_cost": dollars(40 * 275, 7), "run_rate": dollars(40 * 365, 7)}]
    assert r["value_of_1_pct"]["run_rate"] == 584.0
    assert r["difference"]["between"] == ["P", "Q"]
    assert r["difference"]["years"] == [{"year": 1, "cash_cost": 599.72, "run_rate": 604.86}]
    assert r["difference"]["end_of_term_run_rate"] == 604.86
    # each proposal over the status quo: A 2,770.86 - 1,571.43 = 1,199.43 cash, 3,295.43 - 2,085.71 = 1,209.72 run
    over = r["proposals"][0]["over_status_quo"]
    assert over["years"] == [{"year": 1, "cash_cost": 1199.43, "run_rate": 1209.72}]


# --- floor behaviour ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, weekly", [
    # $20.00, a $21.00 floor in 2026, +5 % in 2027 (peers only):
    # reapply:   20 x 1.05 = 21.00, floor 21.00 -> $21.00: +1.00 x 40 h = $40 a week
    # step_rate: the floor is the rate from 2026: 21 x 1.05 = $22.05: +2.05 x 40 h = $82 a week
    ("reapply", 40), ("step_rate", 82)])
def test_a_floor_reapplied_or_built_on(files, mode, weekly):
    run = cost(files, FROZEN + f"""years = 2
[[floor]]
effective = 2026-01-01
hourly = 21.00
mode = "{mode}"
roles = ["peer_specialist"]
[[increase]]
effective = 2027-01-01
percent = 5
roles = ["peer_specialist"]
""")
    assert year(run, 1)["run_rate"] == dollars(40 * 365, 7)  # year 1: $21.00 either way
    assert year(run, 2)["run_rate"] == dollars(weekly * 365, 7)


# --- a member's statement -------------------------------------------------------------------------


def test_a_members_statement_year_by_year(files, cli):
    # E1 (hired 2020-04-01, step 1 $20.00, 40 h a week) under step movement + 5 % from 2026-01-01:
    #   Jan 1 - Mar 31 (90 days): step 1, 20 x 1.05 = $21.00 (+$40 a week)
    #   from Apr 1 (275 days):    step 2, 21 x 1.05 = $22.05 (+$82 a week); +10.25 % on $20.00
    # annual pay today 800 x 365/7 = $41,714.29; at year end 882 x 365/7 = $45,990.00 (+82 x 365/7 = $4,275.71,
    # +10.25 %); paid in the year (800 x 365 + 40 x 90 + 82 x 275)/7 = 318,150/7 = $45,450.00
    text = HEAD + "years = 1\n[[step_movement]]\neffective = 2026-01-01\n[[increase]]\neffective = 2026-01-01\npercent = 5\n"
    from peerpay.jobs.cost import run_cost

    ts, pol = files.write("t.csv", WEEK), files.write("p.toml", POLICY)
    ros, sch = files.write("r.csv", ROSTER), files.write("s.csv", SCHEDULE)
    run = run_cost(ts, pol, ros, sch, [loads_proposal(text)], loads_on_costs(""), employee="E1")
    m = run.report["member"]
    assert (m["role"], m["step"], m["rate"], m["annual_pay"]) == ("peer_specialist", 1, 20.0, dollars(800 * 365, 7))
    assert m["proposals"][0]["years"] == [{
        "year": 1, "label": "Year 1", "from": "2026-01-01", "to": "2026-12-31", "step": 2, "rate": 22.05,
        "raise_pct": 5.0, "raise_cents_per_hour": 0.0, "rate_change": 2.05, "rate_change_pct": 10.25,
        "annual_pay": 45990.0, "annual_pay_change": dollars(82 * 365, 7), "annual_pay_change_pct": 10.25,
        "cash_in_year": 45450.0}]
    out = cli(["cost", "-t", ts, "-p", pol, "-r", ros, "-s", sch, "--proposal", files.write("x.toml", text),
               "--employee", "E1", "-f", "md"])
    assert out.exit_code == 0 and "Member's statement" in out.stdout and "45,990.00" in out.stdout
    bad = cli(["cost", "-t", ts, "-p", pol, "-r", ros, "-s", sch, "--proposal", files.write("x.toml", text),
               "--employee", "E9"])
    assert bad.exit_code == 1 and "no employee 'E9'" in bad.stderr
