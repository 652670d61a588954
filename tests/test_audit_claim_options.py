"""`audit --claim` takes `backpay`'s options, with their names and meaning (docs/audit.md, docs/backpay.md).

One week, worked by hand, claimed two ways. E1 earns $20.00 an hour; the night differential is
$2.00 an hour from 23:00 to 07:00. The week of Sunday 2025-03-02 (its last day Saturday 03-08):

    Mon-Thu 08:00-16:00    4 x 8 h = 32 h
    Fri 23:00 - Sat 07:00  8 h, all at night
    40 h: no overtime. Owed: base 40 x 20.00 = 800.00 + night 8 x 2.00 = 16.00 = 816.00

* **audit --claim**: the register paid `REG 40.00 h $800.00` and no night line. Contract: 816.00 -
  800.00 = **16.00**. FLSA, a week of 40 h: workweek averaging (29 CFR 776.4), required 40 x $7.25 =
  290.00 <= 800.00 of straight time paid: **0.00**. State (no state named: the federal rules): 0.00.
* **backpay**: the Friday night was not paid at all (the unpaid-work log). Contract: 816.00 - the
  640.00 paid = **176.00**; FLSA: 290.00 <= 640.00: **0.00**; state 0.00.

So the claim is the contract measure, and the FLSA measure is 0, in both: the options move both alike.

    (no option)            liquidated = the FLSA measure (29 U.S.C. 216(b)) = 0.00; total = the claim
    --liquidated all       liquidated = the claim: audit 16.00 (total 32.00), backpay 176.00 (total 352.00)
    --no-liquidated        0.00
    --as-of 2027-03-20     two years back is 2025-03-20: the week (ending 03-08) is outside the federal
                           period, and the state's (none named: the federal one): no week is claimed
      + --willful          three years (29 U.S.C. 255(a)): the week is claimed again, as above
      + --state-lookback-years 3   the state and contract measures reach it: contract claimed, FLSA 0
      + --jurisdiction US-MD       Maryland's 3 years (Cts. & Jud. Proc. 5-101) likewise; its $15.00
                                   minimum: 40 x 15 = 600.00 <= what was paid, state measure 0.00
    --minimum-wage 22.00   the state measure's minimum: required 40 x 22.00 = 880.00; audit 880 - 800 =
                           80.00, backpay 880 - 640 = 240.00: the state measure is the claim
"""

from __future__ import annotations

import json

import pytest
import test_audit_handworked

#: the policy and the weekly register's map of tests/test_audit_handworked.py (time and a half after 40 h, $2.00 a night hour)
POLICY, MAP = test_audit_handworked.POLICY, test_audit_handworked.MAP
WEEK = """
employee_id,start,end,rate
E1,2025-03-03 08:00,2025-03-03 16:00,20.00
E1,2025-03-04 08:00,2025-03-04 16:00,20.00
E1,2025-03-05 08:00,2025-03-05 16:00,20.00
E1,2025-03-06 08:00,2025-03-06 16:00,20.00
"""
NIGHT = "E1,2025-03-07 23:00,2025-03-08 07:00,20.00\n"
REGISTER = "Emp,Week Ending,Earn Code,Hours,Amount\nE1,03/08/2025,REG,40.00,800.00\n"
#: options -> (contract, FLSA, state, claim, liquidated) for (audit, backpay); None: no week is claimed
CASES = {
    "defaults": ([], (16.0, 0.0, 0.0, 16.0, 0.0), (176.0, 0.0, 0.0, 176.0, 0.0)),
    "liquidated_all": (["--liquidated", "all"], (16.0, 0.0, 0.0, 16.0, 16.0), (176.0, 0.0, 0.0, 176.0, 176.0)),
    "no_liquidated": (["--no-liquidated"], (16.0, 0.0, 0.0, 16.0, 0.0), (176.0, 0.0, 0.0, 176.0, 0.0)),
    "two_years_on": (["--as-of", "2027-03-20"], None, None),
    "two_years_on_willful": (["--as-of", "2027-03-20", "--willful"], (16.0, 0.0, 0.0, 16.0, 0.0), (176.0, 0.0, 0.0, 176.0, 0.0)),
    "two_years_on_willful_all": (["--as-of", "2027-03-20", "--willful", "--liquidated", "all"], (16.0, 0.0, 0.0, 16.0, 16.0),
                                 (176.0, 0.0, 0.0, 176.0, 176.0)),
    "two_years_on_federal_3": (["--as-of", "2027-03-20", "--lookback-years", "3"], (16.0, 0.0, 0.0, 16.0, 0.0),
                               (176.0, 0.0, 0.0, 176.0, 0.0)),
    "two_years_on_state_3": (["--as-of", "2027-03-20", "--state-lookback-years", "3"], (16.0, 0.0, 0.0, 16.0, 0.0),
                             (176.0, 0.0, 0.0, 176.0, 0.0)),
    "two_years_on_maryland": (["--as-of", "2027-03-20", "--jurisdiction", "US-MD"], (16.0, 0.0, 0.0, 16.0, 0.0),
                              (176.0, 0.0, 0.0, 176.0, 0.0)),
    "minimum_wage_22": (["--minimum-wage", "22.00"], (16.0, 0.0, 80.0, 80.0, 0.0), (176.0, 0.0, 240.0, 240.0, 0.0)),
}
MEASURES = ("contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages", "liquidated_damages")


@pytest.fixture
def paths(files):
    return {"policy": files.write("policy.toml", POLICY), "timesheet": files.write("timesheet.csv", WEEK + NIGHT),
            "paid": files.write("paid.csv", WEEK), "unpaid": files.write("unpaid.csv", "employee_id,start,end,rate\n" + NIGHT),
            "register": files.write("register.csv", REGISTER), "map": files.write("register.toml", MAP)}


def claims(cli, paths, options) -> tuple[dict, dict]:
    """(audit --claim's claim, backpay's report) under the same options, as JSON."""
    audit = cli(["audit", "-t", paths["timesheet"], "-p", paths["policy"], "--register", paths["register"], "--register-map",
                 paths["map"], "--claim", *options, "-f", "json"])
    backpay = cli(["backpay", "-t", paths["paid"], "-u", paths["unpaid"], "-p", paths["policy"], *options, "-f", "json"])
    assert audit.exit_code == 0, audit.stderr
    assert backpay.exit_code == 0, backpay.stderr
    return json.loads(audit.stdout)["claim"], json.loads(backpay.stdout)


@pytest.mark.parametrize("case", list(CASES))
def test_the_options_change_the_audit_claim_as_they_change_backpay(cli, paths, case):
    options, audit_week, backpay_week = CASES[case]
    claim, backpay = claims(cli, paths, options)
    for report, week in ((claim, audit_week), (backpay, backpay_week)):
        if week is None:
            assert report["weeks"] == [] and report["totals"]["back_wages"] == 0.0
            continue
        (w,) = report["weeks"]
        assert (w["employee_id"], w["week_start"]) == ("E1", "2025-03-02")
        assert tuple(w[k] for k in MEASURES) == week
        assert report["totals"]["total_owed"] == week[3] + week[4]
    # the same dates, periods and basis, whichever command made the claim
    for key in ("as_of", "lookback_years", "lookback_from", "state_lookback_from", "liquidated_damages_basis"):
        if "--as-of" in options or key not in ("as_of", "lookback_from", "state_lookback_from"):
            assert claim[key] == backpay[key], key


def test_the_default_as_of_is_the_latest_date_in_any_input(cli, paths):
    # the register's week ends Saturday 03-08, as does the night shift: both commands count back from 2025-03-08
    claim, backpay = claims(cli, paths, [])
    assert claim["as_of"] == backpay["as_of"] == "2025-03-08"


def test_the_run_record_lists_the_claim_options(cli, paths):
    options = ["--as-of", "2027-03-20", "--willful", "--liquidated", "all", "--jurisdiction", "US-MD", "--state-lookback-years", "4",
               "--minimum-wage", "22.00"]
    audit = cli(["audit", "-t", paths["timesheet"], "-p", paths["policy"], "--register", paths["register"], "--register-map",
                 paths["map"], "--claim", *options, "-f", "json"])
    backpay = cli(["backpay", "-t", paths["paid"], "-u", paths["unpaid"], "-p", paths["policy"], *options, "-f", "json"])
    expected = {"lookback_years": 3, "willful": True, "jurisdiction": "US-MD", "state_lookback_years": 4, "liquidated": "all",
                "as_of": "2027-03-20", "minimum_wage": "22.00"}
    for result in (audit, backpay):
        record = json.loads(result.stdout)["meta"]
        assert {k: record["options"][k] for k in expected} == expected
    assert json.loads(audit.stdout)["meta"]["options"]["claim"] is True


@pytest.mark.parametrize("options, message", [
    (["--willful", "--lookback-years", "2"], "--willful means a 3-year federal lookback"),
    (["--no-liquidated", "--liquidated", "all"], "--no-liquidated and --liquidated all contradict each other"),
    (["--minimum-wage", "abc"], "--minimum-wage must be a positive amount"),
])
def test_the_same_usage_errors(cli, paths, options, message):
    audit = cli(["audit", "-t", paths["timesheet"], "-p", paths["policy"], "--register", paths["register"], "--register-map",
                 paths["map"], "--claim", *options])
    backpay = cli(["backpay", "-t", paths["paid"], "-u", paths["unpaid"], "-p", paths["policy"], *options])
    assert audit.exit_code == backpay.exit_code == 2
    assert message in audit.stderr and message in backpay.stderr


def test_the_claim_options_need_claim(cli, paths):
    res = cli(["audit", "-t", paths["timesheet"], "-p", paths["policy"], "--register", paths["register"], "--register-map", paths["map"],
               "--willful", "--liquidated", "all"])
    assert res.exit_code == 2
    assert "--willful, --liquidated change the back-pay claim: give --claim as well" in res.stderr


def test_one_declaration_per_option():
    """The options are declared once (cli/options.py) and both commands show the same help for each."""
    import click

    from peerpay.cli.audit import command as audit
    from peerpay.cli.backpay import command as backpay

    def helps(cmd):
        return {p.name: (p.opts, p.help, getattr(p.type, "name", None), p.default) for p in cmd.params if isinstance(p, click.Option)}

    names = ("as_of", "lookback_years", "willful", "state_lookback_years", "liquidated", "no_liquidated", "jurisdiction", "minimum_wage")
    a, b = helps(audit), helps(backpay)
    assert {n: a[n] for n in names} == {n: b[n] for n in names}
