"""The pay policy: TOML -> frozen, validated pydantic models (CONTRACT §2, plus documented options).

Every key is optional; a missing section means the rule does not apply. A typo is an error
that names the key and suggests the right one, because a silently ignored ``per_hr = 2.5``
would underpay a night shift.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .money import to_decimal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    full: i
    for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
HOSPITAL_ESTABLISHMENTS = ("hospital", "residential_care")


def _exact_decimal(v):
    """TOML floats arrive as binary floats; read them back through their shortest repr."""
    if isinstance(v, bool):
        raise ValueError("expected a number")
    return to_decimal(v)


Money = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0)]
Factor = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0)]
Hours = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0, le=168)]


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


class Overtime(_Section):
    """Daily and weekly overtime (29 CFR 778.101-778.107), or the 8-and-80 system (778.601)."""

    weekly_hours: Hours | None = Decimal(40)
    daily_hours: Hours | None = None
    multiplier: Factor = Decimal("1.5")
    basis: Literal["regular_rate", "base_rate"] = "regular_rate"
    system: Literal["weekly", "8_and_80"] = "weekly"
    period_start: dt.date | None = None  # 8-and-80: any date on which a 14-day period starts
    period_hours: Hours | None = None  # 8-and-80: defaults to 80

    @model_validator(mode="after")
    def _eight_and_eighty(self):
        if self.system == "8_and_80" and self.period_start is None:
            raise ValueError(
                "system = \"8_and_80\" needs period_start = a date on which one of the employer's "
                "fixed 14-day periods begins (29 CFR 778.601)"
            )
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        return self

    @property
    def period_days(self) -> int:
        return 14 if self.system == "8_and_80" else 7

    @property
    def daily_threshold(self) -> Decimal | None:
        if self.system == "8_and_80":
            return self.daily_hours if self.daily_hours is not None else Decimal(8)
        return self.daily_hours

    @property
    def period_threshold(self) -> Decimal | None:
        if self.system == "8_and_80":
            return self.period_hours if self.period_hours is not None else Decimal(80)
        return self.weekly_hours


class Differential(_Section):
    """A shift, weekend or other differential: $/h or % of base for minutes inside a window."""

    name: str
    start: str | None = None
    end: str | None = None
    days: tuple[str, ...] | None = None
    per_hour: Money | None = None
    percent: Factor | None = None
    group: str | None = None
    eligibility: Literal["minutes", "majority", "start", "min_hours_in_window"] = "minutes"
    min_hours: Hours | None = None
    citation: str | None = None
    #: Only shifts worked in these roles earn it (the shift's role: the timesheet's ``role`` or
    #: the roster's); omitted = every role. A night differential for peers only, for example.
    roles: tuple[str, ...] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", v or ""):
            raise ValueError(f"differential name {v!r} must be letters, digits, _ or -")
        return v

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
            _clock_minutes(self.start)
            _clock_minutes(self.end)
        if (self.per_hour is None) == (self.percent is None):
            raise ValueError(f"differential {self.name!r}: give exactly one of per_hour or percent")
        if self.eligibility == "min_hours_in_window" and self.min_hours is None:
            raise ValueError(f"differential {self.name!r}: eligibility min_hours_in_window needs min_hours")
        return self

    @property
    def window(self) -> tuple[int, int]:
        """(start, end) in minutes after local midnight; end <= start means it wraps to the next day."""
        if self.start is None:
            return 0, 24 * 60
        s, e = _clock_minutes(self.start), _clock_minutes(self.end)
        if e <= s:
            e += 24 * 60
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
    multiplier: Factor = Decimal("1.5")

    @model_validator(mode="after")
    def _calendar(self):
        if self.country is not None:
            import holidays

            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision, years=2025)
            except (NotImplementedError, KeyError, ValueError) as exc:
                raise ValueError(f"holiday calendar {self.country!r}/{self.subdivision!r}: {exc}") from None
        if self.multiplier < 1:
            raise ValueError("holiday multiplier must be at least 1")
        return self


class OnCall(_Section):
    """Standby pay (in the regular rate, 29 CFR 778.223) and call-back pay (778.221)."""

    standby_per_hour: Money = Decimal(0)
    callback_multiplier: Factor = Decimal(1)
    callback_minimum_hours: Hours = Decimal(0)


class MinimumShift(_Section):
    """Reporting / minimum-shift pay: a work shift shorter than ``hours`` is paid base for ``hours``.

    The make-up for hours not worked is show-up pay, excluded from the regular rate (29 CFR 778.220).
    """

    hours: Hours
    kinds: tuple[Literal["work", "callback"], ...] = ("work",)


class Policy(_Section):
    timezone: str | None = None
    establishment: str | None = None
    workweek: Workweek = Workweek()
    overtime: Overtime | None = None
    differential: tuple[Differential, ...] = ()
    holiday: Holiday | None = None
    on_call: OnCall | None = None
    minimum_shift: MinimumShift | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v):
        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {v!r} (e.g. \"America/New_York\")") from None
        return v

    @model_validator(mode="after")
    def _cross_checks(self):
        names = [d.name for d in self.differential]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"differential names must be unique: {', '.join(dupes)}")
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


def policy_problems(exc: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """Render pydantic errors as clerk-readable lines, with a suggestion for misspelt keys.

    ``root`` is the model that was validated (default :class:`Policy`; proposals pass theirs).
    """
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"]]
        where = ".".join(f"[{p + 1}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        if err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1], root)
            out.append(f"{where}: unknown key{_suggest(str(loc[-1]), model.model_fields)}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            out.append(f"{where or 'policy'}: {msg}")
    return out


def parse_policy(data: dict) -> Policy:
    """Validate a policy mapping; raises ValueError with every problem listed."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise ValueError("\n".join(policy_problems(exc))) from None


def loads_model(text: str, model: type[BaseModel], render=None):
    """TOML text -> a validated ``model``; raises ValueError listing every problem.

    ``render`` turns a ValidationError into clerk-readable lines (default: :func:`policy_problems`
    rooted at ``model``, with "did you mean" suggestions for misspelt keys).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = render(exc) if render else policy_problems(exc, model)
        raise ValueError("\n".join(lines)) from None


def loads_policy(text: str) -> Policy:
    return loads_model(text, Policy)
