"""``[pay_period]``: how often payroll runs, as dates (docs/formats.md, "Pay periods").

Its own module because it is its own idea (calendar arithmetic on pay dates, no pay rule) and
:mod:`peerpay.models.policy` holds the pay rules; the policy model includes it as a section.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class PayPeriod(BaseModel):
    """``[pay_period]``: how often pay is run, and where one period starts.

    * ``weekly`` / ``biweekly``: every 7 / 14 days from ``anchor`` (any date a period starts on;
      weekly without an anchor: the workweeks themselves);
    * ``semimonthly``: the 1st to the 15th and the 16th to the last day of each month (``anchor``,
      if given, is a 1st or a 16th);
    * ``monthly``: calendar months, or from ``anchor``'s day of the month (1-28) to the day before
      it in the next month.

    Pay periods need not line up with workweeks: overtime is owed per workweek whatever the pay
    period (29 CFR 778.104, 778.105), and a workweek that straddles two pay periods has its
    overtime settled on the payday of the period in which it ends (29 CFR 778.106). What the
    period is used for: a run's workweeks are flagged only where the run's pay periods cut them,
    not wherever the data happens to stop (docs/pay-rules.md, "Pay periods").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    frequency: Literal["weekly", "biweekly", "semimonthly", "monthly"]
    anchor: dt.date | None = None

    @model_validator(mode="after")
    def _anchor(self):
        a = self.anchor
        if self.frequency == "biweekly" and a is None:
            raise ValueError("frequency = \"biweekly\" needs anchor = a date one of the two-week periods starts on "
                             "(e.g. anchor = 2026-01-11)")
        if self.frequency == "semimonthly" and a is not None and a.day not in (1, 16):
            raise ValueError(f"semimonthly pay periods run from the 1st to the 15th and from the 16th to the month's end: "
                             f"anchor {a} must be a 1st or a 16th (or leave it out)")
        if self.frequency == "monthly" and a is not None and a.day > 28:
            raise ValueError(f"a monthly pay period must start on a day every month has (1-28), not the {a.day}th")
        return self

    def containing(self, day: dt.date, workweek_start: int = 6) -> tuple[dt.date, dt.date]:
        """The first and last day of the pay period holding ``day`` (``workweek_start``: the
        workweek's first weekday, 0 = Monday, for weekly periods without an anchor)."""
        if self.frequency in ("weekly", "biweekly"):
            length = 7 if self.frequency == "weekly" else 14
            anchor = self.anchor or day - dt.timedelta(days=(day.weekday() - workweek_start) % 7)
            start = day - dt.timedelta(days=(day - anchor).days % length)
            return start, start + dt.timedelta(days=length - 1)
        if self.frequency == "semimonthly":
            if day.day <= 15:
                return day.replace(day=1), day.replace(day=15)
            return day.replace(day=16), _month_start(day, 1) - dt.timedelta(days=1)
        first = self.anchor.day if self.anchor is not None else 1
        start = day.replace(day=first) if day.day >= first else _month_start(day, -1).replace(day=first)
        return start, _month_start(start, 1).replace(day=first) - dt.timedelta(days=1)

    def covering(self, first: dt.date, last: dt.date, workweek_start: int = 6) -> tuple[dt.date, dt.date]:
        """From the start of the period holding ``first`` to the end of the period holding ``last``."""
        return self.containing(first, workweek_start)[0], self.containing(last, workweek_start)[1]

    def describe(self) -> str:
        """``biweekly from 2026-01-11`` / ``semimonthly (1st-15th, 16th-end)``: for reports."""
        if self.frequency == "semimonthly":
            return "semimonthly (1st-15th, 16th-end)"
        if self.frequency == "monthly":
            return "monthly" + (f" (from day {self.anchor.day})" if self.anchor is not None and self.anchor.day != 1 else "")
        return self.frequency + (f" from {self.anchor}" if self.anchor is not None else " (the workweeks)")


def _month_start(day: dt.date, months: int) -> dt.date:
    """The 1st of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
