"""Reading input files into raw tables (CONTRACT §1) and the policy TOML.

CSV is read with pyarrow (fast, and it parses ISO 8601 date-times natively); XLSX with
calamine when installed, else openpyxl (which uses defusedxml when installed, against XML
bombs). Column names are matched case-insensitively after trimming spaces; identifier-like
columns are always read as text so that ``007`` stays ``007``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..policy import Policy, loads_policy

TEXT_COLUMNS = ("employee_id", "role", "kind", "name", "employer", "title", "grade", "site", "step")
MAX_INPUT_BYTES = 2 * 1024**3  # above this the local engine refuses and points at --engine dask


def canonical(name) -> str:
    return str(name).strip().lower().lstrip("\ufeff")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (expected a header row)")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {path.stat().st_size / 1024**3:.1f} GB is more than the local engine reads at once")


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text (save the CSV as UTF-8)") from None
    return next(csv.reader(io.StringIO(line)), [])


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
    text_cols = {h: "string" for h in header if canonical(h) in TEXT_COLUMNS}
    try:
        return pd.read_csv(path, engine="pyarrow", dtype=text_cols, encoding="utf-8")
    except Exception:
        # pyarrow refuses ragged or oddly quoted files; the C parser reads them as text so that
        # the validators, not an exception, say what is wrong with each row.
        try:
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", on_bad_lines="error"
            )
        except UnicodeDecodeError:
            raise InputError(f"{path}: is not UTF-8 text (save the CSV as UTF-8)") from None
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputError(f"{path}: cannot be read as CSV: {str(exc).strip().splitlines()[-1]}") from None


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        import python_calamine  # noqa: F401

        engine = "calamine"
    except ImportError:
        engine = "openpyxl"
    try:
        return pd.read_excel(path, sheet_name=sheet or 0, engine=engine, dtype=object)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    except Exception as exc:  # not a zip, corrupt XML, ... : unreadable file, exit 1
        raise InputError(f"{path}: cannot be read as an Excel workbook ({type(exc).__name__})") from None


def read_policy(path: str | Path) -> Policy:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None
    try:
        return loads_policy(text)
    except ValueError as exc:
        lines = str(exc).splitlines()
        raise InputError(f"{path}: invalid policy:\n" + "\n".join(f"  {path}: {l}" for l in lines)) from None
