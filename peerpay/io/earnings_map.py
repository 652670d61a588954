"""Earnings maps: one TOML file says how a payroll system writes earnings by code, both ways.

A payroll *register* (what was paid: employee, pay period, earning code, hours, amount) is read
through it by ``peerpay audit`` (:mod:`peerpay.io.register`), and the same file, with its
``[export]`` section, lays out the earnings *import* that ``peerpay pay --export`` writes for that
payroll system (:mod:`peerpay.io.payroll_import`). Because one description serves both
directions, a file peerpay exports reads back through the same map to the same figures.

The sections (docs/audit.md has an annotated example):

* ``[columns]`` ``employee_id``: the employee column;
* ``[period]``: where a line's dates are: ``week`` (any date in the workweek), or ``begin`` and
  ``end`` (or ``days``) of the pay period; no ``[period]``: the file is one pay period (ADP's
  paydata batch) whose dates the command line gives;
* ``[[earnings]]`` (repeatable): where earnings lines are in a row: an earning code column
  (``code_column``, may be a repeating pattern ``"Earnings {n} Code"``) or a fixed ``code`` (ADP's
  ``Reg Hours``/``Reg Earnings`` columns are regular pay), with its ``hours``, ``amount`` and
  ``rate`` columns;
* ``[codes]``: which earning codes are each pay component of docs/formats.md §3 (``base``,
  ``overtime``, ``[codes.differential]`` by the policy's differential names, ``holiday``,
  ``standby``, ``callback``, ``minimum_shift``), which are deliberately ``ignore``d (leave,
  benefits), and ``full_rate``: the components whose codes pay the whole hour (straight time
  plus premium, e.g. overtime at time and a half) rather than the premium alone;
* ``[export]``: the import file's columns in order, constant columns (company code, batch),
  and where the control totals go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..models.policy import loads_model
from .readers import read_toml

#: The pay components of a pay line (docs/formats.md §3/§4), in report order; differentials sit
#: after ``base`` as ``differential:<name>``.
SIMPLE_COMPONENTS = ("base", "holiday", "standby", "callback", "minimum_shift", "overtime")
#: Components whose earning code may pay the whole hour: multiplier x rate (straight time + premium).
FULL_RATE_COMPONENTS = ("overtime", "holiday", "callback")
#: Components whose pay lines carry hours: hours worked, overtime hours, on-call hours.
HOURS_COMPONENTS = ("base", "overtime", "standby")
N = "{n}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MapColumns(_Model):
    employee_id: str


class Period(_Model):
    """Where a register line's dates are: a date in the workweek, or the pay period's first day and last day (or length)."""

    week: str | None = None  # any date inside the workweek (week ending, a line date)
    begin: str | None = None  # first day of the pay period
    end: str | None = None  # last day of the pay period
    days: int | None = Field(None, ge=1, le=62)  # the period's length when there is no end column
    date_format: str = "%Y-%m-%d"

    @model_validator(mode="after")
    def _shape(self):
        if (self.week is None) == (self.begin is None):
            raise ValueError("give week (a date in the workweek) or begin (the pay period's first day), one of them")
        if self.week is not None and (self.end is not None or self.days is not None):
            raise ValueError("week gives the workweek: end and days go with begin")
        if self.begin is not None and (self.end is None) == (self.days is None):
            raise ValueError("begin needs end (the pay period's last day) or days (its length), one of them")
        if "%" not in self.date_format:
            raise ValueError(f"date_format {self.date_format!r} has no % directive (e.g. \"%m/%d/%Y\")")
        return self

    def columns(self) -> list[str]:
        return [c for c in (self.week, self.begin, self.end) if c]


class Earnings(_Model):
    """One place in a row where an earnings line is: its code (a column, or fixed) and its figures."""

    code: str | None = None  # every line from here has this earning code (ADP's Reg Hours / Reg Earnings)
    code_column: str | None = None  # the column holding the code; "Earnings {n} Code" repeats for n = 1, 2, ...
    hours: str | None = None
    amount: str | None = None
    rate: str | None = None

    @model_validator(mode="after")
    def _shape(self):
        if (self.code is None) == (self.code_column is None):
            raise ValueError("give code (a fixed earning code) or code_column (the column holding it), one of them")
        if self.hours is None and self.amount is None:
            raise ValueError("give amount (and hours) columns: a line needs something to read")
        pattern = self.code_column is not None and N in self.code_column
        for key in ("code_column", "hours", "amount", "rate"):
            value = getattr(self, key)
            if value is None:
                continue
            if value.count(N) > 1:
                raise ValueError(f"{key}: {value!r} may contain {{n}} once")
            if (N in value) != pattern:
                raise ValueError(f"{key}: {value!r}: a repeating group puts {{n}} in code_column and in each of its "
                                 "columns (\"Earnings {n} Code\", \"Earnings {n} Amount\"), or in none")
        return self

    @property
    def repeating(self) -> bool:
        return self.code_column is not None and N in self.code_column

    def columns(self) -> dict[str, str]:
        """role -> the column (pattern) it is read from."""
        return {k: v for k in ("code_column", "hours", "amount", "rate") if (v := getattr(self, k)) is not None}


Codes_ = tuple[str, ...]


class Codes(_Model):
    """Earning codes by pay component (matched ignoring case and surrounding spaces)."""

    base: Codes_ = ()
    overtime: Codes_ = ()
    holiday: Codes_ = ()
    standby: Codes_ = ()
    callback: Codes_ = ()
    minimum_shift: Codes_ = ()
    differential: dict[str, Codes_] = Field(default_factory=dict)  # policy differential name -> codes
    ignore: Codes_ = ()  # not pay for hours under the policy (leave, benefits, reimbursements): left out, counted
    full_rate: tuple[Literal["overtime", "holiday", "callback"], ...] = ()

    @model_validator(mode="after")
    def _disjoint(self):
        if not self.base:
            raise ValueError("list the regular-pay code(s) under base (e.g. base = [\"REG\"])")
        seen: dict[str, str] = {}
        for component, codes in self.by_component().items():
            for code in codes:
                key = normal_code(code)
                if not key:
                    raise ValueError(f"{component}: an empty code")
                if key in seen and seen[key] != component:
                    raise ValueError(f"code {code!r} is listed under both {seen[key]} and {component}")
                seen[key] = component
        return self

    def by_component(self) -> dict[str, Codes_]:
        """component (``differential:night`` for a differential, ``ignore``) -> its codes."""
        out: dict[str, Codes_] = {"base": self.base}
        out |= {f"differential:{name}": codes for name, codes in self.differential.items()}
        out |= {c: getattr(self, c) for c in SIMPLE_COMPONENTS[1:]}
        out["ignore"] = self.ignore
        return out

    def table(self) -> dict[str, str]:
        """normalised code -> component."""
        return {normal_code(code): component for component, codes in self.by_component().items() for code in codes}


class Export(_Model):
    """The earnings import's layout: its columns in order, constant cells, and the control totals."""

    columns: tuple[str, ...] = Field(min_length=1)
    constants: dict[str, str] = Field(default_factory=dict)  # column -> the same text on every line (company code, batch)
    control: Literal["file", "line", "none"] = "file"  # control totals: a file beside the import, a last line, or none
    control_label: str = "TOTAL"  # a control line's text in the employee column
    hours_for: tuple[Literal["base", "overtime", "standby"], ...] = ("base", "overtime", "standby")  # lines whose hours are written
    date_format: str | None = None  # default: [period] date_format

    @field_validator("columns")
    @classmethod
    def _unique(cls, v):
        lowered = [c.strip().lower() for c in v]
        dupes = sorted({c for c in v if lowered.count(c.strip().lower()) > 1})
        if dupes:
            raise ValueError(f"a column is listed twice: {', '.join(dupes)}")
        return v


class EarningsMap(_Model):
    name: str = ""
    description: str = ""
    decimal_comma: bool = False  # amounts and hours written 1.234,50
    columns: MapColumns
    period: Period | None = None
    earnings: tuple[Earnings, ...] = Field(min_length=1)
    codes: Codes
    export: Export | None = None

    @model_validator(mode="after")
    def _export_fits(self):
        ex = self.export
        if ex is None:
            return self
        have = {c.strip().lower() for c in ex.columns}
        missing = [c for c in [self.columns.employee_id, *(self.period.columns() if self.period else [])] if c.strip().lower() not in have]
        if missing:
            raise ValueError(f"export.columns must include {', '.join(repr(m) for m in missing)} (named in [columns]/[period])")
        for c in ex.constants:
            if c.strip().lower() not in have:
                raise ValueError(f"export.constants: {c!r} is not one of export.columns")
        if self.codes.full_rate:
            raise ValueError("codes.full_rate: an export writes each premium on its own line (the straight time of every hour "
                             "is in base pay), so a map with an [export] section cannot list full_rate")
        if not any(export_slot(e, ex.columns) is not None for e in self.earnings if e.code_column is not None):
            raise ValueError("export.columns: no [[earnings]] code_column is among them, so only fixed codes could be written")
        return self


def normal_code(code) -> str:
    return str(code).strip().upper()


def export_slot(source: Earnings, columns) -> dict[str, str] | None:
    """role (``code_column``, ``hours``, ``amount``, ``rate``) -> the export column a source writes it to
    (a ``{n}`` pattern at the smallest n present in ``columns``); None when a column is missing."""
    lowered = {c.strip().lower(): c for c in columns}
    wanted = source.columns()
    if not source.repeating:
        found = {k: lowered.get(v.strip().lower()) for k, v in wanted.items()}
        return None if any(v is None for v in found.values()) else found  # type: ignore[return-value]
    rx = re.compile("^" + re.escape(wanted["code_column"].strip().lower()).replace(re.escape(N), r"(\d+)") + "$")
    ns = sorted(int(m.group(1)) for c in lowered if (m := rx.match(c)))
    for n in ns:
        found = {k: lowered.get(v.replace(N, str(n)).strip().lower()) for k, v in wanted.items()}
        if all(v is not None for v in found.values()):
            return found  # type: ignore[return-value]
    return None


def loads_earnings_map(text: str) -> EarningsMap:
    """Parse earnings-map TOML; raises ValueError listing every problem."""
    return loads_model(text, EarningsMap, "earnings map")


def read_earnings_map(path: str | Path) -> EarningsMap:
    return read_toml(path, "earnings map", loads_earnings_map)


def check_against_policy(emap: EarningsMap, differential_names) -> list[str]:
    """Problems with a map under a policy: a [codes.differential] name the policy lacks (an error)."""
    known = list(differential_names)
    out = []
    for name in emap.codes.differential:
        if name not in known:
            from ..models.policy import _suggest

            out.append(f"codes.differential.{name}: the policy has no differential {name!r}{_suggest(name, known)} "
                       f"(its differentials: {', '.join(known) or 'none'})")
    return out
