"""A CSV's header and the options every engine reads it with, and an early start on a big timesheet.

Nothing here imports pandas: :func:`prefetch` reads a large timesheet (and dictionary-encodes the
columns validation reads) on a thread while the program is still loading it.
:mod:`peerpay.io.readers` and the chunked and dask engines read every CSV with
:func:`csv_options`, so a cell means the same text whichever engine reads it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from ..errors import InputError
from . import early, knobs

# The local engine holds a table in memory (about 20x the CSV's size at peak): above this it
# refuses with a clear message rather than risk running the machine out of memory. A month of
# shifts for a 1,000-person employer is about 2 MB. Override with PEERPAY_MAX_INPUT_MB.
MAX_INPUT_BYTES = 100 * 1024**2

#: the timesheet columns validation reads through their distinct texts (core.tables.text_codes)
ENCODED_AHEAD = ("employee_id", "start", "end", "kind", "role", "rate")
#: Timesheets smaller than this are read when they are needed: starting a thread would cost more.
PREFETCH_BYTES = 4 * 1024**2


def canonical(name) -> str:
    return str(name).strip().lower().lstrip("\ufeff")


def max_input_bytes() -> int:
    """The local engine's limit: ``PEERPAY_MAX_INPUT_MB`` (checked: :mod:`.knobs`), else 100 MB."""
    mb = knobs.value("PEERPAY_MAX_INPUT_MB")
    return MAX_INPUT_BYTES if mb is None else max(1, int(mb * 1024**2))


def csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.read(1 << 20)
    first = re.split(rb"\r\n|\r|\n", first, maxsplit=1)[0]  # LF, CRLF or CR-only line endings
    if b"\x00" in first:
        raise InputError.at(path, "is not a text file (it contains NUL bytes; UTF-16 or a binary file?)")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.at(path, "is not UTF-8 text (save the CSV as UTF-8; Latin-1/Windows-1252 bytes found)") from None
    header = next(csv.reader(io.StringIO(line)), [])
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise InputError.at(path, f"the header is separated by {name}, not commas (save the file as comma-separated CSV)")
    return header


def csv_options(names: list[str], text: str = "string"):
    """Every column as ``text`` (``large_string`` for a table bound for pandas, which keeps text so)."""
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(column_types={n: text for n in names}, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False, null_values=[])
    return pacsv.ParseOptions(newlines_in_values=False), convert




def check_header(path, header: list[str]) -> list[str]:
    """The one header check of every engine: canonical names, none blank, none twice."""
    if not header or all(not canonical(h) for h in header):
        raise InputError.at(path, "no header row")
    cols = [canonical(h) for h in header]
    blank = [i + 1 for i, c in enumerate(cols) if not c]
    if blank:
        raise InputError.at(path, f"column {blank[0]} of the header has no name (name it, or delete the column; "
                         "a trailing comma at the end of the header line also makes one)")
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise InputError.at(path, f"column(s) {', '.join(dupes)} appear more than once")
    return cols


def csv_error(path, exc: Exception) -> InputError:
    """pyarrow's parse error as a clerk's message (the same from every engine)."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "invalid UTF8" in msg or isinstance(exc, UnicodeDecodeError):
        return InputError.at(path, f"is not UTF-8 text{_first_non_utf8(Path(path))}: save the CSV as UTF-8")
    m = re.search(r"Expected (\d+) columns?, got (\d+): ?(.*)", msg)
    if m:
        want, got, line = int(m.group(1)), int(m.group(2)), m.group(3)
        hint = ""
        if got == want + 1 and line.rstrip().endswith(","):
            hint = " (a trailing comma at the end of the data rows: remove it, or add a column name to the header)"
        return InputError.at(path, f"cannot be read as CSV: a row has {got} fields but the header has {want}{hint}")
    return InputError.at(path, f"cannot be read as CSV: {msg}")


def _first_non_utf8(path: Path) -> str:
    """', row R, column C has other bytes (Latin-1 / Windows-1252?)' for the first such cell."""
    try:
        with open(path, "rb") as fh:
            lines = re.split(rb"\r\n|\r|\n", fh.read(max_input_bytes()))
        header = [canonical(h) for h in next(csv.reader([lines[0].decode("utf-8-sig", "replace")]))]
        for number, line in enumerate(lines[1:], 1):
            if not is_utf8(line):
                cells = line.split(b",")
                col = next((i for i, c in enumerate(cells) if not is_utf8(c)), 0)
                name = header[col] if col < len(header) else f"#{col + 1}"
                return f": row {number}, column {name} has other bytes (Latin-1 / Windows-1252?)"
    except (OSError, StopIteration, csv.Error):
        pass
    return ""


def is_utf8(v: bytes | bytearray) -> bool:
    try:
        v.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def prefetch(path: str) -> None:
    """Start reading the CSV timesheet ``path`` on a thread, to be taken by :func:`take_prefetched`.

    Why: ``peerpay pay`` spends its first half second loading pandas and its own modules, on one
    core; pyarrow's CSV reader releases the GIL, so a large timesheet can be read meanwhile on
    the other. The thread is started after pyarrow is loaded (no two threads ever import at once)
    and only reads: the table is handed over only for the same file, unchanged (:mod:`.early`).
    """
    real = os.path.realpath(path)
    try:
        limit = max_input_bytes()
    except InputError:  # a bad PEERPAY_MAX_INPUT_MB: the ordinary read says so
        return
    if not os.path.isfile(real) or not PREFETCH_BYTES <= os.path.getsize(real) <= limit:
        return
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    def read():
        parse, convert = csv_options(csv_header(Path(real)), "large_string")
        table = pacsv.read_csv(real, parse_options=parse, convert_options=convert)
        # the columns validation reads through their distinct texts, encoded here too (outside the GIL)
        return table, {name: pc.dictionary_encode(table.column(name)) for name in table.column_names
                       if canonical(name) in ENCODED_AHEAD}

    early.begin(("read", real), real, read)


def take_prefetched(path: str | Path, header: list[str]):
    """What :func:`prefetch` read from ``path``: ``(table, {column: its dictionary encoding})``
    (None: nothing, or the file has changed since).

    ``header``: the header the caller read; the early read used the same header, or the file changed.
    """
    got = early.take(("read", os.path.realpath(path)))
    return None if got is None or got[0].column_names != [*header] else got
