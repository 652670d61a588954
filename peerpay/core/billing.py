"""The billing share: what a person's work bills, beside what the person is paid (docs/billing.md).

Inputs, both validated row by row like a timesheet (``file:row:column: reason``):

* a **fee schedule** (:func:`prepare_fee_schedule`): per ``state``, ``procedure_code`` and optional
  ``modifier``, the unit length in minutes (``unit_minutes``: 15 for HCPCS H0038 "per 15 minutes"),
  the ``rate`` per unit, the ``effective_date`` (a row applies from that date until a later row for
  the same code, or its own ``end_date``), ``source`` and ``status`` (e.g. "illustrative");
* a **billing export** (:func:`prepare_billing`): ``employee_id``, ``service_date``,
  ``procedure_code``, optional ``modifier``, ``units`` (whole units) and an optional ``state``.

Per person (:func:`person_shares`), over the pay run's period:

* ``billed`` = Σ units x the rate in force on the service date (exact, to the cent once);
* ``billed_per_paid_hour`` = billed / hours worked; ``pay_per_paid_hour`` = gross pay / hours worked;
* ``share`` = gross pay / billed (cents of pay per dollar billed);
* ``unbilled_hours`` = max(0, hours worked - Σ units x unit length): paid time that bills nothing
  (navigation, documentation, travel, supervision, training). Floored at 0: a person whose units
  add up to more than their paid hours (group sessions billed per attendee, a unit billed for a
  part of 15 minutes under the "more than half" rule) has no unbilled time, not a negative one.

Per role (:func:`role_shares`): the sums of its people and the ratios of those sums (the share is
Σ pay / Σ billed: "cents of every dollar their work bills"), and the median person's share.

Worked example (tests/test_billing.py): a peer paid $800.00 for 40 h bills 96 units of H0038 at
$20.00 (24 h): billed $1,920.00, $48.00 per paid hour; pay $20.00 per paid hour; share 800 / 1,920
= **41.7 ¢** of each dollar billed; unbilled hours 40 - 24 = 16.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .inputs import normalise_ids, parse_money
from .money import MINUTES_PER_HOUR, cents_half_up
from .tables import MAX_RATE, Rejections, blank_rows, parse_dates, parse_numbers, require_columns, text

FEE_REQUIRED = ("state", "procedure_code", "unit_minutes", "rate", "effective_date")
BILLING_REQUIRED = ("employee_id", "service_date", "procedure_code", "units")
MAX_UNITS = 10_000  # units on one billing row: far past any payer's daily limit (H0038 in many states: 16-24 a day)
NO_END = np.datetime64("2200-12-31", "D")


def _code(col: pd.Series) -> pd.Series:
    """Procedure codes and modifiers as billed: trimmed, upper case (``h0038`` is ``H0038``)."""
    return text(col).str.strip().str.upper()


def prepare_fee_schedule(raw: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The fee schedule's usable rows (``state``, ``code``, ``modifier``, ``unit_minutes``,
    ``rate_units`` ($0.0001 per unit), ``effective``, ``end``, ``source``, ``status``) and its
    rejected rows. Two rows for the same state, code, modifier and effective date: the later is
    rejected (which rate applies would be a guess)."""
    cols = list(raw.columns)
    require_columns(cols, FEE_REQUIRED, source)
    n = len(raw)
    rej = Rejections(source, cols, n)
    state = _code(raw["state"])
    code = _code(raw["procedure_code"])
    rej.skip(blank_rows(raw, np.flatnonzero((code == "").to_numpy())))
    rej.add((state == "").to_numpy(), "state", "state is empty")
    rej.add((code == "").to_numpy(), "procedure_code", "procedure_code is empty")
    modifier = _code(raw["modifier"]) if "modifier" in cols else pd.Series([""] * n, dtype=object)
    minutes = parse_numbers(raw["unit_minutes"], "unit_minutes", rej, lo=1, hi=24 * 60, integer=True)
    rej.add(np.isnan(minutes) & ~rej.mask(), "unit_minutes", "unit_minutes is empty")
    rate, _ = parse_money(raw["rate"], "rate", rej, hi=MAX_RATE)
    rej.add((rate < 0) & ~rej.mask(), "rate", "rate is empty")
    eff = parse_dates(raw["effective_date"], "effective_date", rej, required=True)
    end = parse_dates(raw["end_date"], "end_date", rej) if "end_date" in cols else np.full(n, np.datetime64("NaT"), "datetime64[D]")
    before = ~np.isnat(end) & ~np.isnat(eff) & (end < eff)
    rej.add(before, "end_date", "end_date is before effective_date")
    out = pd.DataFrame({
        "state": state.to_numpy(dtype=object), "code": code.to_numpy(dtype=object), "modifier": modifier.to_numpy(dtype=object),
        "unit_minutes": np.nan_to_num(minutes).astype("int64"), "rate_units": rate,
        "effective": eff, "end": np.where(np.isnat(end), NO_END, end).astype("datetime64[D]"),
        "source": text(raw["source"]).to_numpy(dtype=object) if "source" in cols else np.full(n, "", dtype=object),
        "status": text(raw["status"]).to_numpy(dtype=object) if "status" in cols else np.full(n, "", dtype=object),
        "description": text(raw["description"]).to_numpy(dtype=object) if "description" in cols else np.full(n, "", dtype=object),
        "row": np.arange(1, n + 1),
    })
    keep = ~rej.mask()
    dup = out.duplicated(["state", "code", "modifier", "effective"], keep="first").to_numpy() & keep
    rej.add(dup, "effective_date", "duplicate state/procedure_code/modifier/effective_date: an earlier row already sets this rate")
    keep &= ~dup
    return out[keep].reset_index(drop=True), rej.problems()


def fee_state(fees: pd.DataFrame, state: str | None) -> str | None:
    """The state the billing is priced in: ``state`` (must be in the fee schedule), else the
    schedule's only state, else None (each billing row must then say its ``state``)."""
    states = sorted(set(fees["state"]))
    if state is not None:
        s = state.strip().upper().removeprefix("US-")
        if s not in states:
            raise InputError(f"--state {state}: the fee schedule has no rates for it (states: {', '.join(states) or 'none'})")
        return s
    return states[0] if len(states) == 1 else None


def prepare_billing(raw: pd.DataFrame, source: str, fees: pd.DataFrame, state: str | None, paid: pd.DataFrame,
                    roster_ids: set[str] | None, period: tuple[np.datetime64, np.datetime64] | None) -> tuple[pd.DataFrame, list[Problem]]:
    """The billing rows priced by the fee schedule, and the rows rejected.

    ``paid``: ``employee_id`` of everyone with paid hours in the run; ``roster_ids``: the roster's
    ids (None: no roster); ``period``: the first and last day of the pay run (a unit outside it is
    not work those paid hours paid for). Returns ``employee_id``, ``day``, ``code``, ``modifier``,
    ``units``, ``unit_minutes``, ``rate_units``, ``amount_units`` (units x rate, $0.0001),
    ``billed_minutes``, ``row``.
    """
    cols = list(raw.columns)
    require_columns(cols, BILLING_REQUIRED, source)
    n = len(raw)
    rej = Rejections(source, cols, n)
    emp, _ = normalise_ids(raw["employee_id"])
    emp_a = emp.to_numpy(dtype=object)
    rej.skip(blank_rows(raw, np.flatnonzero(emp_a == "")))
    rej.add(emp_a == "", "employee_id", "employee_id is empty")
    if roster_ids is not None:
        off = np.flatnonzero((emp_a != "") & ~np.isin(emp_a, list(roster_ids)))
        rej.add(off, "employee_id", "employee_id '" + emp_a[off].astype(str).astype(object) + "' is not in the roster")
    unpaid = np.flatnonzero((emp_a != "") & ~np.isin(emp_a, paid["employee_id"].astype(object).to_numpy()) & ~rej.mask())
    rej.add(unpaid, "employee_id", "employee_id '" + emp_a[unpaid].astype(str).astype(object) + "' has no paid hours in the timesheet")
    day = parse_dates(raw["service_date"], "service_date", rej, required=True)
    if period is not None:
        out_of = ~np.isnat(day) & ((day < period[0]) | (day > period[1]))
        where = np.flatnonzero(out_of)
        rej.add(where, "service_date", "service_date " + day[where].astype(str).astype(object)
                + f" is outside the timesheet's period ({period[0]} to {period[1]})")
    code = _code(raw["procedure_code"]).to_numpy(dtype=object)
    rej.add(code == "", "procedure_code", "procedure_code is empty")
    modifier = _code(raw["modifier"]).to_numpy(dtype=object) if "modifier" in cols else np.full(n, "", dtype=object)
    row_state = _code(raw["state"]).str.removeprefix("US-").to_numpy(dtype=object) if "state" in cols else np.full(n, "", dtype=object)
    st = np.where(row_state != "", row_state, state or "").astype(object)
    if "state" in cols:
        bad_state = np.flatnonzero((row_state != "") & ~np.isin(row_state, fees["state"].to_numpy(dtype=object)))
        rej.add(bad_state, "state", "state '" + row_state[bad_state].astype(str).astype(object) + "' has no rates in the fee schedule")
    no_state = np.flatnonzero(st == "")
    rej.add(no_state, "state" if "state" in cols else "procedure_code",
            "no state: the fee schedule has several states (give --state, or a state column)")
    units = parse_numbers(raw["units"], "units", rej, lo=1, hi=MAX_UNITS, integer=True)
    rej.add(np.isnan(units) & ~rej.mask(), "units", "units is empty")
    # which fee row: the code must exist in the state; then the modifier; then a rate in force on the day
    known_code = set(zip(fees["state"], fees["code"]))
    known_mod = set(zip(fees["state"], fees["code"], fees["modifier"]))
    pairs = pd.Series(list(zip(st, code)), dtype=object)
    triples = pd.Series(list(zip(st, code, modifier)), dtype=object)
    code_ok = pairs.isin(known_code).to_numpy()
    mod_ok = triples.isin(known_mod).to_numpy()
    live = (code != "") & (st != "")
    bad = np.flatnonzero(live & ~code_ok)
    rej.add(bad, "procedure_code", "procedure code '" + code[bad].astype(str).astype(object) + "' is not in the fee schedule for "
            + st[bad].astype(str).astype(object))
    bad = np.flatnonzero(live & code_ok & ~mod_ok)
    if len(bad):
        shown = np.where(modifier[bad] == "", "(none)", modifier[bad]).astype(str).astype(object)
        rej.add(bad, "modifier" if "modifier" in cols else "procedure_code",
                "modifier " + shown + " is not in the fee schedule for " + code[bad].astype(str).astype(object) + " ("
                + st[bad].astype(str).astype(object) + ")")
    rate, unit_minutes = _rates_on(fees, st, code, modifier, day)
    no_rate = np.flatnonzero(live & mod_ok & ~np.isnat(day) & (rate < 0))
    if len(no_rate):
        first = fees.groupby(["state", "code", "modifier"])["effective"].min()
        since = [str(pd.Timestamp(first[(s, c, m)]).date()) for s, c, m in zip(st[no_rate], code[no_rate], modifier[no_rate])]  # the rejected rows only
        rej.add(no_rate, "service_date", "no fee schedule rate for " + code[no_rate].astype(str).astype(object) + " ("
                + st[no_rate].astype(str).astype(object) + ") on " + day[no_rate].astype(str).astype(object)
                + " (rates from " + np.asarray(since, dtype=object) + ")")
    keep = ~rej.mask()
    u = np.nan_to_num(units).astype("int64")
    out = pd.DataFrame({
        "employee_id": emp_a, "day": day, "state": st, "code": code, "modifier": modifier, "units": u,
        "unit_minutes": unit_minutes, "rate_units": rate, "amount_units": u * rate, "billed_minutes": u * unit_minutes,
        "row": np.arange(1, n + 1),
    })[keep].reset_index(drop=True)
    return out, rej.problems()


def _rates_on(fees: pd.DataFrame, state, code, modifier, day) -> tuple[np.ndarray, np.ndarray]:
    """Per billing row: the rate per unit ($0.0001) and unit length in force on ``day`` (-1, 0: none).
    The fee row with the latest effective date on or before the day, unless its end date has passed."""
    n = len(code)
    rate = np.full(n, -1, dtype="int64")
    minutes = np.zeros(n, dtype="int64")
    has_day = ~np.isnat(day)
    if not has_day.any() or fees.empty:
        return rate, minutes
    left = pd.DataFrame({"pos": np.arange(n)[has_day], "key": [f"{s}\0{c}\0{m}" for s, c, m in zip(state[has_day], code[has_day],
                                                                                                      modifier[has_day])],
                         "day": day[has_day].astype("datetime64[s]")}).sort_values("day", kind="stable")
    right = pd.DataFrame({"key": (fees["state"] + "\0" + fees["code"] + "\0" + fees["modifier"]).to_numpy(dtype=object),
                          "effective": fees["effective"].to_numpy(dtype="datetime64[D]").astype("datetime64[s]"),
                          "end": fees["end"].to_numpy(dtype="datetime64[D]").astype("datetime64[s]"),
                          "rate_units": fees["rate_units"].to_numpy(dtype="int64"),
                          "unit_minutes": fees["unit_minutes"].to_numpy(dtype="int64")}).sort_values("effective", kind="stable")
    m = pd.merge_asof(left, right, left_on="day", right_on="effective", by="key", direction="backward")
    ok = m["rate_units"].notna().to_numpy() & (m["day"].to_numpy() <= m["end"].to_numpy())
    pos = m["pos"].to_numpy()[ok]
    rate[pos] = m["rate_units"].to_numpy()[ok].astype("int64")
    minutes[pos] = m["unit_minutes"].to_numpy()[ok].astype("int64")
    return rate, minutes


# --------------------------------------------------------------------------- the share


def person_shares(pay_lines: pd.DataFrame, billing: pd.DataFrame, roles: pd.Series) -> pd.DataFrame:
    """Per person with paid hours: ``role``, ``paid_minutes``, ``gross_cents``, ``billed_cents``,
    ``billed_units``, ``billed_minutes``, ``unbilled_minutes`` (floored at 0) and the exact
    fractions ``billed_per_hour``, ``pay_per_hour`` ($) and ``share`` (pay / billed; None when
    nothing was billed). ``roles``: employee_id -> role (the roster's, else the timesheet's)."""
    pay = pay_lines.groupby("employee_id", sort=True).agg(paid_minutes=("worked_minutes", "sum"), gross_cents=("gross_pay", "sum"))
    pay = pay[pay["paid_minutes"] > 0]
    b = billing.groupby("employee_id").agg(amount_units=("amount_units", "sum"), billed_units=("units", "sum"),
                                           billed_minutes=("billed_minutes", "sum"))
    out = pay.join(b, how="left").fillna(0)
    out = out.reset_index()
    out["role"] = out["employee_id"].map(roles).fillna("").astype(object)
    for c in ("paid_minutes", "gross_cents", "amount_units", "billed_units", "billed_minutes"):
        out[c] = out[c].astype("int64")
    out["billed_cents"] = np.asarray(cents_half_up(out["amount_units"].to_numpy(dtype="int64"), 100), dtype="int64")
    out["unbilled_minutes"] = np.maximum(out["paid_minutes"] - out["billed_minutes"], 0)
    # exact ratios (a few hundred people: Fractions per person are cheap and never drift)
    hours = [Fraction(int(m), MINUTES_PER_HOUR) for m in out["paid_minutes"]]
    billed = [Fraction(int(a), 10_000) for a in out["amount_units"]]  # exact dollars, before the cent rounding
    gross = [Fraction(int(c), 100) for c in out["gross_cents"]]
    out["billed_per_hour"] = [b / h for b, h in zip(billed, hours)]
    out["pay_per_hour"] = [g / h for g, h in zip(gross, hours)]
    out["share"] = [g / b if b else None for g, b in zip(gross, billed)]
    return out[["employee_id", "role", "paid_minutes", "gross_cents", "billed_units", "billed_minutes", "billed_cents",
                "amount_units", "unbilled_minutes", "billed_per_hour", "pay_per_hour", "share"]]


def role_shares(people: pd.DataFrame, groups: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Per role (or declared pool, ``groups``: name -> roles): n, the sums, and the ratios of the sums.

    ``share`` = Σ gross pay / Σ billed; ``median_share`` = the median person's (billing people only);
    ``unbilled_pct`` = Σ unbilled hours / Σ paid hours x 100.
    """
    pool = {r: g for g, roles in (groups or {}).items() for r in roles}
    p = people.assign(group=people["role"].map(lambda r: pool.get(r, r)))
    rows = []
    for g, m in p.groupby("group", sort=True):
        minutes, gross = int(m["paid_minutes"].sum()), int(m["gross_cents"].sum())
        amount = int(m["amount_units"].sum())
        billed = Fraction(amount, 10_000)
        hours = Fraction(minutes, MINUTES_PER_HOUR)
        shares = sorted(s for s in m["share"] if s is not None)
        rows.append({
            "role": g, "n": len(m), "n_billing": len(shares), "paid_hours": hours, "gross_pay": Fraction(gross, 100),
            "billed": billed, "billed_units": int(m["billed_units"].sum()),
            "unbilled_hours": Fraction(int(m["unbilled_minutes"].sum()), MINUTES_PER_HOUR),
            "billed_per_hour": billed / hours if hours else None, "pay_per_hour": Fraction(gross, 100) / hours if hours else None,
            "share": Fraction(gross, 100) / billed if billed else None,
            "median_share": _median(shares) if shares else None,
            "unbilled_pct": Fraction(int(m["unbilled_minutes"].sum()) * 100, minutes) if minutes else None,
        })
    return pd.DataFrame(rows)


def _median(v: list[Fraction]) -> Fraction:
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2
