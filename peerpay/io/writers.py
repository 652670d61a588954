"""Rendering reports and writing them safely.

Every file is written to a temporary file in the target folder and renamed into place, so a
failed or interrupted run never leaves a half-written report. Text cells that a spreadsheet
would execute (starting with ``= + - @``, tab or CR) are neutralised with a leading quote
(OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from tabulate import tabulate

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)  # a negative number is data, not a formula
            return value
        except ValueError:
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            col = out[c]
            risky = col.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)) if col.dtype == object \
                else col.str.startswith(FORMULA_PREFIXES).fillna(False)
            if risky.any():  # vectorised test; only the few risky cells go through Python
                out[c] = col.astype(object).where(~risky, col[risky].map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def atomic_write(path: str | Path, data: bytes | str, *, force: bool = True) -> None:
    """Write ``data`` to ``path`` via a temp file + rename; never clobber unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600: give the report the mode any other tool would
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file_mode(path: Path) -> int:
    """The mode ``open(path, "w")`` would leave: the existing file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def to_json(obj) -> str:
    """Pretty JSON; a long list of records (pay lines) is written one compact record per line.

    A year of pay lines is 200,000+ records: indenting every key would triple the file and the
    memory it takes to build, and one record per line still diffs and greps well.
    """
    if isinstance(obj, dict) and any(_is_long_records(v) for v in obj.values()):
        parts = []
        for key, value in obj.items():
            head = f"  {json.dumps(key, ensure_ascii=False)}: "
            if _is_long_records(value):
                rows = ",\n".join("    " + json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) for r in value)
                parts.append(head + "[\n" + rows + "\n  ]")
            else:
                parts.append(head + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  "))
        return "{\n" + ",\n".join(parts) + "\n}\n"
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _is_long_records(value) -> bool:
    return isinstance(value, list) and len(value) > 1000 and isinstance(value[0], dict)


def _fixed_places(x: np.ndarray) -> int | None:
    """2 or 4 when every value of a float column is a whole number of cents / ten-thousandths."""
    if len(x) == 0 or not np.all(np.isfinite(x)) or np.abs(x).max() >= 1e12:
        return None
    for places in (2, 4):
        scaled = x * 10**places
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return places
    return None


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text. Money-like float columns are written as exact fixed decimals ("880.00").

    Written by pyarrow's CSV writer (about 7x faster than pandas' on a year of pay lines);
    a float column whose values are all whole cents (or $0.0001) goes through an exact decimal
    cast so that the text never shows float noise.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    safe = safe_frame(frame)
    columns = {}
    for c in safe.columns:
        col = safe[c]
        if pd.api.types.is_float_dtype(col):
            x = col.to_numpy(dtype="float64")
            places = _fixed_places(x)
            arr = pa.array(x)
            columns[str(c)] = arr.cast(pa.decimal128(18, places)) if places else arr
        elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_integer_dtype(col):
            columns[str(c)] = pa.array(col.to_numpy())
        else:
            text = col.astype("string").to_numpy(dtype=object, na_value=None)
            columns[str(c)] = pa.array(text, type=pa.string())
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(columns))
    buf = io.BytesIO()
    pacsv.write_csv(pa.table(columns), buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return header.getvalue() + buf.getvalue().decode("utf-8").replace("\r\n", "\n")


def md_text(text) -> str:
    """Text safe inside a Markdown table cell or heading: ``|`` escaped, line breaks as spaces.

    A role, file name or reason that contains ``|`` would otherwise split its cell and shift
    every column after it; a newline would end the table (or the heading) early.
    """
    return " ".join(str(text).splitlines()).replace("|", "\\|")


def _md_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and header through :func:`md_text` (vectorised; numbers untouched)."""
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.map(lambda v: isinstance(v, str)) if col.dtype == object else col.notna()
            if text.any():
                s = col[text].astype(str)
                risky = s.str.contains(r"[|\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", regex=True)
                if risky.any():
                    out[c] = col.astype(object).where(~(text & risky.reindex(col.index, fill_value=False)),
                                                      s[risky].map(md_text))
    out.columns = [md_text(c) for c in out.columns]
    return out


def to_markdown(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    """GitHub Markdown table; ``options`` go to tabulate (e.g. ``colalign``). Text is escaped."""
    return tabulate(_md_frame(frame), headers="keys", tablefmt="github", showindex=False, floatfmt=floatfmt, **options) + "\n"


def to_table(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    return tabulate(frame, headers="keys", tablefmt="simple", showindex=False, floatfmt=floatfmt, **options) + "\n"


EXCEL_MAX_ROWS = 1_048_576  # rows in one worksheet (Excel 2007 and later), header row included


class TooBigForExcel(ValueError):
    """A table has more rows than one Excel worksheet holds."""


def to_xlsx(sheets: dict[str, pd.DataFrame], money_columns=(), percent_columns=(), notes: list[str] | None = None,
            images: dict[str, bytes] | None = None) -> bytes:
    """Workbook bytes: one sheet per table, currency/percent formats, frozen header row.

    ``percent_columns`` hold fractions (0.125 shows as 12.5%); ``images`` are PNGs, one sheet each.
    """
    for name, frame in sheets.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise TooBigForExcel(
                f"the {name!r} sheet would have {len(frame):,} rows, more than Excel's {EXCEL_MAX_ROWS:,} "
                "(header included): use --format csv"
            )
    buf = io.BytesIO()
    # Text stays text: no "http:", "mailto:" or "external:" cell becomes a live link, and no
    # "=..." cell a formula (cells are neutralised as well, for other spreadsheet programs).
    options = {"strings_to_urls": False, "strings_to_formulas": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        book = xl.book
        money = book.add_format({"num_format": "$#,##0.00"})
        pct = book.add_format({"num_format": "0.0%"})
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            safe = safe_frame(frame)
            safe.to_excel(xl, sheet_name=name[:31], index=False)
            ws = xl.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            for i, col in enumerate(safe.columns):
                width = min(max(len(str(col)), 10) + 2, 40)
                fmt = money if col in money_columns or str(col).startswith("differential:") else pct if col in percent_columns else None
                ws.set_column(i, i, width, fmt)
        for name, png in (images or {}).items():
            ws = book.add_worksheet(name[:31])
            ws.insert_image("A1", f"{name}.png", {"image_data": io.BytesIO(png)})
        if notes:
            ws = book.add_worksheet("notes")
            ws.set_column(0, 0, 110)
            for i, line in enumerate(notes):
                ws.write(i, 0, neutralise(line), bold if i == 0 else None)
    return buf.getvalue()
