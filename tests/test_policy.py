"""The policy file (docs/formats.md §2): defaults, exact numbers, and errors that name the key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from peerpay.models.policy import Policy, loads_policy


def problems_of(text: str) -> str:
    with pytest.raises(ValueError) as info:
        loads_policy(text)
    return str(info.value)


def test_empty_policy_means_no_rules():
    p = loads_policy("")
    assert p == Policy()
    assert (p.timezone, p.overtime, p.differential, p.holiday, p.on_call, p.minimum_shift) == (None, None, (), None, None, None)
    assert p.workweek.start_index == 6  # Sunday


def test_overtime_defaults():
    ot = loads_policy("[overtime]\n").overtime
    assert (ot.weekly_hours, ot.daily_hours, ot.multiplier, ot.basis, ot.system) == (
        Decimal(40), None, Decimal("1.5"), "regular_rate", "weekly")
    assert (ot.daily_threshold, ot.period_threshold, ot.period_days) == (None, Decimal(40), 7)


def test_eight_and_eighty_thresholds():
    p = loads_policy('establishment = "hospital"\n[overtime]\nsystem = "8_and_80"\nperiod_start = 2025-01-05\n')
    ot = p.overtime
    assert (ot.daily_threshold, ot.period_threshold, ot.period_days) == (Decimal(8), Decimal(80), 14)
    assert ot.period_start == dt.date(2025, 1, 5)


@pytest.mark.parametrize(
    "text, words",
    [
        ('[overtime]\nsystem = "8_and_80"\nperiod_start = 2025-01-05\n', "establishment"),
        ('establishment = "clinic"\n[overtime]\nsystem = "8_and_80"\nperiod_start = 2025-01-05\n', "establishment"),
        ('establishment = "hospital"\n[overtime]\nsystem = "8_and_80"\n', "period_start"),
    ],
)
def test_eight_and_eighty_refusals(text, words):
    assert words in problems_of(text)


def test_numbers_are_exact_decimals():
    # TOML floats are binary; the policy reads them back through their shortest repr
    p = loads_policy('[on_call]\nstandby_per_hour = 2.3\ncallback_multiplier = 1.1\n'
                     '[[differential]]\nname = "n"\npercent = 12.5\n')
    assert p.on_call.standby_per_hour == Decimal("2.3")
    assert p.on_call.callback_multiplier == Decimal("1.1")
    assert p.differential[0].percent == Decimal("12.5")


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ('timezon = "UTC"\n', "timezon: unknown key (did you mean 'timezone'?)"),
        ('[overtime]\nweekly_hour = 40\n', "overtime.weekly_hour: unknown key (did you mean 'weekly_hours'?)"),
        ('[workweek]\nstart = "monday"\n', "workweek.start: unknown key (did you mean 'start_day'?)"),
        ('[[differential]]\nname = "n"\nper_hr = 2\n', "differential[1].per_hr: unknown key (did you mean 'per_hour'?)"),
        ('[holiday]\ncountri = "US"\n', "holiday.countri: unknown key (did you mean 'country'?)"),
        ('[on_call]\nstandby_per_hr = 3\n', "on_call.standby_per_hr: unknown key (did you mean 'standby_per_hour'?)"),
        ('[overtimes]\n', "overtimes: unknown key (did you mean 'overtime'?)"),
    ],
)
def test_typos_name_the_key_and_suggest(text, suggestion):
    assert suggestion in problems_of(text)


@pytest.mark.parametrize(
    "text, words",
    [
        ('timezone = "Mars/Olympus"\n', "unknown IANA timezone"),
        ('[workweek]\nstart_day = "funday"\n', "unknown day"),
        ('[overtime]\nmultiplier = 0.5\n', "multiplier must be at least 1"),
        ('[overtime]\nbasis = "weekly_rate"\n', "basis"),
        ('[overtime]\nweekly_hours = -1\n', "weekly_hours"),
        ('[overtime]\ndaily_hours = 200\n', "daily_hours"),
        ('[overtime]\nweekly_hours = true\n', "weekly_hours"),
        ('[[differential]]\nname = "n"\nstart = "23:00"\nper_hour = 2\n', "give both start and end"),
        ('[[differential]]\nname = "n"\n', "exactly one of per_hour or percent"),
        ('[[differential]]\nname = "n"\nper_hour = 2\npercent = 5\n', "exactly one of per_hour or percent"),
        ('[[differential]]\nname = "n"\nstart = "25:00"\nend = "07:00"\nper_hour = 2\n', "not HH:MM"),
        ('[[differential]]\nname = "n"\nstart = "7pm"\nend = "07:00"\nper_hour = 2\n', "not HH:MM"),
        ('[[differential]]\nname = "n"\nper_hour = -2\n', "per_hour"),
        ('[[differential]]\nname = "n"\ndays = ["fry"]\nper_hour = 2\n', "unknown day"),
        ('[[differential]]\nname = "n night"\nper_hour = 2\n', "must be letters, digits"),
        ('[[differential]]\nname = "n"\nper_hour = 2\neligibility = "min_hours_in_window"\n', "needs min_hours"),
        ('[[differential]]\nname = "n"\nper_hour = 2\n[[differential]]\nname = "n"\npercent = 5\n', "must be unique"),
        ('[holiday]\ncountry = "XX"\n', "holiday calendar"),
        ('[holiday]\ndates = ["2025-02-30"]\n', "holiday.dates"),
        ('[holiday]\nmultiplier = 0.5\n', "at least 1"),
        ("[overtime\n", "not valid TOML"),
    ],
)
def test_invalid_values(text, words):
    assert words in problems_of(text)


def test_every_problem_is_listed_at_once():
    text = problems_of('timezon = "UTC"\n[overtime]\nweekly_hour = 40\nmultiplier = "x"\n')
    assert "timezon" in text and "weekly_hour" in text and "multiplier" in text


def test_differential_windows():
    p = loads_policy(
        '[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\nper_hour = 2\ndays = ["Friday", "sat"]\n'
        '[[differential]]\nname = "weekend"\npercent = 5\n'
        '[[differential]]\nname = "late"\nstart = "22:00"\nend = "24:00"\nper_hour = 1\n'
    )
    night, weekend, late = p.differential
    assert night.window == (23 * 60, 31 * 60)  # wraps past midnight
    assert night.days == ("fri", "sat") and night.day_indexes == frozenset({4, 5})
    assert weekend.window == (0, 24 * 60) and weekend.day_indexes == frozenset(range(7))
    assert late.window == (22 * 60, 24 * 60)


def test_weekday_names_and_aliases():
    for name in ("monday", "Mon", " MONDAY "):
        assert loads_policy(f'[workweek]\nstart_day = "{name}"\n').workweek.start_index == 0


def test_policy_is_frozen():
    p = loads_policy("[overtime]\n")
    with pytest.raises(ValidationError):
        p.overtime.multiplier = Decimal(2)


def test_sample_policy_loads():
    from conftest import SAMPLES

    p = loads_policy((SAMPLES / "policy.toml").read_text(encoding="utf-8"))
    assert [d.name for d in p.differential] == ["evening", "night", "weekend"]
    assert p.timezone == "America/New_York"
