"""The billing share as a report: the private figures, and the published view (docs/billing.md).

The published view goes through the one disclosure rule (:func:`peerpay.core.disclosure.disclose`,
docs/gap.md "The disclosure rule"), per role or declared pool, over each person's values:

* a group of 10 or more (``min_group``): n and its figures exactly;
* 3 to 9: the median person's share (cents of pay per dollar billed) and unbilled share of paid
  hours, each as a band of the fixed ladder, widened on a coincidence; no n, no dollar figure
  (pay or billing per hour), no sum: a band of billing per hour times a band of the share would be
  a band of pay, and every dollar figure is one more chance to fall on somebody's pay;
* under 3: the group's name, listed as withheld.

Nothing per person is published, and no total across groups (a total minus the exact groups
would give the withheld ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import pandas as pd

from .disclosure import EXACT_MIN_GROUP, Rule, disclose, outward, plain
from .money import ratio_half_up

DEFINITIONS = {
    "paid_hours": "hours worked in the pay run (work and call-back; on-call standby is not hours worked)",
    "billed": "Σ units x the fee schedule's rate for the code (and modifier) in force on the service date",
    "billed_per_paid_hour": "billed / paid hours",
    "pay_per_paid_hour": "gross pay (docs/formats.md §3-4) / paid hours",
    "cents_per_dollar_billed": "100 x gross pay / billed: the cents of pay for each dollar the work bills (a role: its sums)",
    "median_cents_per_dollar_billed": "the median person's cents per dollar billed (people who billed)",
    "unbilled_hours": "max(0, paid hours - Σ units x the unit length): paid time that bills nothing",
    "unbilled_pct": "unbilled hours / paid hours x 100",
}
CAVEATS = [
    "Billed is the fee schedule's rate x the units billed: not revenue received. Denials, recoupments, "
    "contractual adjustments, managed-care rates that differ from the state fee schedule, and services "
    "billed under another provider's number are not in it.",
    "Pay is gross wages only: employer taxes, benefits, supervision, training, travel and overhead are not in it, "
    "and a service may need a supervisor's or a clinician's time that bills nothing itself.",
    "A fee schedule row marked illustrative is not a published rate: the share is then an example only.",
]


def _num(x: Fraction | None, places: int) -> float | None:
    return None if x is None else ratio_half_up(x.numerator, x.denominator, places)


def _cents(x: Fraction | None) -> float | None:
    return None if x is None else _num(x * 100, 1)


def billing_report(people: pd.DataFrame, roles: pd.DataFrame, fees_used: pd.DataFrame, *, peer_role: str | None = None,
                   notes: Sequence[str] = ()) -> dict:
    """The internal report: every role and every person, exact (private: ids, never names)."""
    return {
        "peer_role": peer_role,
        "roles": [_role_row(r) for r in roles.to_dict("records")],
        "people": [{
            "employee_id": p["employee_id"], "role": p["role"],
            "paid_hours": _num(Fraction(int(p["paid_minutes"]), 60), 2), "gross_pay": int(p["gross_cents"]) / 100,
            "billed_units": int(p["billed_units"]), "billed": int(p["billed_cents"]) / 100,
            "unbilled_hours": _num(Fraction(int(p["unbilled_minutes"]), 60), 2),
            "billed_per_paid_hour": _num(p["billed_per_hour"], 2), "pay_per_paid_hour": _num(p["pay_per_hour"], 2),
            "cents_per_dollar_billed": _cents(p["share"]),
        } for p in people.to_dict("records")],
        "fee_schedule": fee_rows(fees_used),
        "definitions": dict(DEFINITIONS),
        "caveats": list(CAVEATS),
        "notes": list(notes),
    }


def _role_row(r: Mapping) -> dict:
    return {
        "role": r["role"], "n": int(r["n"]), "n_billing": int(r["n_billing"]), "paid_hours": _num(r["paid_hours"], 2),
        "gross_pay": _num(r["gross_pay"], 2), "billed_units": int(r["billed_units"]), "billed": _num(r["billed"], 2),
        "billed_per_paid_hour": _num(r["billed_per_hour"], 2), "pay_per_paid_hour": _num(r["pay_per_hour"], 2),
        "cents_per_dollar_billed": _cents(r["share"]), "median_cents_per_dollar_billed": _cents(r["median_share"]),
        "unbilled_hours": _num(r["unbilled_hours"], 2), "unbilled_pct": _num(r["unbilled_pct"], 1),
    }


def fee_rows(fees_used: pd.DataFrame) -> list[dict]:
    """The fee schedule rows the billing was priced with: code, rate, dates, source, status."""
    return [{"state": f["state"], "procedure_code": f["code"], "modifier": f["modifier"], "unit_minutes": int(f["unit_minutes"]),
             "rate": int(f["rate_units"]) / 10_000, "effective_date": _day(f["effective"]),
             "end_date": None if _day(f["end"]) == "2200-12-31" else _day(f["end"]), "source": f["source"], "status": f["status"],
             "description": f["description"]} for f in fees_used.to_dict("records")]


def _day(value) -> str:
    return str(pd.Timestamp(value).date())


def published_billing(people: pd.DataFrame, groups: dict[str, list[str]] | None = None, min_group: int = EXACT_MIN_GROUP) -> list[dict]:
    """Per role or pool, what the disclosure rule lets a published report say (module docstring)."""
    from .billing import role_shares

    rule = Rule(exact_min=max(min_group, EXACT_MIN_GROUP))
    pool = {r: g for g, roles in (groups or {}).items() for r in roles}
    p = people.assign(group=people["role"].map(lambda r: pool.get(r, r)))
    billing = p[p["share"].notna()]
    shares = {g: [s * 100 for s in m["share"]] for g, m in billing.groupby("group", sort=True)}
    unbilled = {g: [Fraction(int(u) * 100, int(h)) for u, h in zip(m["unbilled_minutes"], m["paid_minutes"])]
                for g, m in billing.groupby("group", sort=True)}
    share_rule = disclose(shares, rule)
    unbilled_rule = disclose(unbilled, rule)
    exact = role_shares(people, groups).set_index("role")
    out = []
    for g in sorted(set(p["group"])):
        d = share_rule.get(g)
        row: dict = {"role": g, "status": d.status if d is not None else "withheld"}
        if d is not None and d.status == "exact":
            r = _role_row({**exact.loc[g].to_dict(), "role": g})
            row.update({k: r[k] for k in ("n", "paid_hours", "billed_per_paid_hour", "pay_per_paid_hour", "cents_per_dollar_billed",
                                          "median_cents_per_dollar_billed", "unbilled_pct")})
            row["banded"] = False
        elif d is not None and d.status == "band" and d.band is not None:
            row["banded"] = True
            row["median_cents_per_dollar_billed_band"] = outward(d.band.low, d.band.high, 1)
            u = unbilled_rule.get(g)
            if u is not None and u.status == "band" and u.band is not None:
                row["unbilled_pct_band"] = [plain(u.band.low), plain(u.band.high)]
        else:
            row["status"] = "withheld"
            row["suppressed"] = True
        out.append(row)
    order = {"exact": 0, "band": 1, "withheld": 2}
    return sorted(out, key=lambda r: (order[r["status"]], r["role"]))


def share_words(row: Mapping) -> str | None:
    """"41 ¢", "40–45 ¢" (a band) or None (withheld) for a published or internal role row."""
    if row.get("median_cents_per_dollar_billed") is not None:
        return f"{row['median_cents_per_dollar_billed']:g} ¢"
    band = row.get("median_cents_per_dollar_billed_band")
    return f"{band[0]:g}–{band[1]:g} ¢" if band else None


def billing_headline(rows: Sequence[Mapping], peer_role: str, label=lambda r: r.replace("_", " ")) -> str | None:
    """"A peer specialist is paid 41 ¢ of every dollar their work bills; a case manager 63 ¢." (the
    median person's share; the peer group first, then the other groups with a figure)."""
    by = {r["role"]: r for r in rows}
    peer = by.get(peer_role)
    words = share_words(peer) if peer else None
    if words is None:
        return None
    others = [f"{_a(label(r['role']))} {share_words(r)}" for r in rows if r["role"] != peer_role and share_words(r)]
    head = f"{_a(label(peer_role)).capitalize()} is paid {words} of every dollar their work bills"
    return head + ("; " + "; ".join(others) if others else "") + "."


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def billing_section(people: pd.DataFrame, used: pd.DataFrame, *, publish: bool, groups: dict[str, list[str]] | None = None,
                    min_group: int = EXACT_MIN_GROUP, notes: Sequence[str] = ()) -> dict:
    """The ``billing`` key of a gap report (``gap --billing``): the roles, exact or published, and the
    fee schedule rows, definitions and caveats behind them; nobody by id."""
    from .billing import role_shares

    roles = published_billing(people, groups, min_group) if publish else \
        [_role_row(r) for r in role_shares(people, groups).to_dict("records")]
    return {"roles": roles, "fee_schedule": fee_rows(used), "definitions": dict(DEFINITIONS), "caveats": list(CAVEATS),
            "notes": list(notes)}
