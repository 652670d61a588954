"""The leak attack (tests/test_leak_attack.py) on out-of-class hours by role (docs/out-of-class.md).

Hours of out-of-class work done by one person are personal data, and colleagues see who did
another class's work. Organisations built to tempt a leak (tens of people, out-of-class hours that
are round numbers, a lone person in a duty role beside ten in another, roles pooled with
``--group``, an unpaid-work log), and hypothesis-generated ones, are published in every format
and attacked: no number may be one person's out-of-class hours (in all or in one duty role) or
share of their hours, or the mean of two colleagues or of a set under 10; a set under 10
publishes no count or total; no exact total less the exact parts gives a person's hours. And the
attack is shown to find a report that publishes exact figures of small groups.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from test_leak_attack import Config, Roster, attack, everything_exact, out_of_class_leaks, published, text_numbers

MONDAY = datetime(2025, 3, 3)  # a week without a change of clocks
POLICY = """
[workweek]
start_day = "sunday"
[overtime]
weekly_hours = 40
multiplier = 1.5
[out_of_class]
method = "first_higher_step"
when_none_higher = "own_rate"
"""


def employee_ids(people: dict) -> dict[str, list[str]]:
    """The ids Roster.write gives: the role's first three letters and the person's number."""
    return {role: [f"{role[:3].upper()}{k:02d}" for k in range(1, len(members) + 1)] for role, members in people.items()}


def write_org(folder: Path, people: dict, duties: dict[str, list[tuple[str, float]]], unpaid: dict | None = None):
    """A roster and schedule (one step per person), a week's timesheet of five 8-hour days per person
    with ``duties`` (employee -> [(duty role, hours)]) worked at the start of Monday, Tuesday …, and
    an unpaid-work log (employee -> [(duty role, hours)], evenings); returns the file paths."""
    roster, schedule = Roster(people, folder).write()
    ids = [e for members in employee_ids(people).values() for e in members]
    rows = ["employee_id,start,end,kind,duty_role"]
    for e in ids:
        todo = list(duties.get(e, []))
        for day in range(5):
            start, end = MONDAY + timedelta(days=day, hours=8), MONDAY + timedelta(days=day, hours=16)
            if todo:
                duty, hours = todo.pop(0)
                cut = start + timedelta(minutes=round(hours * 60))
                rows.append(f"{e},{start:%Y-%m-%d %H:%M},{cut:%Y-%m-%d %H:%M},work,{duty}")
                start = cut
            if start < end:
                rows.append(f"{e},{start:%Y-%m-%d %H:%M},{end:%Y-%m-%d %H:%M},work,")
        rows.append(f"{e},{MONDAY + timedelta(days=5, hours=9):%Y-%m-%d %H:%M},{MONDAY + timedelta(days=5, hours=13):%Y-%m-%d %H:%M},"
                    f"on_call,{'case_manager' if e.startswith('PEE') else ''}")  # standby marked with a duty role: not work
    timesheet = folder / "timesheet.csv"
    timesheet.write_text("\n".join(rows) + "\n")
    (folder / "policy.toml").write_text(POLICY)
    log = None
    if unpaid:
        lines = ["employee_id,start,end,duty_role,activity"]
        for e, items in unpaid.items():
            for day, (duty, hours) in enumerate(items):
                start = MONDAY + timedelta(days=day, hours=17)
                lines.append(f"{e},{start:%Y-%m-%d %H:%M},{start + timedelta(minutes=round(hours * 60)):%Y-%m-%d %H:%M},{duty},evening")
        log = folder / "unpaid.csv"
        log.write_text("\n".join(lines) + "\n")
    return roster, schedule, timesheet, folder / "policy.toml", log


PEOPLE = {"peer_specialist": [(19.0 + 0.37 * k, 1) for k in range(13)], "community_health_worker": [(21.1 + 0.29 * k, 1) for k in range(5)],
          "case_manager": [(24.3 + 0.41 * k, 1) for k in range(4)], "rn": [(41.0 + 0.7 * k, 1) for k in range(3)], "director": [(48.0, 1)]}


def tempting_duties(round_hours: bool) -> dict:
    """11 peers did case management (2.25 h … or whole days), three of them also community health work;
    4 community health workers did case management; 2 case managers did peer work; nobody else."""
    h = (lambda k: 8.0 * (1 + k % 2)) if round_hours else (lambda k: 2.25 + 0.5 * k)
    duties: dict[str, list[tuple[str, float]]] = {}
    for k, e in enumerate(employee_ids(PEOPLE)["peer_specialist"][:11]):
        duties[e] = [("case_manager", min(h(k), 8.0))] + ([("case_manager", h(k) - 8.0)] if h(k) > 8 else [])
        if k < 3:
            duties[e].append(("community_health_worker", 1.5 + k if not round_hours else 8.0))
    for k, e in enumerate(employee_ids(PEOPLE)["community_health_worker"][:4]):
        duties[e] = [("case_manager", 4.0 * (k + 1) if round_hours else 3.1 + 0.6 * k)]
    for k, e in enumerate(employee_ids(PEOPLE)["case_manager"][:2]):
        duties[e] = [("peer_specialist", 6.0 + k)]
    return duties


UNPAID = {"PEE01": [("case_manager", 2.0)], "PEE05": [("case_manager", 1.5), ("case_manager", 2.5)], "COM02": [("case_manager", 3.0)]}

CONFIGS = [
    Config("earnings", {"basis": "earnings"}),
    Config("base_rate_with_timesheet", {"paid": True}),
    Config("unpaid_log", {"basis": "earnings", "unpaid": "UNPAID"}),
    Config("pooled", {"basis": "earnings", "groups": {"frontline": ["peer_specialist", "community_health_worker"],
                                                      "clinical": ["rn", "case_manager"]}}),
    Config("min12", {"basis": "earnings", "min_group": 12}),
    Config("annual_bls", {"basis": "annual", "paid": True, "reference": "bls-2025"}, ("poverty-2025",)),
]


def _kwargs(config: Config, log) -> Config:
    args = {k: (log if v == "UNPAID" else v) for k, v in config.args.items()}
    return Config(config.name, args, config.lines)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("round_hours", [False, True], ids=["odd_hours", "round_hours"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_tempting_organisations_leak_no_out_of_class_hours(tmp_path, config, round_hours):
    roster, schedule, timesheet, policy, log = write_org(tmp_path, PEOPLE, tempting_duties(round_hours), UNPAID)
    config = _kwargs(config, log)
    _, report, _, _ = published(roster, schedule, config, timesheet=timesheet, policy=policy)
    assert report["out_of_class"]["roles"], "the section is published"
    assert attack(roster, schedule, config, timesheet=timesheet, policy=policy) == []


def test_the_tempting_organisation_publishes_what_the_rule_allows(tmp_path):
    """What the attack above passes: peers exact (11 did out-of-class work) with case management banded
    (its total less the group's would give three people's community health work); community health
    workers banded (4); case managers withheld (2); nurses "none"; the director withheld."""
    roster, schedule, timesheet, policy, _ = write_org(tmp_path, PEOPLE, tempting_duties(False))
    _, report, _, _ = published(roster, schedule, Config("earnings", {"basis": "earnings"}), timesheet=timesheet, policy=policy)
    rows = {r["role"]: r for r in report["out_of_class"]["roles"]}
    assert {k: r["status"] for k, r in rows.items()} == {"peer_specialist": "exact", "community_health_worker": "band",
                                                         "case_manager": "withheld", "rn": "none", "director": "withheld"}
    peer = rows["peer_specialist"]
    assert peer["people_out_of_class"] == 11
    # 2.25 + 2.75 + … + 7.25 (11 people, 52.25 h) + community health work 1.5 + 2.5 + 3.5 = 59.75 h
    assert peer["out_of_class_hours"] == 59.75
    assert [sorted(c) for c in peer["by_duty_role"]] == [["duty_role", "median_hours_band"], ["duty_role", "median_hours_band"]]


# --------------------------------------------------------------------------- generated organisations


@st.composite
def organisations(draw):
    """Peers and two other roles of 1 to 13 people, each person with 0 to 3 stretches of out-of-class
    work in one of two duty roles, in quarter hours (whole hours half the time)."""
    sizes = [draw(st.integers(1, 13)) for _ in range(3)]
    roles = ["peer_specialist", "case_manager", "rn"]
    people = {r: [(19.0 + 5 * i + 0.31 * k, 1) for k in range(n)] for i, (r, n) in enumerate(zip(roles, sizes))}
    whole = draw(st.booleans())
    duties = {}
    for role, ids in employee_ids(people).items():
        others = [r for r in roles if r != role]
        for e in ids:
            items = draw(st.lists(st.tuples(st.sampled_from(others), st.integers(1, 8 if whole else 32)), max_size=3))
            duties[e] = [(d, float(q) if whole else q / 4) for d, q in items]
    config = draw(st.sampled_from([Config("earnings", {"basis": "earnings"}),
                                   Config("pooled", {"basis": "earnings", "groups": {"others": ["case_manager", "rn"]}})]))
    return people, duties, config


@pytest.mark.timeout(900)
@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(organisations())
def test_generated_organisations_leak_no_out_of_class_hours(tmp_path_factory, drawn):
    people, duties, config = drawn
    folder = tmp_path_factory.mktemp("org")
    roster, schedule, timesheet, policy, _ = write_org(folder, people, duties)
    assert attack(roster, schedule, config, timesheet=timesheet, policy=policy) == []


# --------------------------------------------------------------------------- the attack can fail


def test_the_attack_finds_out_of_class_hours_published_exactly(tmp_path, monkeypatch):
    """With the disclosure rule switched off (every group exact), the community health workers' 4 people,
    the case managers' 2 and the lone duty roles are published exactly: the attack reports them."""
    from peerpay.core import out_of_class_roles

    roster, schedule, timesheet, policy, _ = write_org(tmp_path, PEOPLE, tempting_duties(False))
    config = Config("earnings", {"basis": "earnings"})
    assert attack(roster, schedule, config, timesheet=timesheet, policy=policy) == []
    monkeypatch.setattr(out_of_class_roles, "disclose", everything_exact)
    leaks = attack(roster, schedule, config, timesheet=timesheet, policy=policy)
    assert any("is somebody's out-of-class hours" in leak for leak in leaks)
    assert "json: out_of_class case_manager/all: median_out_of_class_hours = 6.5 is somebody's figure" in leaks  # two people's mean
    assert "json: out_of_class community_health_worker/all: people_out_of_class is a count or total without 10 people" in leaks
    assert any(leak.startswith("algebra: the published out-of-class totals") for leak in leaks)


def test_the_attack_reads_a_band_against_somebody(tmp_path):
    """A band edge on somebody's hours is found in the text of every format (the rule widens such a band)."""
    roster, schedule, timesheet, policy, _ = write_org(tmp_path, PEOPLE, tempting_duties(False))
    config = Config("earnings", {"basis": "earnings"})
    _, report, outputs, _ = published(roster, schedule, config, timesheet=timesheet, policy=policy)
    chw = next(r for r in report["out_of_class"]["roles"] if r["role"] == "community_health_worker")
    # 3.1 + 0.6 k hours: 3.1, 3.7, 4.3, 4.9. A forged band [3.7, 4.3] has two people's hours as its edges.
    forged = json.loads(json.dumps(report))
    next(r for r in forged["out_of_class"]["roles"] if r["role"] == "community_health_worker")["median_out_of_class_hours_band"] = [3.7, 4.3]
    assert chw["median_out_of_class_hours_band"] != [3.7, 4.3]
    from peerpay.cli.gap import render_gap

    md = render_gap(forged, "md")
    assert 3.7 in text_numbers(md)
    leaks = out_of_class_leaks(forged, {"md": text_numbers(md)}, roster, {"basis": "earnings"}, timesheet)
    assert any("3.7" in leak for leak in leaks) and any("4.3" in leak for leak in leaks)
