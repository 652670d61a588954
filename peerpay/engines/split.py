"""Byte ranges of one big CSV, so that several workers can read it at once with exact row numbers.

A rejection must still read ``file:row:column`` with the row the local engine would name: the
1-based data row, counting the rows pyarrow reads (an empty line is no row). So one cheap pass
over the bytes cuts the data (everything after the header line) into blocks that start and end
at line starts, and counts each block's rows; a block's first row is 1 + the rows of the blocks
before it. Line endings may be LF, CRLF or CR alone, as the readers accept them.

Splitting at line starts is only right when every line break ends a row. A quoted field may
hold a line break (a note typed over two lines); then the file is read whole, as the local
engine reads it. The check is strict: every line that holds a quote must be a complete row of
well-formed fields (``"..."`` with ``""`` inside, or no quote at all); anything else — a quote
left open at the end of a line, a stray quote inside a field — also means "read it whole".

Worked example (``PEERPAY_BLOCK_BYTES=40``)::

    employee_id,start,end\\r\\n                      header: blocks start after it (byte 23)
    E1,2025-03-03 08:00,2025-03-03 16:00\\r\\n       row 1  } block 1 (bytes 23-61)
    \\r\\n                                           empty: no row
    E2,2025-03-03 08:00,2025-03-03 16:00\\r\\n       row 2  } block 2 starts here: first row 2
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io.csvtext import csv_shape
from ..io import knobs

BLOCK_BYTES = 16 << 20  # per block: start-up per block is noise, and a 50 MB file (1 M shifts) spreads over 4
BLOCK_ENV = "PEERPAY_BLOCK_BYTES"  # tests split small files into several blocks with it
#: A file is cut into at most this many blocks (or, above 1 GB, as many as the default 16 MB
#: blocks make), whatever the block size asked for: each block is a dask partition and a shuffle
#: input, so a tiny block size on a big file (one byte: 50 million partitions) would cost minutes
#: and gigabytes of scheduling before any row is paid.
MAX_BLOCKS = 64
CR, LF, QUOTE = 13, 10, 34
# a complete CSV row: fields with no quote, or wholly quoted ("" for a quote inside), and its line end
WELL_FORMED_ROW = r'^(?:[^",\r\n]*|"(?:[^"]|"")*")(?:,(?:[^",\r\n]*|"(?:[^"]|"")*"))*(?:\r\n|\r|\n)?$'


@dataclass(frozen=True)
class Block:
    """Bytes ``[start, end)`` of the file holding data rows ``first_row`` .. ``first_row + rows - 1``."""

    start: int
    end: int
    first_row: int
    rows: int


def block_bytes(given: int | None = None) -> int:
    """The block size: ``given``, else ``PEERPAY_BLOCK_BYTES`` (checked: :mod:`peerpay.io.knobs`), else 16 MB."""
    if given:
        return int(given)
    env = knobs.value(BLOCK_ENV)
    return BLOCK_BYTES if env is None else int(env)


def csv_blocks(path: Path, size: int | None = None) -> list[Block] | None:
    """The file's data cut into blocks of about ``size`` bytes, or None: read it whole.

    None when the data fits one block, when there is no data row, or when a line break may lie
    inside a quoted field (see the module docstring).
    """
    total = path.stat().st_size
    skip = csv_shape(path).skip  # Excel's "sep=," line before the header
    most = max(MAX_BLOCKS, -(-total // BLOCK_BYTES))  # blocks: at most 64, or what 16 MB blocks make of a bigger file
    size = max(block_bytes(size), -(-total // most))
    with open(path, "rb") as fh:
        data_start = _next_line_start(fh, 0, total)
        for _ in range(skip):
            data_start = _next_line_start(fh, data_start, total) if data_start is not None else None
        if data_start is None or total - data_start <= size:
            return None
        fh.seek(0)
        if count_rows(fh.read(data_start)) is None:  # a quote in the header: a header over two lines?
            return None
        cuts = [data_start]
        while cuts[-1] < total:
            nxt = _next_line_start(fh, cuts[-1] + size, total) if cuts[-1] + size < total else total
            cuts.append(total if nxt is None else nxt)
        blocks, first = [], 1
        for start, end in zip(cuts, cuts[1:]):
            fh.seek(start)
            rows = count_rows(fh.read(end - start))
            if rows is None:
                return None
            blocks.append(Block(start, end, first, rows))
            first += rows
    return blocks


def _next_line_start(fh, pos: int, total: int) -> int | None:
    """The first line start after the line break at or after ``pos`` (a CR LF pair is one break)."""
    fh.seek(pos)
    while pos < total:
        chunk = fh.read(1 << 16)
        hits = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if hits:
            i = min(hits)
            if chunk[i] == CR:
                after = chunk[i + 1:i + 2] if i + 1 < len(chunk) else (fh.read(1) if pos + i + 1 < total else b"")
                return pos + i + (2 if after == b"\n" else 1)
            return pos + i + 1
        pos += len(chunk)
    return None


def count_rows(block: bytes) -> int | None:
    """Data rows in ``block`` (non-empty lines), or None when a quote makes line breaks ambiguous."""
    arr = np.frombuffer(block, dtype=np.uint8)
    n = len(arr)
    lf = np.flatnonzero(arr == LF)
    cr = np.flatnonzero(arr == CR)
    if len(cr):
        lone = np.ones(len(cr), dtype=bool)
        inner = cr + 1 < n
        lone[inner] = arr[cr[inner] + 1] != LF
        breaks = np.sort(np.concatenate([lf, cr[lone]]))
    else:
        breaks = lf
    starts = np.concatenate([[0], breaks + 1])  # every line's first byte (the last may be n: no line)
    ends = np.concatenate([breaks, [n]])  # where each line's text stops
    if len(lf) and len(cr):  # the CR of a CR LF pair ends the text, not the LF
        pair = np.zeros(len(breaks), dtype=bool)
        at = breaks > 0
        pair[at] = (arr[breaks[at]] == LF) & (arr[breaks[at] - 1] == CR)
        ends[:-1] -= pair.astype(np.int64)
    rows = int(np.count_nonzero(ends > starts))
    if b'"' in block and not _quotes_stay_in_line(block, starts):
        return None
    return rows


def _quotes_stay_in_line(block: bytes, starts: np.ndarray) -> bool:
    """Every line holding a quote is a whole row of well-formed fields (pyarrow's RE2, all lines at once)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = np.unique(np.concatenate([starts, [len(block)]])).astype(np.int64)
    lines = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(offsets) - 1,
                                             [None, pa.py_buffer(offsets), pa.py_buffer(block)])
    quoted = lines.filter(pc.match_substring(lines, '"'))
    try:
        text = quoted.cast(pa.large_string())
    except pa.ArrowInvalid:  # not UTF-8: the reader will say so, for the whole file
        return False
    return bool(pc.all(pc.match_substring_regex(text, WELL_FORMED_ROW)).as_py() is not False)
