"""Reading input files into raw tables (CONTRACT §1) and the policy TOML.

CSV is read with pyarrow (fast, and it parses ISO 8601 date-times natively); XLSX with
calamine when installed, else openpyxl (which uses defusedxml when installed, against XML
bombs). Column names are matched case-insensitively after trimming spaces; identifier-like
columns are always read as text so that ``007`` stays ``007``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..policy import Policy, loads_policy

TEXT_COLUMNS = ("employee_id", "role", "kind", "name", "employer", "title", "grade", "site", "step")
# The local engine holds a table in memory (about 20x the CSV's size at peak): above this it
# refuses with a clear message rather than risk running the machine out of memory. A month of
# shifts for a 1,000-person employer is about 2 MB. Override with PEERPAY_MAX_INPUT_MB.
MAX_INPUT_BYTES = 100 * 1024**2
MAX_XLSX_EXPANSION = 100  # uncompressed / compressed size above this: a zip bomb


def canonical(name) -> str:
    return str(name).strip().lower().lstrip("\ufeff")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (expected a header row)")
    limit = max_input_bytes()
    if path.stat().st_size > limit:
        raise InputError(
            f"{path}: {path.stat().st_size / 1024**2:,.0f} MB is more than the local engine reads at once "
            f"({limit / 1024**2:,.0f} MB): stream it with `peerpay pay --partitions N`, split it by pay period, "
            "or raise the limit with PEERPAY_MAX_INPUT_MB if this machine has the memory (about 20x the file size)"
        )


def max_input_bytes() -> int:
    env = os.environ.get("PEERPAY_MAX_INPUT_MB", "").strip()
    try:
        return int(float(env) * 1024**2) if env else MAX_INPUT_BYTES
    except ValueError:
        raise InputError(f"PEERPAY_MAX_INPUT_MB={env!r} is not a number of megabytes") from None


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    if b"\x00" in first:
        raise InputError(f"{path}: is not a text file (it contains NUL bytes; UTF-16 or a binary file?)")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text (save the CSV as UTF-8; Latin-1/Windows-1252 bytes found)") from None
    header = next(csv.reader(io.StringIO(line)), [])
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise InputError(f"{path}: the header is separated by {name}, not commas (save the file as comma-separated CSV)")
    return header


def read_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or XLSX file as a raw DataFrame with canonical column names (data rows from 0)."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        df = _read_xlsx(path, sheet)
    elif suffix in (".csv", ".txt", ""):
        df = _read_csv(path)
    else:
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)")
    cols = [canonical(c) for c in df.columns]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise InputError(f"{path}: column(s) {', '.join(dupes)} appear more than once")
    df.columns = cols
    return df.reset_index(drop=True)


def _read_csv(path: Path) -> pd.DataFrame:
    header = _csv_header(path)
    if not header or all(not h.strip() for h in header):
        raise InputError(f"{path}: no header row")
    cols = [canonical(h) for h in header]
    dupes = sorted({c for c in cols if cols.count(c) > 1 and c})
    if dupes:
        raise InputError(f"{path}: column(s) {', '.join(dupes)} appear more than once")
    text_cols = {h: "string" for h in header if canonical(h) in TEXT_COLUMNS}
    try:
        df = pd.read_csv(path, engine="pyarrow", dtype=text_cols, encoding="utf-8")
    except Exception:
        df = None
    if df is not None:
        _refuse_binary_columns(df, path)
        return df
    # pyarrow refuses ragged or oddly quoted files; the C parser reads them as text so that
    # the validators, not an exception, say what is wrong with each row.
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", on_bad_lines="error")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text (save the CSV as UTF-8)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as CSV: {str(exc).strip().splitlines()[-1]}") from None


def _check_workbook(path: Path) -> list[str]:
    """Refuse what is not a workbook, zip bombs and XML with a DTD (entity bombs); return sheet names."""
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: is not an Excel workbook (an .xlsx file is a zip archive; this one is not)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            packed = max(sum(i.compress_size for i in infos), 1)
            unpacked = sum(i.file_size for i in infos)
            if unpacked > max_input_bytes() or unpacked / packed > MAX_XLSX_EXPANSION and unpacked > 10 * 1024**2:
                raise InputError(f"{path}: unpacks to {unpacked / 1024**2:,.0f} MB: refused (a zip bomb, or too big for the local engine)")
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError(f"{path}: {info.filename} declares XML entities (an 'XML bomb'): refused")
            names = []
            if "xl/workbook.xml" in zf.namelist():
                with zf.open("xl/workbook.xml") as fh:
                    names = re.findall(rb'<sheet\b[^>]*\bname="([^"]*)"', fh.read(1 << 20))
            return [n.decode("utf-8", "replace") for n in names]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{path}: is a damaged Excel workbook ({type(exc).__name__})") from None


def _refuse_binary_columns(df: pd.DataFrame, path: Path) -> None:
    """pyarrow hands back raw bytes for a column that is not valid UTF-8: say where, and stop."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        s = df[col].dropna()
        if len(s) and isinstance(s.iloc[0], (bytes, bytearray)):
            bad = next((i for i, v in s.items() if isinstance(v, (bytes, bytearray)) and not _utf8(v)), s.index[0])
            raise InputError(
                f"{path}: is not UTF-8 text: row {int(bad) + 1}, column {canonical(col)} has other bytes "
                "(Latin-1 / Windows-1252?): save the CSV as UTF-8"
            )


def _utf8(v: bytes) -> bool:
    try:
        v.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    sheets = _check_workbook(path)
    if sheet is not None and sheets and sheet not in sheets:
        raise InputError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(sheets)})")
    try:
        import python_calamine  # noqa: F401

        engine = "calamine"
    except ImportError:
        engine = "openpyxl"
    try:
        df = pd.read_excel(path, sheet_name=sheet or 0, engine=engine, dtype=object)
    except ValueError as exc:
        raise InputError(f"{path}: {str(exc).splitlines()[0] if str(exc) else 'cannot be read'}") from None
    except MemoryError:
        raise
    except Exception as exc:  # not a zip, corrupt XML, ... : unreadable file, exit 1
        raise InputError(f"{path}: cannot be read as an Excel workbook ({type(exc).__name__})") from None
    if len(df.columns) == 0:
        raise InputError(f"{path}: the sheet is empty (expected a header row)")
    return df


def read_policy(path: str | Path) -> Policy:
    return read_toml(path, "policy", loads_policy)


#: A policy, proposal or map is a page of text; anything bigger is the wrong file.
MAX_TOML_BYTES = 1024**2


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
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a {what} file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: is not a regular file (a device or a pipe?): give the {what} TOML file")
    if st.st_size > MAX_TOML_BYTES:
        raise InputError(f"{path}: {st.st_size / 1024**2:,.1f} MB is too big for a {what} file (at most 1 MB): is it the right file?")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None
    if len(raw) > MAX_TOML_BYTES:  # grew while we looked
        raise InputError(f"{path}: is too big for a {what} file (at most 1 MB)")
    try:
        return loads(text)
    except RecursionError:
        raise InputError(f"{path}: invalid {what}: nested too deeply to read") from None
    except ValueError as exc:
        lines = str(exc).splitlines()
        raise InputError(f"{path}: invalid {what}:\n" + "\n".join(f"  {path}: {l}" for l in lines)) from None
