"""Out-of-class hours by role: how much of each role's work was another class's (docs/out-of-class.md).

The gap report's ``out_of_class`` section (``peerpay gap`` with a timesheet, or an unpaid-work
log, whose rows carry ``duty_role``). Per *home* group (the roster role, or a declared ``--group``
pool): the hours worked in another class's duty role, their share of the group's hours worked,
and the same by duty role. A row counts when it is hours worked (``work``, ``callback``; standby
is not the work of a class) and its ``duty_role`` is set and is not the row's own role. The hours
worked are the timesheet's plus, with ``--unpaid``, the unpaid hours (the same denominator as
the effective hourly rate, docs/gap.md).

Worked example (tests/test_out_of_class_gap.py): three peers work 40, 40 and 30 hours; the first
did 8 hours of case management, the second 4 of case management and 2 of supervision. The peer
row: 2 people, 14 hours out of class, 14 / 110 = 12.7 % of the hours worked; case manager 12 h,
peer supervisor 2 h.

**Published** (``--publish``), through the one disclosure rule (:mod:`peerpay.core.disclosure`,
docs/gap.md "The disclosure rule"). Hours of out-of-class work done by one person are personal
data, like pay; and colleagues see who did another class's work, so the people who did *none*
hide nothing. Each figure's group is therefore the people who did the work (a cell: the people
who did that duty role's work), not the whole role:

* a home group under 3 people: withheld, as for pay;
* nobody in it did out-of-class work: "none" (0 hours, 0 %);
* 10 or more people did (``min_group``): their count, hours, share of the group's hours worked and
  the median person's hours and share, exactly; each duty role the same way by its own people;
* 3 to 9 did: the median person's hours and share of their hours worked, each as a band of the
  fixed ladder (widened on a coincidence with anybody's figure); no count, no total;
* 1 or 2 did: withheld.

A duty role done by fewer than 3 people of a group is not listed. **Totals minus parts**: an
exact group total less its exact duty roles would be the hours of the duty roles not shown
exactly; when those are the work of 1 to 9 people, no duty role of that group is exact (each is
banded by its own people instead). No total across groups is published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

from .disclosure import EXACT_MIN_GROUP, HOURLY_TOLERANCE, Disclosed, Protected, Rule, disclose
from .engine import WORKED_KINDS
from .money import MINUTES_PER_HOUR, ratio_half_up
from .out_of_class import DUTY_ROLE, OUT_OF_CLASS

#: A disclosure set's key: the home group and a duty role ("" for the group as a whole).
SEP = "\x1f"

DEFINITIONS = {
    "people_out_of_class": "people of the group with hours worked in another class's duty role (a row's duty_role)",
    "out_of_class_hours": "hours worked (work and call-back rows) whose duty_role is another role than the employee's own",
    "out_of_class_pct": "out-of-class hours / the group's hours worked (with --unpaid: unpaid hours included) x 100",
    "median_out_of_class_hours": "the median person's out-of-class hours, among the people who did such work",
    "median_out_of_class_pct": "the median person's out-of-class hours / their own hours worked x 100, among the people who did such work",
    "paid_at_duty_rate_hours": "out-of-class hours of the timesheet paid at the duty rate under [out_of_class] (the rest: at the own rate)",
    "unpaid_out_of_class_hours": "out-of-class hours in the unpaid-work log (--unpaid)",
}


def duty_minutes(paid: pd.DataFrame | None, unpaid: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per employee and duty role: ``minutes`` of out-of-class work, of which ``at_duty_rate``
    (timesheet rows paid at the duty rate) and ``unpaid`` (rows of the unpaid-work log).

    ``paid`` and ``unpaid``: validated shifts (:func:`peerpay.core.inputs.prepare_timesheet`),
    with ``duty_role`` when their file had the column."""
    parts = []
    for frame, is_unpaid in ((paid, False), (unpaid, True)):
        if frame is None or DUTY_ROLE not in frame or not len(frame):
            continue
        duty = frame[DUTY_ROLE].astype(object).fillna("").to_numpy(dtype=object)
        own = frame["role"].astype(object).fillna("").to_numpy(dtype=object)
        take = frame["kind"].astype(object).isin(WORKED_KINDS).to_numpy(dtype=bool) & (duty != "") & (duty != own)
        minutes = (frame["end_at"] - frame["start_at"]).to_numpy(dtype="int64")[take]
        at_rate = frame[OUT_OF_CLASS].to_numpy(dtype=bool)[take] if not is_unpaid and OUT_OF_CLASS in frame else np.zeros(len(minutes), bool)
        parts.append(pd.DataFrame({"employee_id": frame["employee_id"].astype(object).to_numpy()[take], "duty_role": duty[take],
                                   "minutes": minutes, "at_duty_rate": np.where(at_rate, minutes, 0),
                                   "unpaid": minutes if is_unpaid else np.zeros(len(minutes), "int64")}))
    if not parts:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "duty_role": pd.Series(dtype=object),
                             **{c: pd.Series(dtype="int64") for c in ("minutes", "at_duty_rate", "unpaid")}})
    cells = pd.concat(parts, ignore_index=True)
    return cells.groupby(["employee_id", "duty_role"], sort=True, as_index=False)[["minutes", "at_duty_rate", "unpaid"]].sum()


def _people(workers: pd.DataFrame, cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(each worker with hours: employee_id, role, worked and out-of-class minutes; the cells of those workers with their role)."""
    unpaid = workers["unpaid_minutes"].fillna(0).to_numpy(dtype="int64") if "unpaid_minutes" in workers else 0
    people = pd.DataFrame({"employee_id": workers["employee_id"].astype(object).to_numpy(), "role": workers["role"].astype(object).to_numpy(),
                           "roster_role": workers.get("roster_role", workers["role"]).astype(object).to_numpy(),
                           "worked": workers["worked_minutes"].fillna(0).to_numpy(dtype="int64") + unpaid})
    people = people[people["worked"] > 0].drop_duplicates("employee_id")
    cells = cells.merge(people[["employee_id", "role", "roster_role"]], on="employee_id", how="inner")
    ooc = cells.groupby("employee_id")["minutes"].sum()
    people = people.assign(ooc=people["employee_id"].map(ooc).fillna(0).astype("int64").to_numpy())
    return people.reset_index(drop=True), cells


def _hours(minutes: int | Fraction) -> float:
    x = Fraction(minutes) / MINUTES_PER_HOUR
    return ratio_half_up(x.numerator, x.denominator, 2)


def _pct(part: int | Fraction, whole: int | Fraction) -> float | None:
    if not whole:
        return None
    x = Fraction(part) * 100 / Fraction(whole)
    return ratio_half_up(x.numerator, x.denominator, 1)


def _median(values: Sequence[Fraction]) -> Fraction | None:
    v = sorted(values)
    if not v:
        return None
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def _order(roles: Sequence[str], peer_role: str) -> list[str]:
    """The peer group first, then the others by name (an order that says nothing about the figures)."""
    return sorted(set(roles), key=lambda r: (r != peer_role, r))


def role_rows(workers: pd.DataFrame, cells: pd.DataFrame, peer_role: str, min_group: int = 1, *, priced: bool = False,
              unpaid_log: bool = False) -> list[dict]:
    """The internal view: every group's figures, exact (module docstring). ``priced``: the policy
    has ``[out_of_class]`` (the hours paid at the duty rate are shown); ``unpaid_log``: an unpaid-work
    log with duty roles was given. A group under ``min_group`` is listed as suppressed."""
    people, cells = _people(workers, cells)
    out = []
    for g in _order(people["role"], peer_role):
        mine = people[people["role"] == g]
        n = len(mine)
        if n < min_group:
            out.append({"role": g, "n": n, "suppressed": True})
            continue
        worked, ooc = int(mine["worked"].sum()), mine["ooc"].to_numpy(dtype="int64")
        doers = mine[mine["ooc"] > 0]
        c = cells[cells["role"] == g]
        row: dict = {"role": g, "n": n, "people_out_of_class": len(doers), "hours_worked": _hours(worked),
                     "out_of_class_hours": _hours(int(ooc.sum())), "out_of_class_pct": _pct(int(ooc.sum()), worked),
                     "median_out_of_class_hours": _hours(m) if (m := _median([Fraction(int(x)) for x in doers["ooc"]])) is not None else None,
                     "median_out_of_class_pct": _pct(m, 1) if (m := _median(_shares(doers))) is not None else None}
        if priced:
            row["paid_at_duty_rate_hours"] = _hours(int(c["at_duty_rate"].sum()))
        if unpaid_log:
            row["unpaid_out_of_class_hours"] = _hours(int(c["unpaid"].sum()))
        row["by_duty_role"] = [{"duty_role": d, "people": int(cd["employee_id"].nunique()), "hours": _hours(int(cd["minutes"].sum())),
                                "pct": _pct(int(cd["minutes"].sum()), worked)} for d, cd in c.groupby("duty_role", sort=True)]
        out.append(row)
    return out


def _shares(doers: pd.DataFrame) -> list[Fraction]:
    """Each person's out-of-class share of their own hours worked, as a fraction (x 100 for %)."""
    return [Fraction(int(o), int(w)) for o, w in zip(doers["ooc"], doers["worked"])]


def published_rows(workers: pd.DataFrame, cells: pd.DataFrame, peer_role: str, rule: Rule | None = None) -> list[dict]:
    """What the disclosure rule lets a published report say, per group (module docstring)."""
    rule = rule or Rule()
    people, cells = _people(workers, cells)
    hours: dict[str, list[Fraction]] = {}
    shares: dict[str, list[Fraction]] = {}
    for g, mine in people[people["ooc"] > 0].groupby("role", sort=True):
        hours[str(g)] = [Fraction(int(x), MINUTES_PER_HOUR) for x in mine["ooc"]]
        shares[str(g)] = [s * 100 for s in _shares(mine)]
    for (g, d), cd in cells.groupby(["role", "duty_role"], sort=True):
        per_person = cd.groupby("employee_id")["minutes"].sum()
        hours[f"{g}{SEP}{d}"] = [Fraction(int(x), MINUTES_PER_HOUR) for x in per_person]
    # roles inside a declared pool are protected too (a pool's band must not be two nurses' mean hours)
    inner_hours, inner_shares = _roles_in_pools(people, cells)
    protected = Protected.of({**hours, **inner_hours}, rule, HOURLY_TOLERANCE)
    said = disclose(hours, rule, protected)
    said_share = disclose(shares, rule, Protected.of({**shares, **inner_shares}, rule, HOURLY_TOLERANCE))
    out = []
    for g in _order(people["role"], peer_role):
        mine = people[people["role"] == g]
        d = said.get(g)
        if len(mine) < rule.band_min:
            out.append({"role": g, "status": "withheld", "suppressed": True})
        elif d is None:  # nobody of the group did out-of-class work
            out.append({"role": g, "status": "none", "people_out_of_class": 0, "out_of_class_hours": 0.0, "out_of_class_pct": 0.0})
        elif d.status == "exact":
            worked, ooc = int(mine["worked"].sum()), int(mine["ooc"].sum())
            s = said_share[g]
            out.append({"role": g, "status": "exact", "banded": False, "people_out_of_class": d.n, "out_of_class_hours": _hours(ooc),
                        "out_of_class_pct": _pct(ooc, worked), "median_out_of_class_hours": _hours(_minutes(d.median)),
                        "median_out_of_class_pct": _pct(s.median, 100) if s.median is not None else None,
                        "by_duty_role": _cells(g, cells, said, hours, protected, rule, exact_group=True)})
        elif d.status == "band" and d.band is not None:
            s = said_share[g]
            row = {"role": g, "status": "band", "banded": True, "median_out_of_class_hours_band": d.band.pair()}
            if s.status == "band" and s.band is not None:
                row["median_out_of_class_pct_band"] = s.band.pair()
            row["by_duty_role"] = _cells(g, cells, said, hours, protected, rule, exact_group=False)
            out.append(row)
        else:
            out.append({"role": g, "status": "withheld", "suppressed": True})
    return out


def _roles_in_pools(people: pd.DataFrame, cells: pd.DataFrame) -> tuple[dict[str, list[Fraction]], dict[str, list[Fraction]]]:
    """The hours and shares of each roster role inside a pool (``--group``), as protected sets only."""
    hours: dict[str, list[Fraction]] = {}
    shares: dict[str, list[Fraction]] = {}
    pooled = people[(people["roster_role"] != people["role"]) & (people["ooc"] > 0)]
    for r, mine in pooled.groupby("roster_role", sort=True):
        hours[f"{SEP}{r}"] = [Fraction(int(x), MINUTES_PER_HOUR) for x in mine["ooc"]]
        shares[f"{SEP}{r}"] = [s * 100 for s in _shares(mine)]
    inner = cells[cells["roster_role"] != cells["role"]]
    for (r, d), cd in inner.groupby(["roster_role", "duty_role"], sort=True):
        hours[f"{SEP}{r}{SEP}{d}"] = [Fraction(int(x), MINUTES_PER_HOUR) for x in cd.groupby("employee_id")["minutes"].sum()]
    return hours, shares


def _minutes(hours: Fraction | None) -> Fraction:
    return Fraction(hours or 0) * MINUTES_PER_HOUR


def _cells(g: str, cells: pd.DataFrame, said: Mapping[str, Disclosed], hours: Mapping[str, list[Fraction]], protected: Protected,
           rule: Rule, exact_group: bool) -> list[dict]:
    """A published group's duty roles: exact by 10 or more people, a band by 3 to 9, else not listed;
    no exact duty role where the group total less the exact ones is the work of 1 to 9 people."""
    mine = cells[cells["role"] == g]
    keys = {str(d): f"{g}{SEP}{d}" for d in sorted(set(mine["duty_role"]))}
    exact = [d for d, k in keys.items() if said[k].status == "exact"]
    rest = set(mine.loc[~mine["duty_role"].isin(exact), "employee_id"])
    if exact_group and exact and 0 < len(rest) < rule.exact_min:  # totals minus parts: band them by their own people
        banded = disclose({keys[d]: hours[keys[d]] for d in exact}, Rule(exact_min=10**9, band_min=rule.band_min), protected)
        said = {**said, **banded}
    out = []
    for d, k in keys.items():
        c = said[k]
        if c.status == "exact":
            total = sum(hours[k], Fraction(0))
            out.append({"duty_role": d, "people": c.n, "hours": _hours(total * MINUTES_PER_HOUR), "median_hours": _hours(_minutes(c.median))})
        elif c.status == "band" and c.band is not None:
            out.append({"duty_role": d, "median_hours_band": c.band.pair()})
    return out


def out_of_class_section(workers: pd.DataFrame, cells: pd.DataFrame, peer_role: str, *, publish: bool, min_group: int = 1,
                         priced: bool = False, unpaid_log: bool = False, peer_only: bool = False) -> dict:
    """The gap report's ``out_of_class`` key: ``roles`` (internal or published), ``definitions``, ``notes``.
    ``peer_only`` (``--reference-only``): the peer group alone."""
    if publish:
        rule = Rule(exact_min=max(min_group, EXACT_MIN_GROUP))
        roles = published_rows(workers, cells, peer_role, rule)
    else:
        roles = role_rows(workers, cells, peer_role, min_group, priced=priced, unpaid_log=unpaid_log)
    if peer_only:
        roles = [r for r in roles if r["role"] == peer_role]
    notes = ["Out-of-class work: hours worked (work and call-back rows) whose duty_role is another role than the employee's own; "
             "on-call rows are not counted (standby is not the work of a class)."]
    if not priced:
        notes.append("The policy has no [out_of_class]: these hours were counted, and paid at each employee's own rate.")
    if publish:
        rule = Rule(exact_min=max(min_group, EXACT_MIN_GROUP))
        notes.append(f"Published: a group's figures are exact where {rule.exact_min} or more of its people did out-of-class work, "
                     f"the median person's hours and share as bands where {rule.band_min} to {rule.exact_min - 1} did, and withheld "
                     f"where one or two did or the group has fewer than {rule.band_min} people; a duty role done by fewer than "
                     f"{rule.band_min} people of a group is not listed.")
    shown = {k for r in roles for k in r} | {k.removesuffix("_band") for r in roles for k in r}
    return {"roles": roles, "definitions": {k: v for k, v in DEFINITIONS.items() if k in shown}, "notes": notes}

