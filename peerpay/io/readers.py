"""Reading input files into raw tables (docs/formats.md §1) and the policy TOML.

Every engine reads through the functions here, so that a cell means the same thing whichever
engine pays it (docs/input-rules.md):

* CSV is read with pyarrow, **every cell as text**: only a truly empty cell is blank (``NA``,
  ``N/A``, ``null``, ``NaN`` are text that the validators judge), ``007`` stays ``007``, and a
  rate is parsed exactly from its digits, never through a float. The file's shape (header,
  Excel's ``sep=,`` line, a blank tail) is :func:`~peerpay.io.csvtext.csv_shape`'s, the read
  :func:`~peerpay.io.csvtext.read_csv_table`'s (local, dask) with the options the chunked
  engine's streaming reader uses too. CR-only line endings are read like LF.
* XLSX is read by :mod:`.workbooks` (openpyxl, with defusedxml against XML bombs): the first
  visible worksheet by its real extent, bombs refused before loading, cells as the text a CSV of
  the sheet would hold (:func:`cells_as_text`).
* :func:`check_header` is the one header check (blank or duplicated names, case-insensitive).

Column names are matched case-insensitively after trimming spaces.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd

from ..core.tables import remember_codes
from ..errors import InputError
from . import versions
from .csvtext import CsvShape, canonical, check_header, csv_shape, is_utf8, max_input_bytes, read_csv_table, take_prefetched

__all__ = ["canonical", "cells_as_text", "check_header", "read_csv_text", "read_policy", "read_table", "read_toml"]
from ..models.policy import Policy, loads_policy



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


def read_csv_text(path: Path, shape: CsvShape | None = None) -> pd.DataFrame:
    """A whole CSV, every cell as text ('' only for a truly empty cell); data rows from 0."""
    shape = csv_shape(path) if shape is None else shape
    # read early by ``peerpay pay`` (csvtext.prefetch), with the same options unless a column map gave others
    early = take_prefetched(path, shape.header) if (shape.delimiter, shape.encoding, shape.notes) == (",", "utf-8", ()) else None
    table = None
    if early is not None:
        table, encoded = early
        for name, codes in encoded.items():
            remember_codes(table.column(name), codes)
    if table is None:
        table = read_csv_table(path, path, shape)  # large_string: what pandas keeps, no cast of every column afterwards
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
def read_table(path: str | Path, sheet: str | None = None, keep_datetimes: bool = False, *, delimiter: str = ",",
               header_has: tuple[str, ...] = (), encoding: str = "utf-8") -> pd.DataFrame:
    """A CSV or XLSX file as a raw DataFrame of text cells with canonical column names (data rows from 0).

    ``keep_datetimes``: XLSX date/time cells stay Python date-times (a column map reads them as
    they are); every other cell is text as usual. ``delimiter``, ``encoding`` and ``header_has``
    (the columns a column map names: its header may sit below a report's title lines): see
    :func:`~peerpay.io.csvtext.csv_shape` and :func:`~peerpay.io.workbooks.read_xlsx`.
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .workbooks import read_xlsx

        df = read_xlsx(path, sheet, keep_datetimes, header_has)
    elif suffix in (".csv", ".txt", ""):
        df = _read_csv(path, delimiter, header_has, encoding)
    elif suffix in (".xls", ".xlsb", ".ods", ".numbers"):
        raise InputError.at(path, f"a {suffix} spreadsheet cannot be read: save it as .xlsx or as CSV UTF-8")
    else:
        raise InputError.at(path, f"unsupported file type {suffix!r} (use .csv or .xlsx)")
    attrs = dict(df.attrs)
    df.columns = check_header(path, list(df.columns))
    df = df.reset_index(drop=True)
    df.attrs.update(attrs)
    return df


def _read_csv(path: Path, delimiter: str = ",", header_has: tuple[str, ...] = (), encoding: str = "utf-8") -> pd.DataFrame:
    shape = csv_shape(path, delimiter, header_has, encoding)
    check_header(path, shape.header)
    df = read_csv_text(path, shape)
    df.attrs["notes"] = list(shape.notes)
    return df


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


def read_policy(path: str | Path) -> Policy:
    from .resources import with_minimum_wages  # the minimum wages a rate-dependent overtime tier needs (Nevada)

    return with_minimum_wages(read_toml(path, "policy", loads_policy))


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
