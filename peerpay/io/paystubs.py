"""Printable pay statements (``pay --statements DIR``): one self-contained HTML page per employee.

What a worker needs to check a cheque on a calculator: the pay period, each workweek's hours,
every line as hours × rate = amount (base pay at each rate, each differential's hours and rate,
holiday premium, standby), the amount paid for each component (rounded once, half-up, per
workweek: docs/formats.md §3), and for an overtime week the regular-rate arithmetic with the
figures the engine really used — the unrounded amounts, so that the sums re-add (a differential
shown as $28.83 in the pay report entered the regular rate as $28.825).

Numbers are shown exactly where they are exact: hours and amounts to as many decimal places as
they have (up to six, then "…"), hours that are not a whole hundredth also as hours:minutes
(``42.716666… h (42:43)``). The page is the fact sheet's skeleton
(:func:`peerpay.io.html.fact_sheet_page`: inline CSS, no scripts, nothing fetched), so it prints
and attaches to a complaint as it is. Each table row carries a ``data-key`` (``item``,
``component``, ``gross``) so a test or a reader's script can re-add it without parsing words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

from ..core.money import AMOUNT_PER_DOLLAR, MINUTES_PER_HOUR
from .html import definition_list, esc, fact_sheet_page, html_table
from .statements import safe_filename

RULES = [
    ("Hours worked", "work and call-back time, counted to the minute; on-call standby when free to use the time is not hours worked "
                     "(29 CFR 785.17, 785.23)."),
    ("Each line", "hours × rate = amount, to the minute; a shift that crosses midnight or a rule's window is split there."),
    ("Regular rate", "(base pay + shift differentials + standby pay) ÷ hours worked in the workweek (29 CFR 778.109, 778.207(b), "
                     "778.223); holiday and call-back premiums are left out (29 CFR 778.203, 778.221)."),
    ("Overtime premium", "(multiplier − 1) × regular rate × overtime hours; straight time for those hours is already in base pay "
                         "(29 U.S.C. 207(a), 29 CFR 778.107, 778.110)."),
    ("Rounding", "each component is computed exactly and rounded once, half-up, to the cent per workweek; gross pay is the sum "
                 "of the rounded components."),
    ("How numbers are shown", "hours and amounts to every decimal place they have, up to six, then … (more places follow); "
                              "hours that are not a whole hundredth also as hours:minutes: 42.716666… h (42:43) is 42 hours 43 "
                              "minutes."),
]
#: (pay line key, label) in the order the statement lists them
COMPONENTS = [("base_pay", "Base pay"), ("holiday_premium", "Holiday premium"), ("standby_pay", "On-call standby"),
              ("callback_premium", "Call-back premium"), ("minimum_shift_pay", "Minimum shift pay"),
              ("overtime_premium", "Overtime premium")]
UNITS_PER_DOLLAR_HOUR = AMOUNT_PER_DOLLAR // MINUTES_PER_HOUR  # a per-minute amount in units -> $/h: divide by this


def stub_filename(employee_id: str) -> str:
    """``paystub-<id>.html`` (the id made safe for a file name)."""
    return safe_filename(employee_id).replace("statement-", "paystub-", 1)


def exact(value: Fraction | Decimal | int | float, places: int = 6, least: int = 2) -> str:
    """A number to every decimal place it has (at least ``least``, at most ``places``, then "…"):
    ``28.825``, ``819.00``, ``0.291666…`` (``…``: more places follow). Thousands separated."""
    f = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    scaled = f * 10**places
    if scaled.denominator == 1:
        text = f"{Decimal(scaled.numerator).scaleb(-places):,.{places}f}"
        whole, _, frac = text.partition(".")
        frac = frac.rstrip("0").ljust(least, "0")
        return f"{whole}.{frac}" if frac else whole
    q = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)  # cut, not rounded: the … says more follow
    return f"{q:,.{places}f}…"


def usd(value) -> str:
    """Dollars, exactly: ``$28.825``, ``$1,234.50``, ``$0.291666…``."""
    text = exact(value)
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


def cents(value) -> str:
    """Dollars to the cent (a value already rounded): ``$1,234.50``."""
    return f"${Decimal(str(value)):,.2f}"


def hours_text(minutes: int) -> str:
    """``42.00 h`` where the minutes make a whole hundredth of an hour (a multiple of 3), else the
    decimal hours to six places and the hours:minutes they stand for: ``42.716666… h (42:43)``."""
    minutes = int(minutes)
    if minutes % 3 == 0:
        return f"{Decimal(minutes * 5 // 3).scaleb(-2):,.2f} h"
    return f"{exact(Fraction(minutes, MINUTES_PER_HOUR))} h ({minutes // 60:,}:{minutes % 60:02d})"


def rate_text(per_minute: int) -> str:
    """A per-minute amount in the engine's units as dollars an hour: ``$2.50/h``, ``$1.010945/h``."""
    return f"{usd(Fraction(int(per_minute), UNITS_PER_DOLLAR_HOUR))}/h"


def _label(component: str, differentials: Mapping[str, Any], holiday: Any = None) -> str:
    if component.startswith("differential:"):
        name = component.split(":", 1)[1]
        d = differentials.get(name)
        how = f" ({d.percent}% of the base rate)" if d is not None and getattr(d, "percent", None) is not None else ""
        return f"Differential: {name}{how}"
    if component == "holiday_premium" and holiday is not None:
        return f"Holiday premium ({Decimal(str(holiday.multiplier)) - 1} × the base rate)"
    return dict(COMPONENTS)[component]


def _week(line: Mapping, items: Sequence[Mapping], exact_line: Mapping, policy, partial: bool) -> tuple[str, str]:
    """(heading, HTML) of one workweek: hours, the lines table, and the overtime arithmetic."""
    start = date.fromisoformat(str(line["week_start"]))
    days = policy.overtime.period_days if policy.overtime is not None else 7
    end = start + timedelta(days=days - 1)
    heading = f"Workweek {start} ({start:%a}) to {end} ({end:%a})" + (" — partly outside this pay period" if partial else "")
    worked, on_call, overtime = (int(exact_line[k]) for k in ("worked_minutes", "on_call_minutes", "overtime_minutes"))
    body = (f'<p data-key="hours">Hours worked {esc(hours_text(worked))} · overtime hours {esc(hours_text(overtime))} · '
            f'on-call standby {esc(hours_text(on_call))} (not hours worked)</p>')
    differentials = {d.name: d for d in policy.differential}
    keys = ["base_pay", *[f"differential:{n}" for n in line.get("differential_pay", {})], "holiday_premium", "standby_pay",
            "callback_premium", "minimum_shift_pay", "overtime_premium"]
    rows, row_keys, classes = [], [], []
    for key in keys:
        paid = line["differential_pay"][key.split(":", 1)[1]] if key.startswith("differential:") else line.get(key)
        mine = [i for i in items if i["component"] == key]
        if paid is None or (not mine and not paid):
            continue
        label = _label(key, differentials, policy.holiday)
        for n, i in enumerate(mine):
            last = n == len(mine) - 1
            rows.append([label if n == 0 else "", hours_text(i["minutes"]), rate_text(i["per_minute"]),
                         usd(Fraction(int(i["amount"]), AMOUNT_PER_DOLLAR)), cents(paid) if last else ""])
            row_keys.append(f"item {key}" + (" component" if last else ""))
            classes.append("")
        if not mine:  # per shift (call-back, minimum shift) or the regular-rate premium: the line's own amount
            note = " (see below)" if key == "overtime_premium" and overtime else ""
            rows.append([label + note, "", "", "", cents(paid)])
            row_keys.append(f"component {key}")
            classes.append("")
    rows.append(["Gross pay (the sum of the amounts paid)", "", "", "", cents(line["gross_pay"])])
    row_keys.append("gross")
    classes.append("total")
    body += html_table("", ["Line", "Hours", "Rate", "Hours × rate", "Paid"], rows, ["", "", "", "exact", "rounded once"],
                       row_classes=classes, row_keys=row_keys)
    if overtime and policy.overtime is not None and policy.overtime.basis == "regular_rate":
        body += "<h3>Overtime: the regular-rate arithmetic</h3>" + _overtime(line, items, exact_line, policy)
    return heading, body


def _overtime(line: Mapping, items: Sequence[Mapping], exact_line: Mapping, policy) -> str:
    """The regular rate and the overtime premium, from the exact amounts the engine used."""
    def part(prefix: str) -> Fraction:
        return Fraction(sum(int(i["amount"]) for i in items if i["component"].startswith(prefix)), AMOUNT_PER_DOLLAR)

    base, diffs, standby = part("base_pay"), part("differential:"), part("standby_pay")
    regular = Fraction(int(exact_line["regular_rate_num"]), AMOUNT_PER_DOLLAR)
    worked, overtime = int(exact_line["worked_minutes"]), int(exact_line["overtime_minutes"])
    rate = regular * MINUTES_PER_HOUR / worked
    ot = policy.overtime
    if ot.tiered:  # a state's tiers: one term per tier that paid hours, at its own multiplier (docs/pay-rules.md)
        terms = [(Decimal(str(t.multiplier)) - 1, int(exact_line.get(f"ot:{t.name}", 0)), f" ({t.name})") for t in ot.tiers]
        terms = [term for term in terms if term[1]]
    else:
        terms = [(Decimal(str(ot.multiplier)) - 1, overtime, "")]
    premium = sum((Fraction(extra) * regular * minutes / worked for extra, minutes, _ in terms), Fraction(0))
    products = " + ".join(f"{extra} × {usd(rate)} × {hours_text(minutes)}{tier}" for extra, minutes, tier in terms)
    steps = [
        (f"Regular rate = (base pay {usd(base)} + differentials {usd(diffs)} + standby {usd(standby)}) ÷ {hours_text(worked)} "
         f"= {usd(regular)} ÷ {hours_text(worked)} = {usd(rate)} an hour", "regular-rate"),
        (f"Overtime premium = {products} = {usd(premium)}, rounded to {cents(line['overtime_premium'])}", "overtime"),
    ]
    if base + diffs + standby != regular:  # never: the three are the regular rate's numerator (docs/formats.md §3)
        raise AssertionError("the regular rate's parts do not add up")
    out = "".join(f'<p data-key="{key}">{esc(text)}</p>' for text, key in steps)
    return out + ('<p class="note">The regular rate is carried unrounded (shown to six places, "…" where more follow); the pay '
                  f'report shows it to four: ${line["regular_rate"]:,.4f}.</p>')


def pay_stub_html(employee_id: str, lines: Sequence[Mapping], items: Sequence[Mapping], exact_lines: Sequence[Mapping], policy,
                  record: Mapping | None = None, name: str | None = None, period: tuple[date | None, date | None, str] | None = None,
                  partial: frozenset[str] = frozenset()) -> str:
    """One employee's statement over the run's workweeks.

    ``lines``: their docs/formats.md §4 pay lines; ``items``: :func:`peerpay.core.explain.line_items`
    rows (dicts, ``week_start`` as ISO text); ``exact_lines``: the engine's line of each week (exact
    minutes and the regular rate's numerator), in the order of ``lines``; ``period``: (first day,
    last day, where it comes from) of the pay period, when known; ``partial``: week starts the
    period cuts.
    """
    total = sum(Decimal(str(x["gross_pay"])) for x in lines)
    by_week: dict[str, list] = {}
    for i in items:
        by_week.setdefault(str(i["week_start"]), []).append(i)
    sections = [_week(x, by_week.get(str(x["week_start"]), []), e, policy, str(x["week_start"]) in partial)
                for x, e in zip(lines, exact_lines)]
    sections.append(("Rules applied", definition_list(RULES)))
    who = f"{employee_id} — {name}" if name else str(employee_id)
    weeks = [date.fromisoformat(str(x["week_start"])) for x in lines]
    days = policy.overtime.period_days if policy.overtime is not None else 7
    span = f"{weeks[0]} to {weeks[-1] + timedelta(days=days - 1)}" if weeks else ""
    count = f"{len(lines)} workweek{'s' if len(lines) != 1 else ''}"
    if period is not None and (period[0] or period[1]):
        first, last, source = period
        headline = f"Gross pay {cents(total)} for the pay period {first or weeks[0]} to {last or span.split(' to ')[-1]}"
        sub = f"{source.removeprefix('pay period: ')}; " if source else ""
        subtitle = f"Pay period {first or weeks[0]} to {last or span.split(' to ')[-1]} ({sub}{count}: {span})."
    else:
        headline = f"Gross pay {cents(total)} for {count}, {span}"
        subtitle = f"{count.capitalize()}: {span}."
    subtitle += " Computed by peerpay from the timesheet and the pay policy named in the run record below."
    return fact_sheet_page(f"Pay statement: {who}", [headline], [(h, b) for h, b in sections], record, subtitle=subtitle)
