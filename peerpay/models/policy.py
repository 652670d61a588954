"""The pay policy: TOML -> frozen, validated pydantic models (docs/formats.md §2, plus documented options).

Every key is optional; a missing section means the rule does not apply. A typo is an error
that names the key and suggests the right one, because a silently ignored ``per_hr = 2.5``
would underpay a night shift.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import tomllib
from decimal import Decimal
from typing import Annotated, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..core.money import MINUTES_PER_DAY, to_decimal
from .periods import PayPeriod

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    full: i
    for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
HOSPITAL_ESTABLISHMENTS = ("hospital", "residential_care")


def _exact_decimal(v):
    """TOML floats arrive as binary floats; read them back through their shortest repr.

    A number in quotes (``per_hour = "2.00"``) is an error, not read as a number: TOML text is
    where a stray ``"2,00"`` or ``"$2"`` comes from, and a policy must say what it means.
    """
    if isinstance(v, bool):
        raise ValueError("expected a number")
    if isinstance(v, str):
        raise ValueError(f"write the number without quotes ({v.strip()}, not \"{v}\"): a quoted value is text in TOML")
    return to_decimal(v)


Money = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0)]

# ---------------------------------------------------------------------------------------------
# Bounds on policy values. Generous for any real contract, and they keep the engine's exact
# integer arithmetic far from int64 (9.2e18). The engine's units (peerpay/core/money.py): a rate is
# $0.0001/h (the input side caps base rates at MAX_RATE = $10,000/h -> 1e8 units), a factor is
# 1/10,000 (10x -> 1e5), and an amount is rate x factor x minutes. The longest pay period is the
# 14-day 8-and-80 period = 20,160 minutes. Worst case for one employee and period:
#   base             1e8 x 1e4 x 20,160                          = 2.0e16
#   one differential 1e8 x (1000 % = 1e5) x 20,160                = 2.0e17  (per_hour $1,000: 2.0e15)
#   all differentials: at most MAX_DIFFERENTIALS = 16 of them    = 3.2e18
#   holiday premium  1e8 x (10x - 1 = 9e4) x 20,160              = 1.8e17
#   standby          ($1,000/h = 1e7) x 1e4 x 20,160             = 2.0e15
# so the regular-rate numerator stays under 3.6e18, about 40 % of int64, at a base rate no one
# is paid; at $100/h every figure is 100x smaller. (The overtime premium multiplies further and
# the engine switches to Python integers there.) Before these bounds, percent = 1e9 wrapped
# int64 into a negative gross and per_hour = 1e300 ended in a traceback.
MAX_PER_HOUR = Decimal(1000)  # $/h: a differential or standby rate
MAX_PERCENT = Decimal(1000)  # % of base: ten times the base rate
MAX_MULTIPLIER = Decimal(10)  # overtime, holiday, call-back
MAX_DIFFERENTIALS = 16
HOURS_PER_DAY, HOURS_PER_WEEK, HOURS_PER_PERIOD = Decimal(24), Decimal(168), Decimal(336)


def _fmt(v: Decimal) -> str:
    """A bound or value for a message: 1.5, 1000, or 1.00e+300 for an absurd one."""
    return format(v, ".2e") if abs(v.adjusted()) > 12 else format(v.normalize(), "f")


def _within(lo: Decimal, hi: Decimal, unit: str, meant=None):
    """A validator: ``lo <= value <= hi``, else a message with what was probably meant."""

    def check(v, info):
        if v is None or lo <= v <= hi:
            return v
        guess = meant(v) if meant else None
        hint = f"; did you mean {_fmt(guess)}?" if guess is not None else ""
        bound = f"at least {_fmt(lo)}" if v < lo else f"at most {_fmt(hi)}"
        raise ValueError(f"{info.field_name} must be {bound} {unit}, not {_fmt(v)}{hint}")

    return AfterValidator(check)


def _multiplier_meant(v: Decimal) -> Decimal | None:
    """15 -> 1.5, 150 -> 1.5, 200 -> 2: a multiplier typed as a percent or without its point."""
    for scale in (10, 100):
        if Decimal(1) < v / scale <= 3:
            return v / scale
    return None


def _per_hour_meant(v: Decimal) -> Decimal | None:
    """250 -> 2.50: cents typed where dollars belong."""
    return v / 100 if v / 100 <= 50 else None


PerHour = Annotated[Decimal, BeforeValidator(_exact_decimal), _within(Decimal(0), MAX_PER_HOUR, "dollars per hour", _per_hour_meant)]
Percent = Annotated[Decimal, BeforeValidator(_exact_decimal), _within(Decimal(0), MAX_PERCENT, "percent of the base rate")]
Multiplier = Annotated[Decimal, BeforeValidator(_exact_decimal),
                       _within(Decimal(1), MAX_MULTIPLIER, "(a multiplier of the base or regular rate: 1.5 is time and a half)",
                               _multiplier_meant)]
DayHours = Annotated[Decimal, BeforeValidator(_exact_decimal), _within(Decimal(0), HOURS_PER_DAY, "hours (within one day)")]
WeekHours = Annotated[Decimal, BeforeValidator(_exact_decimal), _within(Decimal(0), HOURS_PER_WEEK, "hours (within one week)")]
PeriodHours = Annotated[Decimal, BeforeValidator(_exact_decimal), _within(Decimal(0), HOURS_PER_PERIOD, "hours (within 14 days)")]


def weekday_index(name: str) -> int:
    key = str(name).strip().lower()
    if key not in _DAY_ALIASES:
        raise ValueError(f"unknown day {name!r}: use one of {', '.join(WEEKDAYS)}")
    return _DAY_ALIASES[key]


def _clock_minutes(text: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(text).strip())
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59 or (int(m.group(1)) == 24 and m.group(2) != "00"):
        raise ValueError(f"time {text!r} is not HH:MM (00:00-24:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


def _rule_name(v: str, what: str) -> str:
    """A rule's name is a report key (``differential_pay``, ``overtime_hours_by_tier``): letters, digits, _ or -."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", v or ""):
        raise ValueError(f"{what} name {v!r} must be letters, digits, _ or -")
    return v


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Workweek(_Section):
    """FLSA workweek: a fixed, regularly recurring 168 hours (29 CFR 778.105)."""

    start_day: str = "sun"

    @field_validator("start_day")
    @classmethod
    def _day(cls, v: str) -> str:
        return WEEKDAYS[weekday_index(v)]

    @property
    def start_index(self) -> int:
        return weekday_index(self.start_day)


class MinimumWageStep(_Section):
    """One row of a minimum-wage series: ``hourly`` dollars from ``effective_date`` on."""

    effective_date: dt.date
    hourly: Money


class OvertimeTier(_Section):
    """``[[overtime.tier]]``: one overtime rule: the minutes beyond ``hours`` of its ``kind`` earn
    ``multiplier`` x the regular rate (the kinds: :data:`peerpay.models.overtime.TIER_KINDS`).

    Tiers are ordered rules; a minute reached by several is paid once, at the highest multiplier
    (ties: the tier declared first), and weekly tiers count only the minutes that no daily,
    seventh-day or consecutive tier paid (Cal. Lab. Code 510(a); 29 CFR 778.202(c)).
    """

    name: str
    kind: Literal["daily", "weekly", "seventh_day", "consecutive"]
    hours: WeekHours
    multiplier: Multiplier = Decimal("1.5")
    day: int = Field(default=7, ge=2, le=7)  # seventh_day: the Nth consecutive day worked in the workweek
    break_minutes: int = Field(default=0, ge=0, le=240)  # consecutive: a gap this short does not end the stretch
    #: Only shifts whose base rate is below this many times the minimum wage of ``jurisdiction`` on
    #: the shift's date (Nevada, NRS 608.018: 1.5).
    rate_below_minimum_wage_times: Multiplier | None = None
    jurisdiction: str | None = None
    citation: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _rule_name(v, "tier")

    @model_validator(mode="after")
    def _shape(self):
        if self.kind != "weekly" and self.hours > HOURS_PER_DAY:
            raise ValueError(f"tier {self.name!r}: hours must be at most 24 for a {self.kind} tier, not {_fmt(self.hours)}")
        if self.break_minutes and self.kind != "consecutive":
            raise ValueError(f"tier {self.name!r}: break_minutes is for a consecutive tier only")
        if "day" in self.model_fields_set and self.kind != "seventh_day":
            raise ValueError(f"tier {self.name!r}: day is for a seventh_day tier only")
        if (self.rate_below_minimum_wage_times is None) != (self.jurisdiction is None):
            raise ValueError(f"tier {self.name!r}: rate_below_minimum_wage_times and jurisdiction go together "
                             "(e.g. 1.5 and \"US-NV\")")
        if self.jurisdiction is not None:
            self_j = self.jurisdiction.strip().upper()
            if not re.fullmatch(r"US(-[A-Z]{2}(-[A-Z0-9_]+)?)?", self_j):
                raise ValueError(f"tier {self.name!r}: jurisdiction {self.jurisdiction!r} is not US or US-XX (e.g. \"US-NV\")")
            object.__setattr__(self, "jurisdiction", self_j)
        return self

    @property
    def by_day(self) -> bool:
        """Counted within a day or a stretch of work (not the workweek): paid before weekly tiers."""
        return self.kind != "weekly"


class Overtime(_Section):
    """Daily and weekly overtime (29 CFR 778.101-778.107), the 8-and-80 system (778.601), or
    ordered tiers: a state preset (``rules = "CA"``) or explicit ``[[overtime.tier]]`` blocks."""

    weekly_hours: WeekHours | None = Decimal(40)
    daily_hours: DayHours | None = None
    multiplier: Multiplier = Decimal("1.5")
    basis: Literal["regular_rate", "base_rate"] = "regular_rate"
    system: Literal["weekly", "8_and_80"] = "weekly"
    period_start: dt.date | None = None  # 8-and-80: any date on which a 14-day period starts
    period_hours: PeriodHours | None = None  # 8-and-80: defaults to 80
    #: A state preset (models/overtime.py PRESETS): its tiers, with their citations.
    rules: Literal["FLSA", "CA", "AK", "NV", "CO"] | None = None
    tier: tuple[OvertimeTier, ...] = Field(default=(), max_length=16)
    #: Whose law explicit tiers follow (`peerpay init --state XX` writes it): California's regular
    #: rate on flat-sum bonuses (Alvarado) and back pay's state measure read it. ``rules`` implies it.
    state: Literal["FLSA", "CA", "AK", "NV", "CO"] | None = None
    #: California alternative workweek schedule (Lab. Code 511): the regular workday's hours (10 for 4/10).
    alternative_workweek_hours: DayHours | None = None
    #: jurisdiction -> its minimum-wage series, for tiers with a rate condition. Filled from the
    #: shipped table when the policy file is read (io.readers.read_policy); may be given here.
    minimum_wages: dict[str, tuple[MinimumWageStep, ...]] = {}

    @field_validator("rules", "state", mode="before")
    @classmethod
    def _rules_upper(cls, v):
        return v.strip().upper() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _eight_and_eighty(self):
        if self.system == "8_and_80" and self.period_start is None:
            raise ValueError(
                "system = \"8_and_80\" needs period_start = a date on which one of the employer's "
                "fixed 14-day periods begins (29 CFR 778.601)"
            )
        return self

    @model_validator(mode="after")
    def _tiers(self):
        if self.state is not None and self.rules is not None and self.state != self.rules:
            raise ValueError(f"state = \"{self.state}\" and rules = \"{self.rules}\" disagree: rules sets the state")
        if self.rules is not None and self.tier:
            raise ValueError("give rules = \"XX\" (a state preset) or [[overtime.tier]] blocks, not both "
                             "(`peerpay init --state XX` writes a preset out as tiers to edit)")
        if self.tiered:
            # (a key at its default value is harmless: a re-validated dump of the policy holds them all)
            mixed = sorted(k for k in ("weekly_hours", "daily_hours", "multiplier", "system", "period_start", "period_hours")
                           if k in self.model_fields_set and getattr(self, k) != type(self).model_fields[k].default)
            if mixed:
                raise ValueError(f"{', '.join(mixed)}: with rules or [[overtime.tier]], thresholds and multipliers "
                                 "are the tiers' own (hours, multiplier): remove these keys")
        if self.alternative_workweek_hours is not None:
            if self.rules != "CA":
                raise ValueError("alternative_workweek_hours is California's alternative workweek schedule "
                                 "(Lab. Code 511): it needs rules = \"CA\"")
            if not Decimal(8) < self.alternative_workweek_hours <= 12:
                raise ValueError("alternative_workweek_hours must be more than 8 and at most 12 (Lab. Code 511(a))")
        names = [t.name for t in self.tier]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"overtime tier names must be unique: {', '.join(dupes)}")
        return self

    @property
    def state_law(self) -> str | None:
        """The state whose overtime law applies ("CA", ...; "FLSA" or None: federal only)."""
        return self.rules or self.state

    @property
    def tiered(self) -> bool:
        """Overtime by tiers (a preset or explicit tiers): the pay lines then show hours per tier."""
        return self.rules is not None or bool(self.tier)

    @property
    def tiers(self) -> tuple[OvertimeTier, ...]:
        """The overtime rules in order: the explicit tiers, the preset's, or the classic keys as two tiers."""
        if self.tier:
            return self.tier
        if self.rules is not None:
            return _preset_tiers(self.rules, self.alternative_workweek_hours)
        out = []
        if self.daily_threshold is not None:
            out.append(OvertimeTier(name="daily", kind="daily", hours=self.daily_threshold, multiplier=self.multiplier))
        if self.period_threshold is not None:
            # an 8-and-80 period threshold is a "weekly" tier over the 14-day period (up to 336 h)
            out.append(OvertimeTier.model_construct(name="weekly", kind="weekly", hours=self.period_threshold,
                                                    multiplier=self.multiplier, day=7, break_minutes=0,
                                                    rate_below_minimum_wage_times=None, jurisdiction=None, citation=None))
        return tuple(out)

    @property
    def period_days(self) -> int:
        return 14 if self.system == "8_and_80" else 7

    @property
    def daily_threshold(self) -> Decimal | None:
        if self.tiered:
            daily = [t.hours for t in self.tiers if t.kind == "daily"]
            return min(daily) if daily else None
        if self.system == "8_and_80":
            return self.daily_hours if self.daily_hours is not None else Decimal(8)
        return self.daily_hours

    @property
    def period_threshold(self) -> Decimal | None:
        if self.tiered:
            weekly = [t.hours for t in self.tiers if t.kind == "weekly"]
            return min(weekly) if weekly else None
        if self.system == "8_and_80":
            return self.period_hours if self.period_hours is not None else Decimal(80)
        return self.weekly_hours


@functools.lru_cache(maxsize=64)
def _preset_tiers(rules: str, alternative_workweek_hours: Decimal | None) -> tuple[OvertimeTier, ...]:
    """A preset's tiers, validated once (the engine asks for them several times a run)."""
    from .overtime import preset_tiers

    return tuple(OvertimeTier.model_validate(t) for t in preset_tiers(rules, alternative_workweek_hours))


class Differential(_Section):
    """A shift, weekend or other differential: $/h or % of base for minutes inside a window."""

    name: str
    start: str | None = None
    end: str | None = None
    days: tuple[str, ...] | None = None
    per_hour: PerHour | None = None
    percent: Percent | None = None
    group: str | None = None
    eligibility: Literal["minutes", "majority", "start", "min_hours_in_window"] = "minutes"
    min_hours: DayHours | None = None
    citation: str | None = None
    #: Only shifts worked in these roles earn it (the shift's role: the timesheet's ``role`` or
    #: the roster's); omitted = every role. A night differential for peers only, for example.
    roles: tuple[str, ...] | None = None
    #: Only employees holding this credential earn it, from its certification date on (the roster's
    #: ``credential`` / ``certified_on``); omitted = everyone. See :class:`CredentialPremium`.
    credential: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _rule_name(v, "differential")

    @field_validator("days")
    @classmethod
    def _days(cls, v):
        if v is None:
            return v
        return tuple(WEEKDAYS[weekday_index(d)] for d in v)

    @model_validator(mode="after")
    def _shape(self):
        if (self.start is None) != (self.end is None):
            raise ValueError(f"differential {self.name!r}: give both start and end, or neither (whole days)")
        if self.start is not None:
            s, e = _clock_minutes(self.start), _clock_minutes(cast(str, self.end))  # both or neither, checked above
            if s % MINUTES_PER_DAY == e % MINUTES_PER_DAY and (s, e) != (0, MINUTES_PER_DAY):  # "00:00" to "24:00" is the one whole-day window
                raise ValueError(
                    f"differential {self.name!r}: start and end are both {self.start}: a window needs two different "
                    "times (omit both for whole days)"
                )
        if (self.per_hour is None) == (self.percent is None):
            raise ValueError(f"differential {self.name!r}: give exactly one of per_hour or percent")
        if self.eligibility == "min_hours_in_window" and self.min_hours is None:
            raise ValueError(f"differential {self.name!r}: eligibility min_hours_in_window needs min_hours")
        return self

    @property
    def window(self) -> tuple[int, int]:
        """(start, end) in minutes after local midnight; end <= start means it wraps to the next day."""
        if self.start is None:
            return 0, MINUTES_PER_DAY
        s, e = _clock_minutes(self.start), _clock_minutes(cast(str, self.end))  # both or neither (validated)
        if e <= s:
            e += MINUTES_PER_DAY
        return s, e

    @property
    def day_indexes(self) -> frozenset[int]:
        return frozenset(range(7)) if self.days is None else frozenset(weekday_index(d) for d in self.days)


class Holiday(_Section):
    """Holiday premium: (multiplier - 1) x base for minutes worked on a holiday date.

    Excluded from the regular rate as a premium for holiday work (29 CFR 778.203(b), 778.219).
    """

    country: str | None = None
    subdivision: str | None = None
    dates: tuple[dt.date, ...] = ()
    observed: bool = True
    multiplier: Multiplier = Decimal("1.5")

    @model_validator(mode="after")
    def _calendar(self):
        if self.country is not None:
            import holidays

            _load_only_country(self.country)
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision, years=2025)
            except (NotImplementedError, KeyError, ValueError) as exc:
                raise ValueError(f"holiday calendar {self.country!r}/{self.subdivision!r}: {exc}") from None
        return self


def _load_only_country(country: str) -> None:
    """Load the ``holidays`` module of this one country, not the package's 250 others.

    Why: ``holidays`` finds a country through ``holidays.countries``, whose ``__init__`` imports
    every country module (0.1-0.3 s, a quarter of a small run). The country's module is loaded
    here on its own and registered under its usual name; the package's lazy loader then finds it
    there (the engine's ``holidays.country_holidays`` too). Anything unexpected (an unknown code,
    another layout of the package) leaves the package to load the usual way.
    """
    import importlib.util
    import os
    import sys

    import holidays

    try:
        from holidays.registry import COUNTRIES

        module = next((m for m, names in COUNTRIES.items() if country in names), None)
        name = f"holidays.countries.{module}"
        path = os.path.join(os.path.dirname(holidays.__file__), "countries", f"{module}.py")
        if module is None or name in sys.modules or "holidays.countries" in sys.modules or not os.path.isfile(path):
            return
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            return
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        sys.modules.setdefault(name, loaded)  # a module that imported the whole package meanwhile keeps the package's copy
    except Exception:  # only a shortcut: the package loads the country itself
        return


class OnCall(_Section):
    """Standby pay (in the regular rate, 29 CFR 778.223) and call-back pay (778.221)."""

    standby_per_hour: PerHour = Decimal(0)
    callback_multiplier: Multiplier = Decimal(1)
    callback_minimum_hours: DayHours = Decimal(0)


class MinimumShift(_Section):
    """Reporting / minimum-shift pay: a work shift shorter than ``hours`` is paid base for ``hours``.

    The make-up for hours not worked is show-up pay, excluded from the regular rate (29 CFR 778.220).
    """

    hours: DayHours
    kinds: tuple[Literal["work", "callback"], ...] = ("work",)


class InputRules(_Section):
    """``[input]``: the dates a timesheet may hold. A shift outside them is a typo (1925 for 2025,
    Excel's 1899-12-30 "no date" cell, 9999): the row is rejected instead of being paid 0 hours."""

    earliest_date: dt.date = dt.date(1990, 1, 1)
    latest_date: dt.date = dt.date(2100, 12, 31)

    @model_validator(mode="after")
    def _ordered(self):
        if self.latest_date < self.earliest_date:
            raise ValueError("latest_date is before earliest_date")
        if self.earliest_date.year < 1971 or self.latest_date.year > 2200:
            raise ValueError("the accepted dates must lie within 1971-01-01 .. 2200-12-31")
        return self


class CredentialPremium(_Section):
    """``[[premium]]``: pay for holding a credential (CPRS, CPSS, a state peer certification).

    $/h or % of base for every hour worked from the certification date on: pay for the work, so
    it is part of the regular rate (29 CFR 778.207(b)). The engine pays it as a differential
    restricted to holders (:meth:`as_differential`). ``bonus`` is an optional one-off
    certification bonus: a nondiscretionary bonus, allocated over the ``bonus_weeks`` workweeks
    starting with the week of certification (29 CFR 778.209; docs/joint-and-credentials.md).
    """

    name: str
    credential: str
    per_hour: PerHour | None = None
    percent: Percent | None = None
    bonus: Money | None = None
    bonus_weeks: int = Field(default=1, ge=1, le=520)
    bonus_allocation: Literal["per_week", "per_hour"] = "per_week"
    #: Whose overtime the bonus raises: "statutory" (29 CFR 778.209(b): hours over 40, or 8/80, at
    #: half the bonus's hourly rate) or "contract" (the contract extends it to its own daily
    #: overtime and multiplier). docs/joint-and-credentials.md.
    applies_to: Literal["statutory", "contract"] = "statutory"
    citation: str | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.per_hour is None and self.percent is None and self.bonus is None:
            raise ValueError(f"premium {self.name!r}: give per_hour, percent or bonus")
        if self.per_hour is not None and self.percent is not None:
            raise ValueError(f"premium {self.name!r}: give per_hour or percent, not both")
        return self

    def as_differential(self) -> Differential | None:
        """The hourly part as a whole-day differential for holders only (None for a bonus only)."""
        if self.per_hour is None and self.percent is None:
            return None
        return Differential(name=self.name, per_hour=self.per_hour, percent=self.percent, credential=self.credential,
                            group=f"premium:{self.name}", citation=self.citation or "29 CFR 778.207(b)")


class OutOfClass(_Section):
    """``[out_of_class]``: work done in a higher class (a timesheet row's ``duty_role``) is paid at
    that class's rate for those minutes (docs/out-of-class.md).

    ``method``: ``"same_step"`` (the duty role's rate at the employee's own step) or
    ``"first_higher_step"`` (the promotion rule: the first step of the duty role whose rate is at
    least ``min_increase_percent`` above the employee's own rate, or strictly above it when 0).
    When no step is that high, ``when_none_higher`` decides: ``"top_step"`` (the duty role's top
    step, if it is above the own rate), ``"increase"`` (the own rate raised by
    ``min_increase_percent``) or ``"own_rate"`` (no extra pay). Out-of-class work never pays less
    than the own rate. ``minimum_hours``: owed only when the out-of-class minutes of one ``per``
    (``"shift"``: the row; ``"day"``: the employee's rows that start on one date) reach it;
    ``minimum_days``: owed only within a run of at least that many consecutive workdays with
    out-of-class work (a day worked without it ends the run), then from the first hour of the run.
    """

    method: Literal["same_step", "first_higher_step"] = "same_step"
    min_increase_percent: Percent = Decimal(0)
    when_none_higher: Literal["top_step", "increase", "own_rate"] = "top_step"
    minimum_hours: DayHours = Decimal(0)
    per: Literal["shift", "day"] = "day"
    minimum_days: int = Field(default=0, ge=0, le=366)
    citation: str | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.when_none_higher == "increase" and self.min_increase_percent == 0:
            raise ValueError('when_none_higher = "increase" needs min_increase_percent (e.g. 5)')
        return self


class JointEmployment(_Section):
    """``[joint_employment]``: a what-if, never a legal finding. The named employers are treated as
    joint employers of a shared person for overtime: hours are combined per workweek (FLSA joint
    liability; 29 CFR part 791's history: the 2020 rule was vacated in part in New York v. Scalia
    (S.D.N.Y. 2020) and rescinded in 2021)."""

    employers: tuple[str, ...] = Field(min_length=2)


class Policy(_Section):
    timezone: str | None = None
    establishment: str | None = None
    workweek: Workweek = Workweek()
    overtime: Overtime | None = None
    differential: tuple[Differential, ...] = ()
    holiday: Holiday | None = None
    on_call: OnCall | None = None
    minimum_shift: MinimumShift | None = None
    input: InputRules = InputRules()
    premium: tuple[CredentialPremium, ...] = ()
    joint_employment: JointEmployment | None = None
    pay_period: PayPeriod | None = None
    out_of_class: OutOfClass | None = None

    def with_premiums(self) -> Policy:
        """This policy with each credential premium's hourly part added as a differential."""
        extra = tuple(d for d in (p.as_differential() for p in self.premium) if d is not None)
        return self.model_copy(update={"differential": self.differential + extra}) if extra else self

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v):
        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of the tz database
            raise ValueError(f"unknown IANA timezone {v!r} (e.g. \"America/New_York\")") from None
        return v

    @model_validator(mode="after")
    def _cross_checks(self):
        names = [d.name for d in self.differential]
        if len(names) > MAX_DIFFERENTIALS:
            raise ValueError(f"{len(names)} differentials: at most {MAX_DIFFERENTIALS} (see docs/pay-rules.md, policy bounds)")
        names += [p.name for p in self.premium]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"differential and premium names must be unique: {', '.join(dupes)}")
        if self.overtime and self.overtime.system == "8_and_80":
            if (self.establishment or "").lower() not in HOSPITAL_ESTABLISHMENTS:
                raise ValueError(
                    "the 8-and-80 system is only for a hospital or an establishment primarily caring for "
                    "the sick, aged or mentally ill who reside on the premises (FLSA 7(j), 29 CFR 778.601): "
                    "declare establishment = \"hospital\" or \"residential_care\""
                )
        return self


def _suggest(key: str, candidates) -> str:
    close = difflib.get_close_matches(key, list(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc, root: type[BaseModel] | None = None) -> type[BaseModel]:
    model: type[BaseModel] = root or Policy
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            break
        ann = field.annotation
        nested = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        for a in getattr(ann, "__args__", ()):
            nested += [b for b in getattr(a, "__args__", ()) if isinstance(b, type) and issubclass(b, BaseModel)]
        if not nested:
            break
        model = nested[0]
    return model


def model_problems(exc: ValidationError, root: type[BaseModel] | None = None, label: str = "policy") -> list[str]:
    """Render pydantic errors over any model tree as clerk-readable lines, with a suggestion
    for misspelt keys (field names and their TOML aliases).

    ``root`` is the model that was validated (default :class:`Policy`; proposals, on-costs and
    column maps pass theirs); ``label`` names an error about the whole file.
    """
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"]]
        where = ".".join(f"[{p + 1}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        if err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1], root)
            names = set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}
            out.append(f"{where}: unknown key{_suggest(str(loc[-1]), names)}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            out.append(f"{where or label}: {msg}")
    return out


def parse_policy(data: dict) -> Policy:
    """Validate a policy mapping; raises ValueError with every problem listed."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise ValueError("\n".join(model_problems(exc))) from None


def loads_model(text: str, model: type[BaseModel], label: str = "policy"):
    """TOML text -> a validated ``model``; raises ValueError listing every problem, one a line.

    The lines come from :func:`model_problems` rooted at ``model`` (with "did you mean"
    suggestions for misspelt keys); ``label`` names an error about the whole file.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = model_problems(exc, model, label)
        raise ValueError("\n".join(lines)) from None


def loads_policy(text: str) -> Policy:
    return loads_model(text, Policy)


# --------------------------------------------------------------------------- warnings

#: Thresholds above which a legal value is unusual enough to ask about (``peerpay validate``).
UNUSUAL_PER_HOUR = Decimal(50)  # $/h for a differential or standby: more looks like cents typed as dollars
UNUSUAL_MULTIPLIER = Decimal(3)  # triple time is already rare
UNUSUAL_PERCENT = Decimal(100)  # a differential larger than the base rate itself


def policy_warnings(policy: Policy) -> list[str]:
    """Values that are legal but probably typos, each with what was probably meant.

    Pure (no I/O): ``peerpay validate`` prints them as warnings and ``peerpay pay`` on stderr;
    they never stop a run. E.g. ``percent = 0.05`` pays 0.05 % (a cent on a $20 hour): the
    writer almost certainly meant 5.
    """
    out: list[str] = []

    def multiplier(where: str, v: Decimal) -> None:
        if v > UNUSUAL_MULTIPLIER:
            guess = _multiplier_meant(v)
            hint = f": did you mean {_fmt(guess)}?" if guess is not None else " (time and a half is 1.5, double time 2)"
            out.append(f"{where} = {_fmt(v)} pays {_fmt(v)} times the rate{hint}")

    def per_hour(where: str, v: Decimal) -> None:
        if v > UNUSUAL_PER_HOUR:
            guess = _per_hour_meant(v)
            hint = f": did you mean {guess.quantize(Decimal('0.01'))} (cents typed as dollars)?" if guess is not None else ""
            out.append(f"{where} = {_fmt(v)} is ${_fmt(v)} an hour{hint}")

    for i, d in enumerate(policy.differential, 1):
        where = f"differential[{i}] ({d.name})"
        if d.per_hour is not None:
            per_hour(f"{where}.per_hour", d.per_hour)
        if d.percent is not None and 0 < d.percent < 1:
            out.append(f"{where}.percent = {_fmt(d.percent)} means {_fmt(d.percent)} % of the base rate: "
                       f"did you mean {_fmt(d.percent * 100)} (%)?")
        elif d.percent is not None and d.percent > UNUSUAL_PERCENT:
            out.append(f"{where}.percent = {_fmt(d.percent)} is more than the base rate itself: "
                       f"did you mean {_fmt(d.percent / 10)} (%)?")
        if d.per_hour == 0 or d.percent == 0:
            out.append(f"{where} pays nothing (its amount is 0)")
    ot = policy.overtime
    if ot is not None and ot.tier:
        for i, t in enumerate(ot.tier, 1):
            multiplier(f"overtime.tier[{i}] ({t.name}).multiplier", t.multiplier)
            if t.multiplier == 1:
                out.append(f"overtime.tier[{i}] ({t.name}).multiplier = 1 pays no premium, yet its hours no longer count "
                           "toward a weekly tier")
    if ot is not None and not ot.tiered:
        multiplier("overtime.multiplier", ot.multiplier)
        if ot.multiplier == 1:
            out.append("overtime.multiplier = 1 pays no overtime premium (the FLSA requires 1.5, 29 U.S.C. 207(a))")
        if ot.weekly_hours is not None and ot.weekly_hours < 10:
            out.append(f"overtime.weekly_hours = {_fmt(ot.weekly_hours)}: did you mean {_fmt(ot.weekly_hours * 10)}?")
        if ot.daily_hours is not None and ot.daily_hours < 2:
            out.append(f"overtime.daily_hours = {_fmt(ot.daily_hours)}: did you mean {_fmt(ot.daily_hours * 10)}?")
    if policy.holiday is not None:
        multiplier("holiday.multiplier", policy.holiday.multiplier)
    pp = policy.pay_period
    if pp is not None and pp.frequency in ("weekly", "biweekly") and pp.anchor is not None \
            and pp.anchor.weekday() != policy.workweek.start_index:
        out.append(f"pay_period.anchor = {pp.anchor} is a {pp.anchor.strftime('%A')} but workweeks start on "
                   f"{policy.workweek.start_day}: every pay period cuts a workweek (its overtime is settled in the period in "
                   "which the week ends, 29 CFR 778.106); an anchor on the workweek's first day avoids it")
    oc = policy.on_call
    if oc is not None:
        per_hour("on_call.standby_per_hour", oc.standby_per_hour)
        multiplier("on_call.callback_multiplier", oc.callback_multiplier)
        if oc.callback_minimum_hours > 8:
            out.append(f"on_call.callback_minimum_hours = {_fmt(oc.callback_minimum_hours)} pays every call-back at least "
                       f"{_fmt(oc.callback_minimum_hours)} hours (2 to 4 is usual)")
    return out
