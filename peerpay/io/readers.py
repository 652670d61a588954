"""Reading input files into raw tables (docs/formats.md §1) and the policy TOML.

Every engine reads through the functions here, so that a cell means the same thing whichever
engine pays it (docs/input-rules.md):

* CSV is read with pyarrow, **every cell as text**: only a truly empty cell is blank (``NA``,
  ``N/A``, ``null``, ``NaN`` are text that the validators judge), ``007`` stays ``007``, and a
  rate is parsed exactly from its digits, never through a float. :func:`~peerpay.io.csvtext.csv_options` is the one
  set of options; :func:`read_csv_text` (local, dask) and the chunked engine's streaming
  reader use it. CR-only line endings are read like LF.
* XLSX is read with calamine when installed, else openpyxl (which uses defusedxml when
  installed, against XML bombs), after :func:`_check_workbook` has refused zip, XML, sheet-size
  and shared-string bombs from the zip's directory and the XML headers, before loading.
  Cells become the same text a CSV would hold (:func:`cells_as_text`).
* :func:`check_header` is the one header check (blank or duplicated names, case-insensitive).

Column names are matched case-insensitively after trimming spaces.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.tables import remember_codes
from ..errors import InputError
from . import versions
from .csvtext import is_utf8, canonical, check_header, csv_error, csv_header, csv_options, max_input_bytes, take_prefetched
from ..models.policy import Policy, loads_policy

TEXT_COLUMNS = ("employee_id", "role", "kind", "name", "employer", "title", "grade", "site", "step")
MAX_XLSX_EXPANSION = 100  # uncompressed / compressed size above this: a zip bomb
# A worksheet's declared or used range above this many cells is refused before loading: readers
# allocate the whole rectangle (one cell at XFD1048576 is 17 billion cells). 10 M cells is a
# 1-million-row, 10-column timesheet.
MAX_XLSX_CELLS = 10_000_000
MAX_SHARED_STRINGS = 5_000_000


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError.at(path, "no such file")
    if path.is_dir():
        raise InputError.at(path, "is a folder, not a file")
    if path.stat().st_size == 0:
        raise InputError.at(path, "the file is empty (expected a header row)")
    limit = max_input_bytes()
    if path.stat().st_size > limit:
        raise InputError.at(
            path, f"{path.stat().st_size / 1024**2:,.0f} MB is more than the local engine reads at once "
            f"({limit / 1024**2:,.0f} MB): stream it with `peerpay pay --partitions N`, split it by pay period, "
            "or raise the limit with PEERPAY_MAX_INPUT_MB if this machine has the memory (about 20x the file size)"
        )


def read_csv_text(path: Path, header: list[str] | None = None) -> pd.DataFrame:
    """A whole CSV, every cell as text ('' only for a truly empty cell); data rows from 0."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = csv_header(path) if header is None else header
    early = take_prefetched(path, header)  # read early by ``peerpay pay`` (csvtext.prefetch), same options
    table = None
    if early is not None:
        table, encoded = early
        for name, codes in encoded.items():
            remember_codes(table.column(name), codes)
    if table is None:
        parse, convert = csv_options(header, "large_string")  # what pandas keeps: no cast of every column afterwards
        try:
            table = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise csv_error(path, exc) from None
    df = table.to_pandas()
    _refuse_binary_columns(df, path)
    return cells_as_text(df)


def cells_as_text(df: pd.DataFrame, keep_datetimes: bool = False) -> pd.DataFrame:
    """Every cell as the text a CSV would hold: one representation for every reader and engine.

    ``None``/NaN (an empty XLSX cell) -> ''; a date-time -> ``YYYY-MM-DD HH:MM[:SS]``; a date ->
    ``YYYY-MM-DD`` (no time of day: a start or end is then rejected); a time -> ``HH:MM:SS``
    (no date: rejected); a whole float -> its integer (``7.0`` -> ``7``: an id typed as a
    number); other numbers -> their shortest exact repr. Text is kept exactly as written.

    A column pyarrow read as text (a CSV) stays arrow-backed ``str``: turning a million cells
    into Python strings costs more than validating them (:func:`peerpay.core.tables.text_codes`
    reads it without a copy). Other text columns are Python strings (``object``).
    """
    out = {}
    for c in df.columns:
        col = df[c]
        if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
            out[c] = col.fillna("") if col.hasnans else col
        elif pd.api.types.is_string_dtype(col) and not (col.dtype == object and not _all_text(col)):
            out[c] = col.fillna("").astype(object) if col.hasnans else col.astype(object)
        else:
            out[c] = col.map(_cell_text_keeping_datetimes if keep_datetimes else _cell_text).astype(object)
    return pd.DataFrame(out, index=df.index)


def _all_text(col: pd.Series) -> bool:
    return bool(col.map(lambda v: isinstance(v, str)).all())


def _cell_text_keeping_datetimes(v):
    import datetime as dt

    return v if isinstance(v, (dt.date, dt.time)) else _cell_text(v)


def _cell_text(v) -> str:
    import datetime as dt
    import math

    if v is None or isinstance(v, str):
        return v or ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if v is pd.NaT or (hasattr(pd, "isna") and pd.api.types.is_scalar(v) and pd.isna(v)):
        return ""
    if isinstance(v, (bytes, bytearray)):
        return v.decode("utf-8", "replace")
    return str(v)


@versions.pinned  # one version of the file, hashed as read (docs/faults.md)
def read_table(path: str | Path, sheet: str | None = None, keep_datetimes: bool = False) -> pd.DataFrame:
    """A CSV or XLSX file as a raw DataFrame of text cells with canonical column names (data rows from 0).

    ``keep_datetimes``: XLSX date/time cells stay Python date-times (a column map formats them
    with its own formats); every other cell is text as usual.
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        df = _read_xlsx(path, sheet, keep_datetimes)
    elif suffix in (".csv", ".txt", ""):
        df = _read_csv(path)
    else:
        raise InputError.at(path, f"unsupported file type {suffix!r} (use .csv or .xlsx)")
    notes = df.attrs.get("notes", [])
    df.columns = check_header(path, list(df.columns))
    df = df.reset_index(drop=True)
    df.attrs["notes"] = notes
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    header = csv_header(path)
    check_header(path, header)
    return read_csv_text(path, header)


def _check_workbook(path: Path) -> list[tuple[str, bool]]:
    """Refuse what is not a workbook, zip bombs, XML with a DTD (entity bombs), sheets whose used
    range is absurd and shared-string tables that claim more strings than fit; all from the zip
    directory and the XML, before any reader allocates anything. Returns (sheet name, hidden)."""
    if not zipfile.is_zipfile(path):
        raise InputError.at(path, "is not an Excel workbook (an .xlsx file is a zip archive; this one is not)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            packed = max(sum(i.compress_size for i in infos), 1)
            unpacked = sum(i.file_size for i in infos)
            if unpacked > max_input_bytes() or unpacked / packed > MAX_XLSX_EXPANSION and unpacked > 10 * 1024**2:
                raise InputError.at(path, f"unpacks to {unpacked / 1024**2:,.0f} MB: refused (a zip bomb, or too big for the local engine)")
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError.at(path, f"{info.filename} declares XML entities (an 'XML bomb'): refused")
                    if info.filename.startswith("xl/worksheets/"):
                        _check_sheet_size(path, zf, info)
                    elif info.filename == "xl/sharedStrings.xml":
                        _check_shared_strings(path, head, info.file_size)
            sheets = []
            if "xl/workbook.xml" in zf.namelist():
                with zf.open("xl/workbook.xml") as fh:
                    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", fh.read(1 << 20)):
                        name = re.search(rb'\bname="([^"]*)"', tag)
                        hidden = re.search(rb'\bstate="(hidden|veryHidden)"', tag) is not None
                        if name:
                            sheets.append((_xml_text(name.group(1)), hidden))
            return sheets
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError.at(path, f"is a damaged Excel workbook ({type(exc).__name__})") from None


def _xml_text(raw: bytes) -> str:
    from html import unescape

    return unescape(raw.decode("utf-8", "replace"))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_sheet_size(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """The used range (declared ``<dimension>`` and the cells actually present) must be sane."""
    last_row = last_col = 0
    with zf.open(info) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for m in re.finditer(rb'<(?:\w+:)?(?:dimension|c)\b[^>]*?\br(?:ef)?="(?:[A-Z]+\d+:)?\$?([A-Z]{1,4})\$?(\d{1,9})"', data):
                last_col = max(last_col, _column_number(m.group(1)))
                last_row = max(last_row, int(m.group(2)))
            tail = data[-256:]
    if last_row * last_col > MAX_XLSX_CELLS:
        raise InputError.at(
            path, f"{info.filename} spans {last_row:,} rows x {last_col:,} columns ({last_row * last_col:,} cells): refused "
            f"(more than {MAX_XLSX_CELLS:,} cells; a stray cell far down or right? delete it, or save the sheet as CSV)"
        )


def _check_shared_strings(path: Path, head: bytes, size: int) -> None:
    """A shared-string table whose declared count does not fit its size is a memory bomb."""
    m = re.search(rb'\buniqueCount="(\d+)"', head) or re.search(rb'\bcount="(\d+)"', head)
    if not m:
        return
    count = int(m.group(1))
    # every string takes at least "<si><t/></si>" (12 bytes) of XML
    if count > MAX_SHARED_STRINGS or count * 12 > size + 4096:
        raise InputError.at(path, f"xl/sharedStrings.xml declares {count:,} strings in {size:,} bytes: refused (a damaged or hostile workbook)")


def _refuse_binary_columns(df: pd.DataFrame, path: Path) -> None:
    """pyarrow hands back raw bytes for a column that is not valid UTF-8: say where, and stop."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        s = df[col].dropna()
        if len(s) and isinstance(s.iloc[0], (bytes, bytearray)):
            bad = next((i for i, v in s.items() if isinstance(v, (bytes, bytearray)) and not is_utf8(v)), s.index[0])
            raise InputError.at(
                path, f"is not UTF-8 text: row {int(bad) + 1}, column {canonical(col)} has other bytes "
                "(Latin-1 / Windows-1252?): save the CSV as UTF-8"
            )


def _read_xlsx(path: Path, sheet: str | None, keep_datetimes: bool = False) -> pd.DataFrame:
    """One sheet as text cells (:func:`cells_as_text`); the header is the first row.

    Without ``--sheet`` the first *visible* sheet is read (a hidden first sheet is usually
    a lookup table) and a note says so. A start/end pair that are both whole days (no time of
    day in either cell: 2025-03-06 to 2025-03-07) is read as dates, so the row is rejected as
    having no time of day instead of being paid as a 24-hour shift; a whole-day cell next to a
    cell with a time is midnight.
    """
    sheets = _check_workbook(path)
    names = [n for n, _ in sheets]
    notes = []
    if sheet is not None and names and sheet not in names:
        raise InputError.at(path, f"no sheet named {sheet!r} (sheets: {', '.join(names)})")
    if sheet is None and sheets:
        visible = [n for n, hidden in sheets if not hidden]
        if not visible:
            raise InputError.at(path, "every sheet is hidden: give --sheet NAME")
        sheet = visible[0]
        if sheets[0][1]:
            notes.append(f"the first sheet {sheets[0][0]!r} is hidden: read the first visible sheet {sheet!r}")
    try:
        rows = _sheet_rows(path, sheet)
    except MemoryError:
        raise
    except InputError:
        raise
    except Exception as exc:  # not a zip, corrupt XML, ... : unreadable file, exit 1
        raise InputError.at(path, f"cannot be read as an Excel workbook ({type(exc).__name__})") from None
    rows = [r for r in rows if any(v is not None and v != "" for v in r)]
    if not rows:
        raise InputError.at(path, "the sheet is empty (expected a header row)")
    header = [_cell_text(v) for v in rows[0]]
    while header and not header[-1].strip():  # trailing empty header cells of a ragged sheet
        header.pop()
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r[:width])) for r in rows[1:]]
    check_header(path, header)
    df = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header, dtype=object)
    if any(len(r) > width and any(v not in (None, "") for v in r[width:]) for r in rows[1:]):
        raise InputError.at(path, "a row has cells to the right of the last named column: name that column or delete the cells")
    df = _whole_day_pairs(df)
    df = cells_as_text(df, keep_datetimes)
    df.attrs["notes"] = notes
    return df


def _sheet_rows(path: Path, sheet: str | None) -> list[list]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
            return [list(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    book = CalamineWorkbook.from_path(str(path))
    found = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
    return found.to_python(skip_empty_area=False)


def _whole_day_pairs(df: pd.DataFrame) -> pd.DataFrame:
    """Whole-day start/end cells -> dates when the row's other end is a whole day too, else midnight."""
    import datetime as dt

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


def read_policy(path: str | Path) -> Policy:
    return read_toml(path, "policy", loads_policy)


#: A policy, proposal or map is a page of text; anything bigger is the wrong file.
MAX_TOML_BYTES = 1024**2


@versions.pinned
def read_toml(path: str | Path, what: str, loads):
    """Read a TOML file (policy, proposal, on-costs, map) through its ``loads``; a ValueError from
    it becomes an :class:`InputError` listing every problem as ``path: problem``.

    Only a regular file of at most 1 MB is read: ``/dev/zero`` or a named pipe would hang the run,
    and a file that is deeply nested (``a=[[[[...``) would exhaust Python's recursion limit.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError.at(path, "no such file") from None
    except OSError as exc:
        raise InputError.at(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError.at(path, f"is a folder, not a {what} file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError.at(path, f"is not a regular file (a device or a pipe?): give the {what} TOML file")
    if st.st_size > MAX_TOML_BYTES:
        raise InputError.at(path, f"{st.st_size / 1024**2:,.1f} MB is too big for a {what} file (at most 1 MB): is it the right file?")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.at(path, "is not UTF-8 text") from None
    if len(raw) > MAX_TOML_BYTES:  # grew while we looked
        raise InputError.at(path, f"is too big for a {what} file (at most 1 MB)")
    try:
        return loads(text)
    except RecursionError:
        raise InputError.at(path, f"invalid {what}: nested too deeply to read") from None
    except ValueError as exc:
        lines = str(exc).splitlines()
        raise InputError.at(path, f"invalid {what}", lines) from None
