"""A bargaining proposal: TOML -> frozen, validated pydantic models (docs/costing.md).

A proposal is a list of dated items. Each item says *what* changes, *from when*
(``effective``) and optionally *for whom* (``roles``, ``steps``: the employee's role and step
on the schedule; omitted = everyone)::

    name = "Union proposal"
    term_start = 2026-07-01        # first day of contract year 1
    years = 3

    [[increase]]                   # across-the-board raise, compounding year on year
    effective = 2026-07-01
    percent = 6.5                  # or cents_per_hour = 75

    [[floor]]                      # "no one below $20.00/h"
    effective = 2026-07-01
    hourly = 20.00

    [[policy_change]]              # patch (or replace) sections of the pay policy
    effective = 2026-07-01
    [[policy_change.differential]]
    name = "night"
    per_hour = 3.50

A typo is an error naming the key and suggesting the right one, as for the pay policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .policy import Differential, Holiday, MinimumShift, Money, OnCall, Overtime, loads_model

#: Pay components an on-cost can apply to (the roll-up matrix columns).
COMPONENTS = (
    "base_pay",
    "differentials",
    "holiday_premium",
    "standby_pay",
    "callback_premium",
    "minimum_shift_pay",
    "overtime_premium",
    "lump_sum",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Item(_Section):
    """Common to dated items: when, and for whom (role / step filters; omitted = everyone)."""

    effective: dt.date
    roles: tuple[str, ...] | None = None
    steps: tuple[int, ...] | None = None
    note: str | None = None

    def applies(self, role: str, step: int) -> bool:
        return (self.roles is None or role in self.roles) and (self.steps is None or step in self.steps)


class Increase(_Item):
    """Across-the-board raise: ``percent`` of the rate, or ``cents_per_hour`` added.

    Raises compound: each applies to the unrounded rate left by the earlier ones, and the rate
    is rounded once per contract year (6.5 % then 6.55 % is x1.1347575, +13.48 %, not +13.05 %).
    """

    percent: Decimal | None = Field(default=None, ge=-100, le=1000)
    cents_per_hour: Decimal | None = Field(default=None, ge=-100000, le=100000)

    @model_validator(mode="after")
    def _one(self):
        if (self.percent is None) == (self.cents_per_hour is None):
            raise ValueError("give exactly one of percent or cents_per_hour")
        return self


class ScheduleChange(_Section):
    """A new or changed step (``hourly_rate``), or a removed one (``remove = true``).

    ``hourly_rate`` is in the dollars of the schedule the day before it takes effect, like the
    steps beside it: raises effective on that day or later compound on it, earlier ones do not. An employee on a removed
    step moves to the next higher step that exists (else the highest).
    """

    effective: dt.date
    role: str
    step: int = Field(ge=0, le=1000)
    hourly_rate: Money | None = None
    remove: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.remove == (self.hourly_rate is not None):
            raise ValueError(f"schedule {self.role} step {self.step}: give hourly_rate, or remove = true")
        return self


class StepMovement(_Item):
    """Step increases on each anniversary of ``hire_date`` from ``effective`` on, up to the top step.

    Step rules (docs/costing.md, "Step rules"; the defaults are one step every anniversary):

    - ``every_years = 2``: a step every 2 years; ``years_on_step = {4 = 2, 5 = 2}``: the years
      to serve on a step before leaving it (steps not listed: ``every_years``). The count starts
      at ``effective``: an employee is taken to have entered their roster step on the last step
      date before it (the roster has no "step since" date).
    - ``moves_on``: ``"anniversary"`` (default); ``"fixed_date"``: everyone moves on
      ``step_date`` (month-day, e.g. ``"07-01"``) each year, whatever their hire date;
      ``"next_pay_period"``: on the first day of the first pay period starting on or after the
      anniversary (periods of ``pay_period_days`` days counted from ``pay_period_start``).
    """

    per_anniversary: int = Field(default=1, ge=1, le=10)
    every_years: int = Field(default=1, ge=1, le=10)
    years_on_step: dict[int, int] = Field(default_factory=dict)
    moves_on: Literal["anniversary", "fixed_date", "next_pay_period"] = "anniversary"
    step_date: str | None = None
    pay_period_start: dt.date | None = None
    pay_period_days: int = Field(default=14, ge=1, le=31)

    @model_validator(mode="after")
    def _rules(self):
        for st, n in self.years_on_step.items():
            if not 1 <= n <= 10:
                raise ValueError(f"years_on_step: step {st} waits {n} years (give 1 to 10)")
        if self.moves_on == "fixed_date":
            try:
                dt.date.fromisoformat(f"2001-{self.step_date}")
            except (TypeError, ValueError):
                raise ValueError('moves_on = "fixed_date" needs step_date = "MM-DD" (e.g. "07-01"; not "02-29")') from None
        elif self.step_date is not None:
            raise ValueError('step_date is only for moves_on = "fixed_date"')
        if self.moves_on == "next_pay_period" and self.pay_period_start is None:
            raise ValueError('moves_on = "next_pay_period" needs pay_period_start (the first day of any pay period)')
        return self

    @property
    def simple(self) -> bool:
        """One step each anniversary: the rule costed before step rules existed."""
        return self.every_years == 1 and not self.years_on_step and self.moves_on == "anniversary"

    def wait(self, step: int) -> int:
        """Years to serve on ``step`` before the next step."""
        return self.years_on_step.get(step, self.every_years)


class StepHold(_Item):
    """A step freeze: no step movement on a step date from ``effective`` to ``until`` (inclusive).

    A held step is lost, not deferred, and a held year does not count towards a waiting period.
    Costed as its own item ("step hold", after the steps it holds back).
    """

    until: dt.date

    @model_validator(mode="after")
    def _order(self):
        if self.until < self.effective:
            raise ValueError("step_hold: until is before effective")
        return self


class Turnover(_Section):
    """Expected turnover: ``percent`` of employees leave each year, replaced on ``replacement_step``.

    Costed as an expected value (docs/costing.md, "Turnover and breakage"): in contract year y a
    position is held by a replacement with probability 1 - (1 - r)^y at the year's end (run-rate)
    and, on average over the year, 1 - (1 - r)^(y-1) + r (1 - r)^(y-1) / 2 (cash). Breakage is
    that share of (cost at the replacement step - cost at the incumbent's step): usually a saving.
    """

    percent: Decimal = Field(gt=0, le=100)
    replacement_step: int = Field(default=1, ge=0, le=1000)
    roles: tuple[str, ...] | None = None
    note: str | None = None


class Placement(_Section):
    """Placement of new hires on ``step``. New hires are not in the baseline, so this costs
    nothing unless ``incumbents = true`` (no current employee stays below the hiring step)."""

    effective: dt.date
    role: str
    step: int = Field(ge=0, le=1000)
    incumbents: bool = False
    note: str | None = None


class Floor(_Item):
    """A wage floor: no base rate below ``hourly``.

    ``mode = "reapply"`` (default): applied after all raises, every time -- a later raise is on
    the rate *before* the floor, and the floor is re-applied. ``mode = "step_rate"``: on its
    date the floor becomes the employee's rate, and later raises build on it ($20.00, floor
    $21.00, then +5 %: reapply gives max(21.00, 21.00) = $21.00; step_rate gives $22.05).
    """

    hourly: Money
    mode: Literal["reapply", "step_rate"] = "reapply"


class PolicyChange(_Section):
    """Changes to the pay policy from ``effective`` on (same keys as the policy file, docs/formats.md §2).

    ``mode = "patch"`` (default): a differential with an existing name has the given keys
    replaced (giving ``per_hour`` drops ``percent`` and vice versa), a new name is added; the
    given keys of ``on_call``/``overtime``/``holiday``/``minimum_shift`` replace those keys.
    ``mode = "replace"``: the given differential list and sections replace the policy's.

    A differential name that the policy does not have is an error with a suggestion (a typo such
    as ``"nigth"`` must not add a new all-day differential); a new differential says so with
    ``new = true``. ``roles = [...]`` limits a differential to shifts worked in those roles.
    """

    effective: dt.date
    mode: Literal["patch", "replace"] = "patch"
    differential: tuple[dict[str, Any], ...] = ()
    remove_differentials: tuple[str, ...] = ()
    on_call: dict[str, Any] | None = None
    overtime: dict[str, Any] | None = None
    holiday: dict[str, Any] | None = None
    minimum_shift: dict[str, Any] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _keys(self):
        """Catch misspelt keys here; full validation happens on the patched policy."""
        from .policy import _suggest

        checks: list[tuple[Any, type[BaseModel], str]] = [(d, Differential, f"differential[{i + 1}]") for i, d in enumerate(self.differential)]
        checks += [(getattr(self, k), m, k) for k, m in
                   (("on_call", OnCall), ("overtime", Overtime), ("holiday", Holiday), ("minimum_shift", MinimumShift))]
        bad = []
        for data, model, where in checks:
            for key in data or {}:
                if key not in model.model_fields and not (model is Differential and key == "new"):
                    bad.append(f"{where}.{key}: unknown key{_suggest(key, model.model_fields)}")
        for i, d in enumerate(self.differential):
            if "name" not in d:
                bad.append(f"differential[{i + 1}]: needs a name")
        if bad:
            raise ValueError("; ".join(bad))
        return self


class LumpSum(_Item):
    """A one-off payment on ``effective`` to each employee it applies to: it does not compound,
    is not in the run-rate and does not raise the regular rate for later years."""

    amount: Money
    prorate_fte: bool = False


class CertificationBonus(_Item):
    """A one-off bonus for getting certified (``credential``), costed on the holders' real weeks.

    A holder certified on or after ``effective`` and within the term is paid ``amount`` in the
    contract year of certification; ``existing_holders = true`` also pays those certified before
    ``effective``, on ``effective``. It is nondiscretionary (29 CFR 778.211), so it raises the
    regular rate of the ``weeks`` workweeks it covers (``allocation``: equal per week, or in
    proportion to hours, 29 CFR 778.209(b)) and creates overtime on it (778.209(a)).
    """

    credential: str
    amount: Money
    weeks: int = Field(default=1, ge=1, le=52)
    allocation: Literal["per_week", "per_hour"] = "per_week"
    existing_holders: bool = False

    @field_validator("credential")
    @classmethod
    def _credential(cls, v):
        if not v.strip():
            raise ValueError("credential is empty")
        return v.strip()


class Retro(_Section):
    """Retroactive pay: items dated before ``since`` take effect on ``since``; the cost of work
    done from ``since`` until ``paid_on`` is paid in arrears on ``paid_on`` (reported apart)."""

    since: dt.date
    paid_on: dt.date

    @model_validator(mode="after")
    def _order(self):
        if self.paid_on < self.since:
            raise ValueError("retro paid_on is before since")
        return self


class Proposal(_Section):
    name: str
    party: str | None = None
    term_start: dt.date
    years: int = Field(ge=1, le=10)
    rate_places: Literal[2, 4] = 2
    increase: tuple[Increase, ...] = ()
    schedule: tuple[ScheduleChange, ...] = ()
    step_movement: tuple[StepMovement, ...] = ()
    placement: tuple[Placement, ...] = ()
    floor: tuple[Floor, ...] = ()
    policy_change: tuple[PolicyChange, ...] = ()
    lump_sum: tuple[LumpSum, ...] = ()
    certification_bonus: tuple[CertificationBonus, ...] = ()
    retro: Retro | None = None
    step_hold: tuple[StepHold, ...] = ()
    turnover: Turnover | None = None
    #: Lump sums and retro pay go only to those employed on this date (roster ``end_date`` or
    #: ``termination_date`` on or after it, or none); omitted: everyone costed gets them.
    ratification_date: dt.date | None = None
    #: The status quo's step movement (one step on each hire-date anniversary, to the top step)
    #: continues in the term unless the proposal gives its own ``[[step_movement]]`` rules or
    #: says ``steps = "freeze"`` (docs/costing.md, "The status quo is the base").
    steps: Literal["status_quo", "freeze"] = "status_quo"

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        if not v.strip():
            raise ValueError("name is empty")
        return v.strip()

    @model_validator(mode="after")
    def _one_step_rule(self):
        if self.steps == "freeze" and self.step_movement:
            raise ValueError('steps = "freeze" and [[step_movement]] both given: a frozen scale has no step rules '
                             "(drop one of them)")
        return self

    @property
    def term_end(self) -> dt.date:
        """The last day of the term."""
        return add_years(self.term_start, self.years) - dt.timedelta(days=1)

    def effective_date(self, d: dt.date) -> dt.date:
        """An item's effective date, moved to ``retro.since`` when it is earlier."""
        return max(d, self.retro.since) if self.retro else d


#: Social security (OASDI) contribution and benefit base by calendar year, 42 U.S.C. 430
#: (SSA's yearly announcements: $176,100 for 2025, $184,500 for 2026).
SOCIAL_SECURITY_WAGE_BASE = {2025: Decimal(176100), 2026: Decimal(184500)}


class OnCost(_Section):
    """An employer on-cost: ``percent`` of the pay components in ``applies_to``, or a fixed
    ``per_fte`` dollars per FTE per year (health insurance).

    ``wage_base``: the percent applies to each employee's annual pay only up to this amount
    (``"social_security"`` = :data:`SOCIAL_SECURITY_WAGE_BASE`, or a table ``{2026 = 184500}``);
    the amount of the calendar year in which the contract year starts is used (the last listed
    for a later year).
    """

    name: str
    percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    applies_to: tuple[str, ...] = ("all",)
    citation: str | None = None
    wage_base: Literal["social_security"] | dict[int, Money] | None = None
    per_fte: Money | None = None

    @model_validator(mode="after")
    def _kind(self):
        if self.per_fte is not None and (self.percent or self.wage_base is not None):
            raise ValueError(f"on_cost {self.name!r}: per_fte is a fixed amount per FTE; give it without percent or wage_base")
        if isinstance(self.wage_base, dict) and not self.wage_base:
            raise ValueError(f"on_cost {self.name!r}: wage_base table is empty")
        return self

    def base_for(self, day: dt.date) -> Decimal | None:
        """The wage base for a contract year starting on ``day`` (None: no cap)."""
        if self.wage_base is None:
            return None
        table = SOCIAL_SECURITY_WAGE_BASE if self.wage_base == "social_security" else self.wage_base
        known = [y for y in table if y <= day.year]
        return Decimal(table[max(known) if known else min(table)])

    @field_validator("applies_to")
    @classmethod
    def _components(cls, v):
        from .policy import _suggest

        for c in v:
            if c != "all" and c not in COMPONENTS:
                raise ValueError(f"unknown pay component {c!r}{_suggest(c, COMPONENTS)}: use all or {', '.join(COMPONENTS)}")
        return v

    def components(self) -> tuple[str, ...]:
        return COMPONENTS if "all" in self.applies_to else self.applies_to


class OnCosts(_Section):
    on_cost: tuple[OnCost, ...] = ()


#: The documented default roll-up matrix (docs/costing.md): set yours with ``--on-costs FILE``.
DEFAULT_ON_COSTS = OnCosts(
    on_cost=(
        OnCost(name="FICA", percent=Decimal("7.65"), applies_to=("all",),
               citation="26 U.S.C. 3111(a)-(b): 6.2 % social security + 1.45 % Medicare on all wages"),
        OnCost(name="pension", percent=Decimal("5"), applies_to=("base_pay",),
               citation="placeholder employer contribution on base pay only; replace with the plan's rate"),
    )
)


def add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February -> 28 February
        return d.replace(year=d.year + n, day=28)




def loads_proposal(text: str) -> Proposal:
    return loads_model(text, Proposal)


def loads_on_costs(text: str) -> OnCosts:
    return loads_model(text, OnCosts)
