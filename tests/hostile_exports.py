"""Realistic hostile exports for tests/test_hostile_exports.py, built at test time (nothing binary is committed).

Each builder writes one file the way a real producer does: a report server or template through
xlsxwriter or openpyxl, a workbook whose XML was edited afterwards (a stale ``<dimension>``), an
Excel "Save as CSV" with its ``sep=,`` line and ``,,,`` rows, a European export with semicolons
and decimal commas, a Kronos punch file with seconds. The arithmetic of what each should pay is
in the test that uses it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from conftest import SAMPLES

EXPORTS = SAMPLES / "exports"
PAYCHEX_HEADER = ["Worker ID", "Worker Name", "Job", "Pay Component", "Rate", "Hours", "Line Date", "Start Time"]
TIMECARD_HEADER = ["Employee ID", "Date", "Pay Code", "Amount", "In", "Out", "Job", "Wage"]
PUNCH_HEADER = ["Person Number", "Person Name", "Punch DTM", "Punch Type", "Pay Code", "Labor Level Job", "Wage Override"]


def csv_text(rows: list[list]) -> str:
    return "".join(",".join("" if v is None else str(v) for v in r) + "\n" for r in rows)


def stale_dimension_workbook(path: Path, rows: list[list], dimension: str) -> Path:
    """An openpyxl workbook whose ``<dimension ref>`` was then edited to a smaller range (a template's)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Shifts"
    for r in rows:
        ws.append(r)
    plain = path.with_name(path.stem + "-plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                assert n == 1
            dst.writestr(item, data)
    plain.unlink()
    return path


def chart_first_workbook(path: Path, rows: list[list], hidden_lookup: bool = False) -> Path:
    """xlsxwriter: a chart sheet as the first tab (a report's summary chart), optionally a hidden
    lookup sheet, then the data."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    chart_tab = wb.add_chartsheet("Chart")
    if hidden_lookup:
        lookup = wb.add_worksheet("Codes")
        lookup.write_row(0, 0, ["code", "meaning"])
        lookup.hide()
    data = wb.add_worksheet("Hours")
    for i, r in enumerate(rows):
        data.write_row(i, 0, r)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Hours!$D$2:$D${len(rows)}"})
    chart_tab.set_chart(chart)
    chart_tab.activate()
    wb.worksheets_objs.sort(key=lambda s: {"Chart": 0, "Codes": 1}.get(s.name, 2))  # tab order: chart, lookup, data
    wb.close()
    return path


def report_workbook(path: Path, header: list[str], rows: list[list], formulas: dict[int, str] | None = None,
                    title_rows: int = 2) -> Path:
    """openpyxl, as a report template writes it: title rows above the table, blank rows inside it,
    formula cells with no saved value (openpyxl never calculates), numbers and real dates."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Report"
    for i in range(title_rows):
        ws.append([f"Labor hours report line {i + 1}"])
    if title_rows:
        ws.append([])
    ws.append(header)
    for r, row in enumerate(rows):
        ws.append(row)
        if formulas and r in formulas:
            ws.cell(ws.max_row, header.index("Hours") + 1, formulas[r])
    wb.save(path)
    return path


def xlsxwriter_workbook(path: Path, header: list[str], rows: list[list], formats: dict[str, str] | None = None,
                        sheet: str = "Sheet1") -> Path:
    """xlsxwriter with real cell types: datetimes, times, numbers with number formats (``00000``, ``0.00E+00``)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    fmts = {name: wb.add_format({"num_format": f}) for name, f in (formats or {}).items()}
    dt_fmt = wb.add_format({"num_format": "mm/dd/yyyy hh:mm:ss"})
    time_fmt = wb.add_format({"num_format": "hh:mm AM/PM"})
    date_fmt = wb.add_format({"num_format": "mm/dd/yyyy"})
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            fmt = fmts.get(header[c]) if c < len(header) else None
            if v is None:
                continue
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, fmt or dt_fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt or date_fmt)
            elif isinstance(v, dt.time):
                ws.write_datetime(r, c, v, fmt or time_fmt)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v, fmt)
            else:
                ws.write_string(r, c, v, fmt)
    wb.close()
    return path


def shared_string_bomb(path: Path, cells: int, length: int) -> Path:
    """A small workbook whose one long shared string is used by many cells."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Shifts")
    ws.write_row(0, 0, ["employee_id", "start", "end", "notes"])
    note = "x" * length
    for r in range(1, cells + 1):
        ws.write_row(r, 0, ["E1", "2025-03-03 08:00", "2025-03-03 16:00", note])
    wb.close()
    return path


def map_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def shipped_map(vendor: str) -> Path:
    return EXPORTS / f"{vendor}.toml"


def shipped_map_with(folder: Path, vendor: str, extra: str) -> Path:
    """A shipped map with top-level keys added (``decimal_comma = true``, ``duplicates = "keep"``)."""
    text = shipped_map(vendor).read_text()
    head, sep, rest = text.partition("\n[")
    return map_file(folder, f"{vendor}-{len(extra)}.toml", head + "\n" + extra + "\n" + sep + rest)
