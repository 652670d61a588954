"""One sheet of an XLSX workbook, read as the rows the same sheet saved as CSV would hold.

Every rule here makes a workbook mean what its CSV would mean (docs/input-rules.md, "XLSX
workbooks"):

* **Which sheet.** ``--sheet NAME``, else the first *visible worksheet*: a chart sheet (a tab that
  is only a chart) and a hidden sheet (usually a lookup table) are passed over, with a note.
* **Its real extent.** The cells the sheet's XML holds, never its ``<dimension>`` tag: report
  writers and templates leave a stale one (``A1:D3`` over 6 rows and 5 columns), and Excel ignores
  it. openpyxl's read-only reader trusts the tag unless told not to (``reset_dimensions``).
* **Cells as Excel shows them.** A whole number whose format pads it with zeros (``00000``: the id
  ``42`` shown ``00042``) is the text shown, as Excel's *Save as CSV* writes it, and each such
  cell is listed (``padded``) so that an id column can be warned about by row. Date-times are
  rounded to the second (Excel stores them as fractions of a day: 08:00 may come back as
  07:59:59.9995); a time with seconds is then rejected like the same text in a CSV.
* **Blank rows** inside the data keep their place (so the rows after them keep the numbers the
  clerk sees) and are skipped by the validators like a CSV's ``,,,`` lines; blank rows above the
  header and below the data are not rows at all.
* **Bounded memory.** Before loading: zip bombs, XML entity declarations, absurd used ranges and
  shared-string tables that claim more strings than they hold are refused from the zip directory
  and the XML headers. While reading: a cell longer than :data:`~.csvtext.MAX_FIELD_BYTES`, or
  cells that add up to more text than the largest CSV the local engine reads (one shared string
  of a megabyte used by 2,000 cells is 2 GB once every cell is its own text), are refused saying
  what is too large.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .csvtext import MAX_FIELD_BYTES, canonical, check_header, max_input_bytes

MAX_XLSX_EXPANSION = 100  # uncompressed / compressed size above this: a zip bomb
# A worksheet's declared or used range above this many cells is refused before loading: readers
# allocate the whole rectangle (one cell at XFD1048576 is 17 billion cells). 10 M cells is a
# 1-million-row, 10-column timesheet.
MAX_XLSX_CELLS = 10_000_000
MAX_SHARED_STRINGS = 5_000_000
EXCEL_CELL_CHARS = 32_767  # the most text Excel itself puts in a cell
#: a number format that only pads a whole number with zeros (``00000``), perhaps with quoted text around it
PADDING_FORMAT = re.compile(r'^(?:"[^"]*")?(0{2,})(?:"[^"]*")?$')
SHEET_KINDS = {"worksheet": "worksheet", "chartsheet": "chart sheet", "dialogsheet": "dialog sheet",
               "xlMacrosheet": "macro sheet", "xlIntlMacrosheet": "macro sheet"}


@dataclass(frozen=True)
class Sheet:
    """One tab of a workbook, as its ``xl/workbook.xml`` and relationships describe it."""

    name: str
    hidden: bool
    kind: str = "worksheet"  # or "chart sheet", "dialog sheet", "macro sheet"
    part: str = ""  # its XML in the zip (xl/worksheets/sheet1.xml)
    uncalculated: int = 0  # formula cells with no saved value (read as blank)


def check_workbook(path: Path) -> list[Sheet]:
    """Refuse what is not a workbook, zip bombs, XML with a DTD (entity bombs), sheets whose used
    range is absurd and shared-string tables that claim more strings than fit; all from the zip
    directory and the XML, before any reader allocates anything. Returns the workbook's tabs in order."""
    if not zipfile.is_zipfile(path):
        raise InputError.at(path, "is not an Excel workbook (an .xlsx file is a zip archive; this one is not)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            packed = max(sum(i.compress_size for i in infos), 1)
            unpacked = sum(i.file_size for i in infos)
            if unpacked > max_input_bytes() or unpacked / packed > MAX_XLSX_EXPANSION and unpacked > 10 * 1024**2:
                raise InputError.at(path, f"unpacks to {unpacked / 1024**2:,.0f} MB: refused (a zip bomb, or too big for the local engine)")
            uncalculated: dict[str, int] = {}
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError.at(path, f"{info.filename} declares XML entities (an 'XML bomb'): refused")
                    if info.filename.startswith("xl/worksheets/"):
                        uncalculated[info.filename] = _check_sheet_size(path, zf, info)
                    elif info.filename == "xl/sharedStrings.xml":
                        _check_shared_strings(path, head, info.file_size)
            return [Sheet(s.name, s.hidden, s.kind, s.part, uncalculated.get(s.part, 0)) for s in _sheets(zf)]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError.at(path, f"is a damaged Excel workbook ({type(exc).__name__})") from None


def _sheets(zf: zipfile.ZipFile) -> list[Sheet]:
    """The tabs in order: name, hidden or not, and kind (through ``xl/_rels/workbook.xml.rels``)."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        return []
    kinds: dict[str, str] = {}
    parts: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        with zf.open("xl/_rels/workbook.xml.rels") as fh:
            for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", fh.read(1 << 20)):
                rid = re.search(rb'\bId="([^"]*)"', tag)
                typed = re.search(rb'\bType="[^"]*/([A-Za-z]+)"', tag)
                target = re.search(rb'\bTarget="([^"]*)"', tag)
                if rid and typed:
                    key = rid.group(1).decode("utf-8", "replace")
                    kinds[key] = typed.group(1).decode("ascii", "replace")
                    if target:
                        where = _xml_text(target.group(1))
                        parts[key] = where.lstrip("/") if where.startswith("/") else "xl/" + where
    out = []
    with zf.open("xl/workbook.xml") as fh:
        for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", fh.read(1 << 20)):
            name = re.search(rb'\bname="([^"]*)"', tag)
            if not name:
                continue
            hidden = re.search(rb'\bstate="(hidden|veryHidden)"', tag) is not None
            rid = re.search(rb'\b(?:\w+:)?id="([^"]*)"', tag)
            key = rid.group(1).decode("utf-8", "replace") if rid is not None else ""
            kind = kinds.get(key, "worksheet")
            out.append(Sheet(_xml_text(name.group(1)), hidden, SHEET_KINDS.get(kind, kind), parts.get(key, "")))
    return out


def choose_sheet(path: Path, sheets: list[Sheet], wanted: str | None) -> tuple[str | None, list[str]]:
    """The sheet to read and the notes that say why: ``wanted``, else the first visible worksheet."""
    name, notes = _choose_sheet(path, sheets, wanted)
    chosen = next((s for s in sheets if s.name == name), None)
    if chosen is not None and chosen.uncalculated:
        notes.append(f"{chosen.uncalculated} formula cell(s) of sheet {chosen.name!r} have no saved value (the workbook was "
                     "written by a program and never calculated): they read as blank; open it in Excel and save it, or "
                     "export the values")
    return name, notes


def _choose_sheet(path: Path, sheets: list[Sheet], wanted: str | None) -> tuple[str | None, list[str]]:
    if not sheets:
        return wanted, []
    if wanted is not None:
        found = next((s for s in sheets if s.name == wanted), None) or next(
            (s for s in sheets if s.name.strip().lower() == wanted.strip().lower()), None)
        if found is None:
            raise InputError.at(path, f"no sheet named {wanted!r} (sheets: {', '.join(s.name for s in sheets)})")
        if found.kind != "worksheet":
            raise InputError.at(path, f"sheet {found.name!r} is a {found.kind}, not a table of cells: name a worksheet with --sheet")
        return found.name, []
    readable = [s for s in sheets if s.kind == "worksheet" and not s.hidden]
    if not readable:
        if any(s.kind == "worksheet" for s in sheets):
            raise InputError.at(path, "every worksheet is hidden: give --sheet NAME")
        raise InputError.at(path, "has no worksheet (only chart or macro sheets): nothing to read")
    chosen = readable[0]
    passed = sheets[:sheets.index(chosen)]
    notes = []
    if passed:
        why = ", ".join(f"{s.name!r} is {'a hidden ' + s.kind if s.hidden else 'a ' + s.kind}" for s in passed)
        notes.append(f"read the first visible worksheet {chosen.name!r} ({why}); --sheet NAME picks another")
    return chosen.name, notes


def _xml_text(raw: bytes) -> str:
    from html import unescape

    return unescape(raw.decode("utf-8", "replace"))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA: a column as the spreadsheet names it."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


#: a formula cell with no saved value: a workbook written by a program and never calculated
UNCALCULATED = re.compile(rb"<(?:\w+:)?c\b[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")


def _check_sheet_size(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The used range (declared ``<dimension>`` and the cells actually present) must be sane.
    Returns the number of formula cells without a saved value."""
    last_row = last_col = uncalculated = 0
    with zf.open(info) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for m in re.finditer(rb'<(?:\w+:)?(?:dimension|c)\b[^>]*?\br(?:ef)?="(?:[A-Z]+\d+:)?\$?([A-Z]{1,4})\$?(\d{1,9})"', data):
                last_col = max(last_col, _column_number(m.group(1)))
                last_row = max(last_row, int(m.group(2)))
            uncalculated += len(UNCALCULATED.findall(chunk))
            tail = data[-256:]
    if last_row * last_col > MAX_XLSX_CELLS:
        raise InputError.at(
            path, f"{info.filename} spans {last_row:,} rows x {last_col:,} columns ({last_row * last_col:,} cells): refused "
            f"(more than {MAX_XLSX_CELLS:,} cells; a stray cell far down or right? delete it, or save the sheet as CSV)"
        )
    return uncalculated


def _check_shared_strings(path: Path, head: bytes, size: int) -> None:
    """A shared-string table whose declared count does not fit its size is a memory bomb."""
    m = re.search(rb'\buniqueCount="(\d+)"', head) or re.search(rb'\bcount="(\d+)"', head)
    if not m:
        return
    count = int(m.group(1))
    # every string takes at least "<si><t/></si>" (12 bytes) of XML
    if count > MAX_SHARED_STRINGS or count * 12 > size + 4096:
        raise InputError.at(path, f"xl/sharedStrings.xml declares {count:,} strings in {size:,} bytes: refused (a damaged or hostile workbook)")


#: how far down a column map looks for its header, past a report's title rows
HEADER_SEARCH_ROWS = 30


def read_xlsx(path: Path, sheet: str | None, keep_datetimes: bool = False, header_has: tuple[str, ...] = ()) -> pd.DataFrame:
    """One sheet as text cells (:func:`~.readers.cells_as_text`); the header is its first non-blank
    row, or with ``header_has`` (a column map's columns) the first of the first 30 that holds them
    all (a report server writes a title and a run date above the table).

    A start/end pair that are both whole days (no time of day in either cell: 2025-03-06 to
    2025-03-07) is read as dates, so the row is rejected as having no time of day instead of
    being paid as a 24-hour shift; a whole-day cell next to a cell with a time is midnight.

    ``attrs``: ``notes`` (which sheet was read, and why) and ``padded`` (canonical column ->
    data rows whose whole number was shown with padding zeros and is read as shown).
    """
    from .readers import cells_as_text

    sheets = check_workbook(path)
    name, notes = choose_sheet(path, sheets, sheet)
    rows, padded = _read_rows(path, name)
    if sheet is None and header_has and _header_row(rows, header_has) is None:
        # a column map names its columns: the first visible worksheet that holds them (a cover sheet passed over)
        for other in (s for s in sheets if s.kind == "worksheet" and not s.hidden and s.name != name):
            other_rows, other_padded = _read_rows(path, other.name)
            if _header_row(other_rows, header_has) is not None:
                notes = [f"read worksheet {other.name!r}, the first that holds the map's columns (not {name!r}); "
                         "--sheet NAME picks another"] + choose_sheet(path, sheets, other.name)[1]
                name, rows, padded = other.name, other_rows, other_padded
                break
    filled = [i for i, r in enumerate(rows) if any(v is not None and v != "" for v in r)]
    if not filled:
        raise InputError.at(path, "the sheet is empty (expected a header row)")
    top, bottom = filled[0], filled[-1]  # blank rows above the header and below the data are no rows
    if header_has:
        found = _header_row(rows, header_has)
        if found is not None and found != top:
            notes.append("the rows above the header (a report title?) were skipped")
            top = found
    if top:
        notes.append(f"the header is on spreadsheet row {top + 1}: rows are numbered from it (row 1 is spreadsheet row {top + 2})")
    header = [_text(v) for v in rows[top]]
    while header and not header[-1].strip():  # trailing empty header cells of a ragged sheet
        header.pop()
    width = len(header)
    check_header(path, header)
    body_rows = rows[top + 1:bottom + 1]
    for i, r in enumerate(body_rows, 1):
        extra = [j for j in range(width, len(r)) if r[j] not in (None, "")]
        if extra:
            raise InputError.at(path, f"row {i} has a value in column {column_letters(extra[0] + 1)}, to the right of the last named "
                                f"column ({column_letters(width)}, {header[-1]!r}): name that column in the header, or delete the cells")
    body = [list(r[:width]) + [None] * (width - len(r[:width])) for r in body_rows]
    df = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header, dtype=object)
    df = _whole_day_pairs(df)
    df = cells_as_text(df, keep_datetimes)
    df.attrs["notes"] = notes
    df.attrs["padded"] = {canonical(header[c]): np.array([r - top for r, cc in padded if cc == c], dtype="int64")
                          for c in sorted({c for _, c in padded}) if c < width}
    return df


def _read_rows(path: Path, name: str | None) -> tuple[list[list], list[tuple[int, int]]]:
    try:
        return _sheet_rows(path, name)
    except (MemoryError, InputError):
        raise
    except Exception as exc:  # corrupt XML, a part missing, ... : unreadable file, exit 1
        raise InputError.at(path, f"cannot be read as an Excel workbook ({type(exc).__name__})") from None


def _header_row(rows: list[list], wanted: tuple[str, ...]) -> int | None:
    """The first of the first :data:`HEADER_SEARCH_ROWS` non-blank rows holding every ``wanted`` name."""
    filled = [i for i, r in enumerate(rows) if any(v is not None and v != "" for v in r)]
    return next((i for i in filled[:HEADER_SEARCH_ROWS] if set(wanted) <= {canonical(_text(v)) for v in rows[i]}), None)


def _sheet_rows(path: Path, sheet: str | None) -> tuple[list[list], list[tuple[int, int]]]:
    """The sheet's cells, row by row (0-based), as values (see the module docstring), and the
    (row, column) of every zero-padded whole number read as its text."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        ws.reset_dimensions()  # the cells the XML holds, never a stale <dimension> tag
        limit = max_input_bytes()
        total = 0
        shared: dict[int, list] = {}  # long strings: id -> [length, uses] (a shared string is one object)
        rows: list[list] = []
        padded: list[tuple[int, int]] = []
        for r, cells in enumerate(ws.iter_rows()):
            values: list = []
            for c, cell in enumerate(cells):
                v = cell.value
                if v is None:
                    values.append(None)
                    continue
                kind = type(v)
                if kind is str:
                    n = len(v)
                    total += n
                    if n > 4096:
                        _check_long_cell(path, v, r, c, shared)
                    if total > limit:
                        raise InputError.at(path, _too_much_text(total, limit, shared))
                elif kind is int or kind is float:
                    if float(v).is_integer() and 0 <= v < 1e15:
                        fmt = PADDING_FORMAT.match(cell.number_format or "")
                        if fmt is not None and len(str(int(v))) < len(fmt.group(1)):
                            v = str(int(v)).zfill(len(fmt.group(1)))
                            padded.append((r, c))
                elif kind is dt.datetime or kind is dt.time:
                    v = _to_the_second(v)
                values.append(v)
            rows.append(values)
        return rows, padded
    finally:
        wb.close()


def _check_long_cell(path: Path, v: str, r: int, c: int, shared: dict[int, list]) -> None:
    """A long text cell: refused above the field limit, else counted (a shared string is one object)."""
    size = len(v.encode("utf-8")) if len(v) > EXCEL_CELL_CHARS else 0
    if size > MAX_FIELD_BYTES:
        raise InputError.at(path, f"cell {column_letters(c + 1)}{r + 1} holds {size / 1024**2:,.1f} MB of text: refused (a "
                            f"field may hold at most {MAX_FIELD_BYTES // 1024**2} MB; Excel's own cells hold at most "
                            f"{EXCEL_CELL_CHARS:,} characters): a damaged or hostile workbook")
    entry = shared.setdefault(id(v), [len(v), 0])
    entry[1] += 1


def _too_much_text(total: int, limit: int, shared: dict[int, list]) -> str:
    most = max(shared.values(), key=lambda e: e[0] * e[1], default=None)
    why = (f"; one string of {most[0] / 1024:,.0f} K characters is used by {most[1]:,} cells" if most and most[1] > 1 else "")
    return (f"its cells hold more than {limit / 1024**2:,.0f} MB of text{why}: refused (more than the local engine reads; "
            "a damaged or hostile workbook?)")


def _to_the_second(v):
    """A date-time or time rounded to the nearest second (Excel keeps them as fractions of a day)."""
    if not v.microsecond:
        return v
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0) + dt.timedelta(seconds=1 if v.microsecond >= 500_000 else 0)
    whole = dt.datetime.combine(dt.date(2000, 1, 1), v.replace(microsecond=0))
    whole += dt.timedelta(seconds=1 if v.microsecond >= 500_000 else 0)
    return whole.time() if whole.date() == dt.date(2000, 1, 1) else dt.time(23, 59, 59)


def _text(v) -> str:
    from .readers import _cell_text

    return _cell_text(v)


def _whole_day_pairs(df: pd.DataFrame) -> pd.DataFrame:
    """Whole-day start/end cells -> dates when the row's other end is a whole day too, else midnight."""
    cols = {canonical(c): c for c in df.columns}
    if "start" not in cols or "end" not in cols:
        return df.map(lambda v: dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v) if len(df) else df

    def whole(v):
        return type(v) is dt.date or (isinstance(v, dt.datetime) and v.time() == dt.time() and v.year > 1900)

    s, e = df[cols["start"]], df[cols["end"]]
    both = s.map(whole).to_numpy(dtype=bool) & e.map(whole).to_numpy(dtype=bool)
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v
    midnight = lambda v: dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v
    df = df.map(midnight)
    df[cols["start"]] = np.where(both, s.map(as_date), df[cols["start"]])
    df[cols["end"]] = np.where(both, e.map(as_date), df[cols["end"]])
    return df
