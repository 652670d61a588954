"""A CSV's shape, the one way every engine reads it, its error messages, and an early start on a big timesheet.

Nothing here imports pandas: :func:`prefetch` reads a large timesheet (and dictionary-encodes the
columns validation reads) on a thread while the program is still loading it.
:mod:`peerpay.io.readers` and the chunked and dask engines read every CSV through
:func:`csv_shape` (header, Excel's ``sep=,`` line, a blank tail), :func:`csv_options` and
:func:`read_csv_table` or the same options streamed, and refuse the same things
(:func:`check_field_sizes`, :func:`drop_blank_tail`, :func:`csv_error` naming the row), so a file
means the same rows whichever engine reads it (docs/input-rules.md, "One reader for every engine").
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
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


#: The first bytes of files that are not CSV text, and what to call them.
NOT_TEXT = (
    (b"PK\x03\x04", "is an Excel workbook (.xlsx), not CSV text: --partitions and --engine dask read CSV only, so save the "
                     "sheet as CSV UTF-8, or pay the workbook on the local engine (named .xlsx, not .csv)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an old-style Excel 97-2003 workbook (.xls), not CSV text: save it as .xlsx "
                                               "or as CSV UTF-8"),
    (b"\xff\xfe", "is UTF-16 text: save the CSV as UTF-8 (in Excel: CSV UTF-8)"),
    (b"\xfe\xff", "is UTF-16 text: save the CSV as UTF-8 (in Excel: CSV UTF-8)"),
)
#: Excel's first line naming the separator (``sep=,``): read past it; another separator is refused.
SEP_LINE = re.compile(r"^sep=(.?)$", re.IGNORECASE)
SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "pipes"}
#: A field longer than this is refused by every engine alike (a spreadsheet cell holds at most
#: 32,767 characters: a megabyte in one field is a damaged file or the wrong one).
MAX_FIELD_BYTES = 1 << 20
#: the block size of a second read when a row did not fit pyarrow's default 1 MB block
LARGE_BLOCK_BYTES = 64 << 20


#: the names the readers give a header's trailing blank columns (dropped once found empty)
BLANK_TAIL = "\x00blank column "


@dataclass(frozen=True)
class CsvShape:
    """A CSV's header, the lines before it (1 for Excel's ``sep=,`` line, else 0), and the number
    of blank names at the end of the header (Excel writes ``a,b,c,,`` when a formatted cell lies
    right of the data): those columns are read, must be empty, and are then left out, as a
    workbook's are (:mod:`.workbooks`). ``header``: the named columns."""

    header: list[str]
    skip: int = 0
    blank_tail: int = 0
    delimiter: str = ","
    skip_records: int = 0  # of the ``skip`` lines, those that are not empty (pyarrow numbers records, not lines)
    notes: tuple[str, ...] = ()
    encoding: str = "utf-8"  # a column map may name another (an Excel "CSV" saved on Windows is cp1252)

    @property
    def columns(self) -> list[str]:
        """Every column as the readers name it (the blank tail named :data:`BLANK_TAIL` N)."""
        return self.header + [f"{BLANK_TAIL}{i + 1}" for i in range(self.blank_tail)]


#: how far down a column map looks for its header, past a report's title lines
HEADER_SEARCH_LINES = 30


def csv_shape(path: Path, delimiter: str = ",", header_has: tuple[str, ...] = (), encoding: str = "utf-8") -> CsvShape:
    """The header of a CSV file; a file that is not CSV text is refused, saying what it is.

    ``delimiter``: the field separator (a column map may name another, ``;``). ``header_has``:
    canonical column names the header must hold (a column map's columns): when the first line
    lacks them and a later line among the first :data:`HEADER_SEARCH_LINES` has them all, the
    lines above it (a report's title and run date) are skipped, and a note says so.
    """
    with open(path, "rb") as fh:
        first = fh.read(1 << 20)
    for magic, what in NOT_TEXT:
        if first.startswith(magic):
            raise InputError.at(path, what)
    lines = re.split(rb"\r\n|\r|\n", first, maxsplit=HEADER_SEARCH_LINES + 1)  # LF, CRLF or CR-only line endings
    skip = 0
    sep = SEP_LINE.match(lines[0].decode(_codec(encoding), "replace").strip())
    if sep is not None:
        if sep.group(1) != delimiter:
            said = {",": "commas", **SEPARATORS}.get(sep.group(1), repr(sep.group(1)))
            raise InputError.at(path, f"its first line 'sep={sep.group(1)}' says it is separated by {said}, not "
                                f"{({',': 'commas', **SEPARATORS}).get(delimiter, repr(delimiter))} (save it as comma-separated "
                                "CSV UTF-8, or read it through a column map with delimiter = \"" + sep.group(1) + "\")")
        skip = 1
    notes: tuple[str, ...] = ()
    if header_has:
        found = _header_line(lines, skip, delimiter, header_has, encoding)
        if found is not None and found > skip:
            notes = (f"the header is on line {found + 1}: the {found - skip} line(s) above it (a report title?) were skipped",)
            skip = found
    line = _text_line(path, lines[skip] if len(lines) > skip else b"", encoding)
    header = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    if len(header) == 1:
        for sep_char, name in SEPARATORS.items():
            if sep_char in header[0] and sep_char != delimiter:
                raise InputError.at(path, f"the header is separated by {name}, not commas (save the file as comma-separated CSV, "
                                    f"or read it through a column map with delimiter = \"{sep_char}\")")
    tail = 0
    while tail < len(header) - 1 and not header[len(header) - 1 - tail].strip():
        tail += 1
    skipped_records = sum(1 for ln in lines[:skip] if ln.strip(b"\r\n"))
    return CsvShape(header[:len(header) - tail], skip, tail, delimiter, skipped_records, notes, encoding)


def _codec(encoding: str) -> str:
    """UTF-8 with its byte-order mark dropped, or the encoding a column map names."""
    return "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding


def _text_line(path, line_bytes: bytes, encoding: str = "utf-8") -> str:
    if b"\x00" in line_bytes:
        raise InputError.at(path, "is not a text file (it contains NUL bytes; UTF-16 or a binary file?)")
    try:
        return line_bytes.decode(_codec(encoding))
    except UnicodeDecodeError:
        raise InputError.at(path, "is not UTF-8 text (save the CSV as UTF-8; Latin-1/Windows-1252 bytes found; a column map "
                            "can name the encoding: encoding = \"cp1252\")") from None


def _header_line(lines: list[bytes], start: int, delimiter: str, wanted: tuple[str, ...], encoding: str = "utf-8") -> int | None:
    """The first line at or after ``start`` whose fields hold every ``wanted`` name (None: none)."""
    for i in range(start, min(len(lines) - 1, start + HEADER_SEARCH_LINES)):
        try:
            fields = next(csv.reader([lines[i].decode(_codec(encoding))], delimiter=delimiter), [])
        except (UnicodeDecodeError, csv.Error):
            continue
        if set(wanted) <= {canonical(f) for f in fields}:
            return i
    return None


def csv_header(path: Path) -> list[str]:
    return csv_shape(path).header


def csv_options(names: list[str], text: str = "string", newlines_in_values: bool = False, delimiter: str = ","):
    """Every column as ``text`` (``large_string`` for a table bound for pandas, which keeps text so).

    ``newlines_in_values``: a quoted field may hold a line break: on wherever the file has a quote
    after its header (:func:`data_has_quotes`), off otherwise (pyarrow then cuts the file into
    blocks at any line break, which is faster and, without quotes, right).
    """
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(column_types={n: text for n in names}, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False, null_values=[])
    return pacsv.ParseOptions(newlines_in_values=newlines_in_values, delimiter=delimiter), convert


def read_options(shape: CsvShape, **kw):
    """pyarrow's read options for a file of this shape (past Excel's ``sep=,`` line; with a blank
    tail, the columns named here and the header line skipped)."""
    import pyarrow.csv as pacsv

    if shape.encoding != "utf-8":
        kw["encoding"] = shape.encoding
    if shape.blank_tail:
        return pacsv.ReadOptions(skip_rows=shape.skip + 1, column_names=shape.columns, **kw)
    return pacsv.ReadOptions(skip_rows=shape.skip, **kw)


def drop_blank_tail(table, path, shape: CsvShape, first_row: int = 1):
    """The table without the header's blank tail columns, which must hold nothing but spaces:
    a value there is refused naming its row and column, as in a workbook."""
    if not shape.blank_tail:
        return table
    import pyarrow.compute as pc

    for i in range(shape.blank_tail):
        name = f"{BLANK_TAIL}{i + 1}"
        filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(table.column(name))), 0)
        if pc.any(filled).as_py():
            row = first_row + int(pc.index(filled, True).as_py())
            number = len(shape.header) + i + 1
            raise InputError.at(path, f"row {row} has a value in column {number}, which has no name in the header (the last "
                                f"named column is {number - i - 1}, {shape.header[-1]!r}): name that column in the header, or "
                                "delete the cells")
    return table.select(list(range(len(shape.header))))


def data_has_quotes(source, shape: CsvShape | None = None) -> bool:
    """Whether a quote character follows the header (``source``: a path, or the bytes of a block):
    only then can a field hold a line break. One scan of the file's bytes (milliseconds for 50 MB)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return b'"' in source
    import mmap

    with open(source, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start = 0
            for _ in range(1 + (shape.skip if shape is not None else 0)):  # past the header (and a sep= line)
                breaks = [i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0]
                start = min(breaks) + 1 if breaks else len(data)
            return data.find(b'"', start) >= 0


def read_csv_table(source, path, shape: CsvShape, text: str = "large_string", *, first_row: int = 1, block: bool = False,
                   quotes: bool | None = None):
    """A CSV (``source``: its path, or with ``block`` a buffer of whole rows without the header) as
    an Arrow table of text: the one way the local and dask engines read CSV text.

    * A quoted field may hold a line break (a note typed over two lines). pyarrow's fast read, which
      cuts the file into blocks at any line break, may then fail ("out of sync with chunker") or,
      worse, read other rows without a word (a note whose lines look like rows, across a block
      edge); so a file with a quote after its header (:func:`data_has_quotes`, ``quotes``) is read
      with quoted line breaks allowed, and a file without one, which cannot hold them, the fast way.
    * A row longer than pyarrow's 1 MB block is read again with larger blocks; a *field* longer
      than :data:`MAX_FIELD_BYTES` is then refused (:func:`check_field_sizes`), naming row and column.
    * Any other parse error names the data row (:func:`csv_error`).

    ``first_row``: the data row number of the first row of ``source`` (a block of a split file).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if quotes is None:
        quotes = data_has_quotes(source, shape)
    names = shape.columns
    error: Exception = ValueError("unreadable")
    for newlines, large in ((quotes, False), (True, False), (True, True)):
        parse, convert = csv_options(names, text, newlines, shape.delimiter)
        size = {"block_size": LARGE_BLOCK_BYTES} if large else {}
        coding = {"encoding": shape.encoding} if shape.encoding != "utf-8" else {}
        options = pacsv.ReadOptions(column_names=names, **size, **coding) if block else read_options(shape, **size)
        try:
            table = pacsv.read_csv(source, read_options=options, parse_options=parse, convert_options=convert)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            error = exc
            if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in str(exc):
                break
            if newlines and not large and "straddl" not in str(exc):
                break  # the error is the file's, not the block size's
            continue
        check_field_sizes(table, path, first_row)
        return drop_blank_tail(table, path, shape, first_row)
    raise csv_error(path, error, shape, source if block else None, first_row) from None


def check_field_sizes(table, path, first_row: int = 1) -> None:
    """Refuse a table holding a field longer than :data:`MAX_FIELD_BYTES`, naming its row and column.

    Why: one 10 MB cell would be copied by every step after the read, and the engines' readers
    differ in how long a row they take; with one limit checked after every read they all refuse
    the same files. Reads only the columns' offset buffers (milliseconds for a million rows)."""
    import numpy as np

    for name, column in zip(table.column_names, table.columns):
        chunks = column.chunks if hasattr(column, "chunks") else [column]
        at = 0
        for chunk in chunks:
            offsets = chunk.buffers()[1] if len(chunk) else None
            if offsets is not None:
                wide = str(chunk.type).startswith("large_")
                ends = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
                lengths = np.diff(ends)
                if lengths.max() > MAX_FIELD_BYTES:
                    row = first_row + at + int(lengths.argmax())
                    raise InputError.at(path, f"row {row}, column {canonical(name)} holds {lengths.max() / 1024**2:,.1f} MB of "
                                        f"text: refused (a field may hold at most {MAX_FIELD_BYTES // 1024**2} MB; a "
                                        "spreadsheet cell holds at most 32,767 characters): a damaged file, or the wrong one?")
            at += len(chunk)


def check_header(path, header: list[str]) -> list[str]:
    """The one header check of every engine: canonical names, none blank, none twice."""
    if not header or all(not canonical(h) for h in header):
        raise InputError.at(path, "no header row")
    cols = [canonical(h) for h in header]
    blank = [i + 1 for i, c in enumerate(cols) if not c]
    if blank:
        raise InputError.at(path, f"column {blank[0]} of the header has no name (name it, or delete the column)")
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise InputError.at(path, f"column(s) {', '.join(dupes)} appear more than once")
    return cols


def csv_error(path, exc: Exception, shape: CsvShape | None = None, block=None, first_row: int = 1) -> InputError:
    """pyarrow's parse error as a clerk's message naming the data row (the same from every engine).

    ``block``: the buffer that was read, when it was a block of rows without the header whose first
    row is data row ``first_row``; else the file at ``path`` is read again to find the row.
    """
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "invalid UTF8" in msg or isinstance(exc, UnicodeDecodeError):
        return InputError.at(path, f"is not UTF-8 text{_first_non_utf8(Path(path), shape)}: save the CSV as UTF-8 (or read it through a "
                             "column map that names its encoding, e.g. encoding = \"cp1252\")")
    if "straddl" in msg:
        return InputError.at(path, f"cannot be read as CSV: a row is longer than {LARGE_BLOCK_BYTES // 1024**2} MB "
                                   "(a damaged file, or the wrong one?)")
    m = re.search(r"Expected (\d+) columns?, got (\d+): ?(.*)", msg)
    if m:
        want, got, line = int(m.group(1)), int(m.group(2)), m.group(3)
        hint = ""
        if got == want + 1 and line.rstrip().endswith(","):
            hint = " (a trailing comma at the end of the data rows: remove it, or add a column name to the header)"
        elif got == 1 and want > 1:
            hint = " (a line of notes or totals below the data? delete it)"
        where = _bad_row(path, shape, block, first_row)
        return InputError.at(path, f"cannot be read as CSV: {where or 'a row'} has {got} field{'s' if got != 1 else ''} "
                                   f"but the header has {want}{hint}")
    return InputError.at(path, f"cannot be read as CSV: {msg}")


def _bad_row(path, shape: CsvShape | None, block, first_row: int) -> str:
    """'row R' (data rows, the header being row 0) of the first row whose field count is wrong, read
    again serially, which is how pyarrow knows its number ('' when it cannot be found)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        shape = shape or csv_shape(Path(path))
        found: list[int] = []

        def handler(row):
            found.append(row.number if row.number is not None else -1)
            return "error"

        names = shape.columns
        parse, convert = csv_options(names, "string", True, shape.delimiter)
        parse.invalid_row_handler = handler
        if block is not None:
            options = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=LARGE_BLOCK_BYTES,
                                        **({"encoding": shape.encoding} if shape.encoding != "utf-8" else {}))
        else:
            options = read_options(shape, use_threads=False, block_size=LARGE_BLOCK_BYTES)
        try:
            pacsv.read_csv(block if block is not None else path, read_options=options, parse_options=parse, convert_options=convert)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass
        if not found or found[0] < 0:
            return ""
        # pyarrow numbers the records it reads from 1, counting the lines it skipped and the header (none in a block)
        return f"row {found[0] - (0 if block is not None else shape.skip_records + 1) + first_row - 1}"
    except (OSError, InputError):
        return ""


def _first_non_utf8(path: Path, shape: CsvShape | None = None) -> str:
    """', row R, column C has other bytes (Latin-1 / Windows-1252?)' for the first such cell."""
    try:
        with open(path, "rb") as fh:
            lines = re.split(rb"\r\n|\r|\n", fh.read(max_input_bytes()))
        shape = shape or csv_shape(path)
        sep = shape.delimiter
        header = [canonical(h) for h in next(csv.reader([lines[shape.skip].decode("utf-8-sig", "replace")], delimiter=sep))]
        for number, line in enumerate(lines[shape.skip + 1:], 1):
            if not is_utf8(line):
                cells = line.split(sep.encode())
                col = next((i for i, c in enumerate(cells) if not is_utf8(c)), 0)
                name = header[col] if col < len(header) else f"#{col + 1}"
                return f": row {number}, column {name} has other bytes (Latin-1 / Windows-1252?)"
    except (OSError, StopIteration, csv.Error, InputError):
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

    def read():
        table = read_csv_table(real, real, csv_shape(Path(real)))
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
