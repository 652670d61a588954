"""The cost workbook's finishing (``peerpay cost --format xlsx``): totals a steward can edit, formats.

:func:`peerpay.io.writers.to_xlsx` writes each table; :func:`finish` then

* rewrites every TOTAL line (and "over the status quo") as ``=SUM(...)`` of the cells above it,
  with the report's figure as the cached value, so a steward who edits a line sees the total
  move. These are the workbook's only formulas: they are written here, cell by cell, by
  ``write_formula``; any text from the inputs (a proposal's name, a role) went through the
  writer as text (``strings_to_formulas`` off, formula-looking text neutralised) and stays text;
* gives every figure its number format: money ``$#,##0.00``, rates ``$0.00##``, percent points
  ``0.00 "%"`` (the report's percents are points: 3.0 = 3 %), cents, hours, counts; on "side by
  side", whose measures are rows, the format goes by the row's measure.
"""

from __future__ import annotations


import pandas as pd

from ..core.costing.frames import OVER_STATUS_QUO

#: number format per kind of cost figure
FORMATS = {"money": "$#,##0.00", "rate": "$#,##0.00##", "points": '0.00" %"', "cents": '#,##0.00"¢"',
           "hours": "#,##0.00", "count": "#,##0", "number": "0.0"}
MONEY = {"wages", "on_costs", "total", "wages_cash", "on_costs_cash", "lump_sums", "certification_bonus",
         "wages_cash_excl_lump_sums", "cash_cost", "run_rate", "per_fte", "median_before", "median_after",
         "run_rate_per_point", "term_cash_cost", "annual_pay", "retro_pay"}
COUNTS = {"employees", "step", "year"}
#: columns summed on a TOTAL line
ADDITIVE = {"wages_cash", "on_costs_cash", "lump_sums", "certification_bonus", "wages_cash_excl_lump_sums", "cash_cost",
            "run_rate", "employees", "annual_hours", "fte", "wages", "on_costs", "total"}


def column_kind(column: str) -> str | None:
    """The kind of a cost table's column, from its name."""
    c = str(column)
    if c in MONEY or "($" in c or c.endswith("_cash") or "($/yr" in c:
        return "rate" if "($/h)" in c else "money"
    if c == "points_closed":
        return "number"
    if c.endswith("_pct") or "(%" in c or "% over" in c or c.endswith("_pct_of_payroll") or c == "percent":
        return "points"
    if c == "rate" or "$/h" in c:
        return "rate"
    if c == "cents_per_hour":
        return "cents"
    if c in ("annual_hours", "fte"):
        return "hours"
    if c in COUNTS:
        return "count"
    return None


def measure_kind(label: str) -> str:
    """A side-by-side row's kind, from its measure label (core.costing.frames.measure_kind, workbook names)."""
    from ..core.costing import measure_kind as kind

    return {"percent": "points", "cents": "cents", "rate": "rate"}.get(kind(label), "money")


def _col(i: int) -> str:
    """A 0-based column number as its spreadsheet letters: 0 -> A, 27 -> AB."""
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def finish(book, worksheets: dict, frames: dict[str, pd.DataFrame]) -> None:
    """SUM formulas on the TOTAL lines and number formats on every figure (see the module docstring)."""
    formats = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
    bold = {k: book.add_format({"num_format": f, "bold": True, "top": 1}) for k, f in FORMATS.items()}
    for name, ws in worksheets.items():
        frame = frames[name]
        if name == "side by side":
            _by_rows(ws, frame, formats)
            continue
        kinds = [column_kind(c) for c in frame.columns]
        totals = _total_rows(name, frame)
        for r, values in enumerate(frame.itertuples(index=False), 1):
            span = totals.get(r - 1)
            for i, (col, v, k) in enumerate(zip(frame.columns, values, kinds)):
                if k is None or not _number(v):
                    continue
                fmt = (bold if span else formats)[k]
                if span and (str(col) in ADDITIVE or (name == "items" and k == "money")):
                    lo, hi = span
                    cells = f"{_col(i)}{lo + 2}:{_col(i)}{hi + 2}"
                    ws.write_formula(r, i, f"=SUM({cells})", fmt, float(v))
                else:
                    ws.write_number(r, i, float(v), fmt)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v)


def _total_rows(name: str, frame: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Row position of each TOTAL line -> (first, last) row position of the lines it adds up."""
    out: dict[int, tuple[int, int]] = {}
    if name in ("by year and role", "baseline") and "role" in frame:
        start = 0
        for i, role in enumerate(frame["role"]):
            if role == "TOTAL":
                if i > start:
                    out[i] = (start, i - 1)
                start = i + 1
    elif name == "items" and "item" in frame:
        start = 0
        for i, item in enumerate(frame["item"]):
            if item == "TOTAL":
                out[i] = (start, i - 1)
            elif item == OVER_STATUS_QUO:
                out[i] = (start + 1, i - 2)  # the rows after the status quo's, before TOTAL
                start = i + 1
    return out


def _by_rows(ws, frame: pd.DataFrame, formats: dict) -> None:
    """"Side by side": each row formatted by its measure (money, percent points, cents, rates)."""
    for r, values in enumerate(frame.itertuples(index=False), 1):
        kind = measure_kind(str(values[0]))
        for i, v in enumerate(values[1:], 1):
            if _number(v):
                ws.write_number(r, i, float(v), formats[kind])
