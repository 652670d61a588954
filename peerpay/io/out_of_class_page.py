"""Out-of-class hours by role on paper: one flat table (every format), the gap CSV's columns, and
the fact sheet's sentence and section (docs/out-of-class.md, "In the gap report").

The figures come from :mod:`peerpay.core.out_of_class_roles` (internal or published); nothing is
recomputed here. A group's row is followed by one row per duty role; a band reads "22–25".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

#: the flat table's columns (JSON keys of a group row; a duty role's keys are mapped onto them)
COLUMNS = ["role", "duty_role", "status", "n", "people_out_of_class", "hours_worked", "out_of_class_hours", "out_of_class_pct",
           "median_out_of_class_hours", "median_out_of_class_pct", "paid_at_duty_rate_hours", "unpaid_out_of_class_hours"]
KINDS = {"hours_worked": "hours", "out_of_class_hours": "hours", "median_out_of_class_hours": "hours", "paid_at_duty_rate_hours": "hours",
         "unpaid_out_of_class_hours": "hours", "n": "count", "people_out_of_class": "count"}
#: a duty role's keys -> the flat table's columns
CELL_KEYS = {"people": "people_out_of_class", "hours": "out_of_class_hours", "pct": "out_of_class_pct",
             "median_hours": "median_out_of_class_hours"}
ALL_DUTIES = "(all)"
TITLE = "Out-of-class work: hours in another class's duty role"


def band_text(pair: Sequence) -> str:
    return f"{pair[0]:g}–{pair[1]:g}"


def _value(row: Mapping, key: str):
    """A figure, its band as text, or "withheld" in the median column of a withheld group."""
    if row.get(f"{key}_band") is not None:
        return band_text(row[f"{key}_band"])
    if row.get(key) is None and row.get("suppressed") and key == "median_out_of_class_hours":
        return "withheld"
    return row.get(key)


def flat_rows(section: Mapping) -> list[dict]:
    """The groups and, under each, its duty roles, as rows of :data:`COLUMNS`."""
    out = []
    for r in section["roles"]:
        out.append({c: _value(r, c) for c in COLUMNS if c not in ("duty_role",)} | {"duty_role": ALL_DUTIES})
        for cell in r.get("by_duty_role", []):
            row = {"role": r["role"], "duty_role": cell["duty_role"]}
            for k, col in CELL_KEYS.items():
                row[col] = _value(cell, k)
            out.append(row)
    return out


def role_frame(section: Mapping, text: bool = False) -> pd.DataFrame:
    """:func:`flat_rows` as a table, without the columns no row fills; ``text``: every figure as
    it is shown (hours to 2 places, percentages to 1, counts whole; a missing one None)."""
    rows = flat_rows(section)
    cols = [c for c in COLUMNS if c in ("role", "duty_role") or any(r.get(c) is not None for r in rows)]
    shown = (lambda r, c: _cell(r, c) or None) if text else (lambda r, c: r.get(c))
    return pd.DataFrame([{c: shown(r, c) for c in cols} for r in rows], columns=cols).astype(object).pipe(lambda f: f.where(f.notna(), None))


def csv_columns(section: Mapping) -> dict[str, dict]:
    """role -> the out-of-class keys added to its row of the gap CSV (a band as "22–25"; a duty
    role's hours as ``out_of_class_hours:<duty role>``)."""
    out = {}
    for r in section["roles"]:
        row = {("out_of_class_status" if c == "status" else c): _value(r, c) for c in COLUMNS[2:] if c != "n"}
        if "status" not in r:
            row.pop("out_of_class_status")
        for cell in r.get("by_duty_role", []):
            row[f"out_of_class_hours:{cell['duty_role']}"] = _value(cell, "hours") if cell.get("hours") is not None \
                else _value(cell, "median_hours")
        out[r["role"]] = {k: v for k, v in row.items() if v is not None or k.startswith("out_of_class_hours:")}
    return out


def headline(section: Mapping, peer_role: str, label=lambda r: r.replace("_", " ")) -> str | None:
    """The fact sheet's sentence about the peer group (None when it is withheld or absent)."""
    peer = next((r for r in section["roles"] if r["role"] == peer_role), None)
    if peer is None or peer.get("suppressed"):
        return None
    who = label(peer_role)
    if peer.get("people_out_of_class") == 0:
        return f"No out-of-class work by {who}s is recorded here."
    duties = "; ".join(f"{cell['duty_role'].replace('_', ' ')} {_hours_words(cell)}" for cell in peer.get("by_duty_role", []))
    if peer.get("median_out_of_class_hours_band"):
        pct = peer.get("median_out_of_class_pct_band")
        share = f", {band_text(pct)} % of their hours worked" if pct else ""
        return (f"The median {who} who did another class's work spent {band_text(peer['median_out_of_class_hours_band'])} "
                f"hours on it{share}" + (f" ({duties})" if duties else "") + ".")
    return (f"{who.capitalize()}s worked {peer['out_of_class_hours']:,.2f} hours in another class's work, {peer['out_of_class_pct']:g} % "
            f"of their hours worked" + (f" ({duties})" if duties else "") + ".")


def _hours_words(cell: Mapping) -> str:
    if cell.get("hours") is not None:
        return f"{cell['hours']:,.2f} h"
    return f"median {band_text(cell['median_hours_band'])} h a person"


#: the fact sheet's headers and units
HEADS = {"role": ("Role", ""), "duty_role": ("Duty role", ""), "status": ("Published", ""), "n": ("Employees", "n"),
         "people_out_of_class": ("People", "n"), "hours_worked": ("Hours worked", "h"), "out_of_class_hours": ("Out of class", "h"),
         "out_of_class_pct": ("Share of hours", "%"), "median_out_of_class_hours": ("Median person", "h"),
         "median_out_of_class_pct": ("Median person's share", "%"), "paid_at_duty_rate_hours": ("At the duty rate", "h"),
         "unpaid_out_of_class_hours": ("Unpaid", "h")}


def section_html(report: Mapping, label) -> tuple[str | None, str]:
    """(the headline sentence, the section's HTML) for a gap report carrying ``out_of_class``."""
    from .html import definition_list, html_table, paragraphs

    section = report["out_of_class"]
    cols = list(role_frame(section).columns)
    rows = [[label(str(r["role"])), *(_cell(r, c, html=True) for c in cols[1:])] for r in flat_rows(section)]
    table = html_table("By role, and by the duty role whose work it was", [HEADS[c][0] for c in cols], rows,
                       [HEADS[c][1] for c in cols], stack=True)
    defs = definition_list([(HEADS[k][0] if k in HEADS else k, v) for k, v in section["definitions"].items()])
    return headline(section, report["peer_role"], label), table + paragraphs(section["notes"]) + "<h3>Definitions</h3>" + defs


def _cell(row: Mapping, key: str, html: bool = False) -> str:
    v = row.get(key)
    if v is None:
        return ""
    if key == "duty_role" and html:
        return "all duty roles" if v == ALL_DUTIES else str(v).replace("_", " ")
    if isinstance(v, float) and "hours" in key:
        return f"{v:,.2f}"
    if isinstance(v, float) and key.endswith("_pct"):
        return f"{v:.1f}"
    return str(v)
