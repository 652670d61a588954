"""A CSV's header and the options every engine reads it with, and an early start on a big timesheet.

Nothing here imports pandas: :func:`prefetch` runs while the program is still loading it.
:mod:`peerpay.io.readers` and the chunked and dask engines read every CSV with
:func:`csv_options`, so a cell means the same text whichever engine reads it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import threading
from pathlib import Path

from ..errors import InputError

# The local engine holds a table in memory (about 20x the CSV's size at peak): above this it
# refuses with a clear message rather than risk running the machine out of memory. A month of
# shifts for a 1,000-person employer is about 2 MB. Override with PEERPAY_MAX_INPUT_MB.
MAX_INPUT_BYTES = 100 * 1024**2

#: Timesheets smaller than this are read when they are needed: starting a thread would cost more.
PREFETCH_BYTES = 4 * 1024**2


def canonical(name) -> str:
    return str(name).strip().lower().lstrip("\ufeff")


def max_input_bytes() -> int:
    env = os.environ.get("PEERPAY_MAX_INPUT_MB", "").strip()
    try:
        return int(float(env) * 1024**2) if env else MAX_INPUT_BYTES
    except ValueError:
        raise InputError(f"PEERPAY_MAX_INPUT_MB={env!r} is not a number of megabytes") from None


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




_EARLY: dict[str, tuple[tuple, threading.Thread, list]] = {}  # real path -> (file identity, reader, [table])


def _identity(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def prefetch(path: str) -> None:
    """Start reading the CSV timesheet ``path`` on a thread, to be taken by :func:`take_prefetched`.

    Why: ``peerpay pay`` spends its first half second loading pandas and its own modules, on one
    core; pyarrow's CSV reader releases the GIL, so a large timesheet can be read meanwhile on
    the other. The thread is started after pyarrow is loaded (no two threads ever import at once)
    and only reads: the table is handed over only if the file is still the same file, unchanged
    (device, inode, size, modification time); any failure is left for the ordinary read to report.
    """
    real = os.path.realpath(path)
    ident = _identity(real)
    if ident is None or real in _EARLY or not (PREFETCH_BYTES <= ident[2] <= max_input_bytes()):
        return
    import pyarrow.csv as pacsv

    got: list = []

    def read() -> None:
        try:
            parse, convert = csv_options(csv_header(Path(real)), "large_string")
            got.append(pacsv.read_csv(real, parse_options=parse, convert_options=convert))
        except Exception:  # the ordinary read reports it, with the clerk's message
            pass

    reader = threading.Thread(target=read, name="peerpay-prefetch", daemon=True)
    _EARLY[real] = (ident, reader, got)
    reader.start()


def take_prefetched(path: str | Path, header: list[str]):
    """The table :func:`prefetch` read from ``path`` (None: none, or the file has changed since).

    ``header``: the header the caller read; the early read used the same header, or the file changed.
    """
    real = os.path.realpath(path)
    entry = _EARLY.pop(real, None)
    if entry is None:
        return None
    ident, reader, got = entry
    reader.join()
    if not got or _identity(real) != ident or got[0].column_names != [*header]:
        return None
    return got[0]
