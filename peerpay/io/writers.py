"""Rendering reports and writing them safely.

Every file is written to a temporary file in the target folder and renamed into place, so a
failed or interrupted run never leaves a half-written report. Text cells that a spreadsheet
would execute (starting with ``= + - @``, tab or CR) are neutralised with a leading quote
(OWASP "CSV injection").
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

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
            out[c] = out[c].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def atomic_write(path: str | Path, data: bytes | str, *, force: bool = True) -> None:
    """Write ``data`` to ``path`` via a temp file + rename; never clobber unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
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


def to_json(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def to_markdown(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    """GitHub Markdown table; ``options`` go to tabulate (e.g. ``colalign``)."""
    return tabulate(frame, headers="keys", tablefmt="github", showindex=False, floatfmt=floatfmt, **options) + "\n"


def to_table(frame: pd.DataFrame, floatfmt=",.2f", **options) -> str:
    return tabulate(frame, headers="keys", tablefmt="simple", showindex=False, floatfmt=floatfmt, **options) + "\n"


def to_xlsx(sheets: dict[str, pd.DataFrame], money_columns=(), percent_columns=(), notes: list[str] | None = None,
            images: dict[str, bytes] | None = None) -> bytes:
    """Workbook bytes: one sheet per table, currency/percent formats, frozen header row.

    ``percent_columns`` hold fractions (0.125 shows as 12.5%); ``images`` are PNGs, one sheet each.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
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
