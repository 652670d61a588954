"""Printable pay statements: one self-contained HTML page per employee, each workweek explained.

What an employee or a grievance officer needs to check a cheque: the hours, every pay component,
for an overtime week the regular-rate arithmetic written out, and the rules applied with their
citations. The page is the fact sheet's skeleton (:func:`peerpay.io.html.fact_sheet_page`: inline
CSS, no scripts, nothing fetched), so it prints and attaches to a complaint as it is.

The figures are the pay report's (docs/formats.md §4), computed exactly and rounded once per
component; the arithmetic shown recomputes the overtime premium from the rounded regular rate,
so it can differ from the paid premium by a cent, and the page says so when it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from .html import definition_list, esc, fact_sheet_page, html_table
from .statements import safe_filename

RULES = [
    ("Hours worked", "work and call-back time, counted to the minute; on-call standby when free to use the time is not hours worked "
                     "(29 CFR 785.17, 785.23)."),
    ("Regular rate", "(base pay + shift differentials + standby pay) ÷ hours worked in the workweek (29 CFR 778.109, 778.207(b), "
                     "778.223); holiday and call-back premiums are left out (29 CFR 778.203, 778.221)."),
    ("Overtime premium", "(multiplier − 1) × regular rate × overtime hours; straight time for those hours is already in base pay "
                         "(29 U.S.C. 207(a), 29 CFR 778.107, 778.110)."),
    ("Rounding", "each component is rounded once, half-up, to the cent per workweek; gross pay is the sum of the rounded components."),
]
COMPONENTS = [("base_pay", "Base pay"), ("holiday_premium", "Holiday premium"), ("standby_pay", "On-call standby"),
              ("callback_premium", "Call-back premium"), ("minimum_shift_pay", "Minimum shift pay"),
              ("overtime_premium", "Overtime premium")]
CENT = Decimal("0.01")


def stub_filename(employee_id: str) -> str:
    """``paystub-<id>.html`` (the id made safe for a file name)."""
    return safe_filename(employee_id).replace("statement-", "paystub-", 1)


def _usd(x) -> str:
    return f"${Decimal(str(x)):,.2f}"


def _week(line: Mapping, multiplier: Decimal | Mapping[str, Decimal]) -> str:
    comps = [(label, line[key]) for key, label in COMPONENTS[:1] if key in line]
    comps += [(f"Differential: {name}", v) for name, v in line.get("differential_pay", {}).items()]
    comps += [(label, line[key]) for key, label in COMPONENTS[1:] if key in line]
    rows = [[label, _usd(v)] for label, v in comps] + [["Gross pay", _usd(line["gross_pay"])]]
    hours = definition_list([("Hours worked", f"{line['hours_worked']:,.2f}"), ("On-call hours", f"{line['on_call_hours']:,.2f}"),
                             ("Overtime hours", f"{line['overtime_hours']:,.2f}")])
    body = hours + html_table("", ["Component", "Amount"], rows)
    if line["overtime_hours"]:
        diffs = sum(Decimal(str(v)) for v in line.get("differential_pay", {}).values())
        base, standby = Decimal(str(line["base_pay"])), Decimal(str(line["standby_pay"]))
        worked = Decimal(str(line["hours_worked"]))
        rate = Decimal(str(line["regular_rate"]))
        # overtime tiers (a state's law): one term per tier that paid hours, at its own multiplier
        tier_m = multiplier if isinstance(multiplier, Mapping) else {}
        by_tier = line.get("overtime_hours_by_tier") if tier_m else None
        terms = ([(Decimal(str(tier_m[t])), Decimal(str(h)), f"hours ({t})") for t, h in by_tier.items() if h] if by_tier
                 else [(cast(Decimal, multiplier), Decimal(str(line["overtime_hours"])), "overtime hours")])
        shown = sum(((m - 1) * rate * h for m, h, _ in terms), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
        paid = Decimal(str(line["overtime_premium"]))
        steps = [
            f"Regular rate = (base {_usd(base)} + differentials {_usd(diffs)} + standby {_usd(standby)}) ÷ {worked:,.2f} h "
            f"= {_usd(base + diffs + standby)} ÷ {worked:,.2f} h = ${rate:,.4f} an hour",
            "Overtime premium = " + " + ".join(f"{m - 1} × ${rate:,.4f} × {h:,.2f} {what}" for m, h, what in terms)
            + f" = {_usd(shown)}" + ("" if shown == paid else f" (paid {_usd(paid)}: the engine uses the unrounded regular rate)"),
        ]
        body += "<h3>Overtime: the regular-rate arithmetic</h3>" + "".join(f"<p>{esc(s)}</p>" for s in steps)
    return body


def pay_stub_html(employee_id: str, lines: Sequence[Mapping], multiplier, record: Mapping | None = None,
                  name: str | None = None) -> str:
    """One employee's statement over the run's workweeks (``lines``: their docs/formats.md §4 lines).

    ``multiplier``: the overtime multiplier, or under overtime tiers tier name -> multiplier."""
    mult = {k: Decimal(str(v)) for k, v in multiplier.items()} if isinstance(multiplier, Mapping) else Decimal(str(multiplier))
    total = sum(Decimal(str(x["gross_pay"])) for x in lines)
    weeks = [x["week_start"] for x in lines]
    sections = [(f"Workweek starting {x['week_start']}", _week(x, mult)) for x in lines]
    sections.append(("Rules applied", definition_list(RULES)))
    who = f"{employee_id} — {name}" if name else str(employee_id)
    headline = [f"Gross pay {_usd(total)} over {len(lines)} workweek{'s' if len(lines) != 1 else ''}"
                + (f" ({weeks[0]} to {weeks[-1]})" if weeks else "")]
    return fact_sheet_page(f"Pay statement: {who}", headline, sections, record,
                           subtitle="Computed by peerpay from the timesheet and the pay policy named in the run record below.")
