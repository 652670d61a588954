"""CSV timesheets spilled into employee buckets (Arrow files), with pyarrow alone: no pandas.

``peerpay pay --partitions N`` (:mod:`peerpay.engines.chunked`) streams its CSV once in blocks
(every cell as text, :func:`~peerpay.io.csvtext.csv_options`), tags each row with its file and
data row, and writes it to one of N bucket files by a stable hash of the *clean* employee id
(:mod:`peerpay.core.ids`), so every row of an employee lands in the same bucket whatever its
spelling. Nothing here needs pandas, so :func:`spill_early` can start the spill on a thread
while pandas and the pay modules are still loading (the first half second of a run, on one core).
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc  # pa.ipc: loaded here, never on the spill's thread

from ..core.ids import clean_ids
from ..errors import InputError
from . import early
from .csvtext import check_field_sizes, check_header, csv_error, csv_options, csv_shape, data_has_quotes, drop_blank_tail, read_options
from .outputs import run_folder, uninterrupted

FILE = "_source_file"  # index of the row's file in the run's list of sources
ROW = "_source_row"  # 1-based data row in that file
SPILL_PREFIX = "peerpay-buckets-"  # a spill folder: peerpay-buckets-HOST-PID-XXXXXXXX in the temporary folder
BLOCK_BYTES = 8 << 20  # per block read: small enough that pyarrow parses the next blocks while one is bucketed


def bucket_of(employee_id, partitions: int) -> np.ndarray:
    """A stable bucket per employee id (the same in every process, run and platform): CRC-32 of
    the clean id's UTF-8, modulo ``partitions``. ``employee_id``: texts (a list, a pandas Series,
    an arrow array)."""
    return bucket_codes(pa.array(employee_id, type=pa.string()), partitions)


def bucket_codes(employee_id: pa.Array, partitions: int) -> np.ndarray:
    """:func:`bucket_of` for an Arrow column: each distinct text cleaned and hashed once, then looked up per row."""
    coded = pc.dictionary_encode(pc.fill_null(employee_id, ""))
    ids, _ = clean_ids(pc.utf8_trim_whitespace(coded.dictionary))  # as validation reads them
    per_id = np.array([zlib.crc32(i.encode("utf-8")) % partitions for i in ids], dtype="int64")  # distinct ids only
    return per_id[coded.indices.to_numpy(zero_copy_only=False)]


def stream_csv(path: Path, block_bytes: int = BLOCK_BYTES):
    """Blocks of a CSV as Arrow record batches of text (canonical column names) with the first data row of each.

    The first bad block raises the clerk's message (:func:`~peerpay.io.csvtext.csv_error`),
    the same as the local engine's reader gives for the whole file.
    """
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (expected a header row)")
    shape = csv_shape(path)
    read = read_options(shape, block_size=block_bytes, encoding="utf8")
    columns = check_header(path, shape.header)
    # a quoted field may hold a line break only where there are quotes (read so, never cut at one)
    parse, convert = csv_options(shape.columns, newlines_in_values=data_has_quotes(path, shape))
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        first = 1
        for batch in reader:
            check_field_sizes(batch, path, first)  # the limits every engine refuses alike
            batch = drop_blank_tail(batch, path, shape, first)
            yield batch.rename_columns(columns), first
            first += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise csv_error(path, exc, shape) from None


def spill(sources: list[Path], partitions: int, folder: Path, cancel: threading.Event | None = None) -> list[Path]:
    """Stream each source into bucket files ``bucket-KKKKK.arrow`` (rows keep their file order); returns the files.

    ``cancel``: set by another thread to stop the spill after the block in hand (the run is ending).
    """
    names = [p.name for p in sources]
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    columns = None
    try:
        for i, path in enumerate(sources):
            for batch, first in stream_csv(path, BLOCK_BYTES):
                if cancel is not None and cancel.is_set():
                    raise InputError(f"{path}: the spill was cancelled")
                if columns is None:
                    columns = batch.schema.names
                elif batch.schema.names != columns:
                    raise InputError(f"{path}: columns differ from {names[0]}'s ({', '.join(columns)})")
                if "employee_id" not in columns:
                    raise InputError(f"{path}: missing required column(s) employee_id")
                n = batch.num_rows
                batch = batch.append_column(FILE, pa.array(np.full(n, i, dtype="int32"))) \
                             .append_column(ROW, pa.array(np.arange(first, first + n, dtype="int64")))
                bucket = bucket_codes(batch.column("employee_id"), partitions)
                small = bucket.astype("int16") if partitions <= 2**15 else bucket  # 16-bit keys sort by radix
                order = np.argsort(small, kind="stable")  # stable: a bucket's rows stay in file order
                batch = batch.take(pa.array(order))
                counts = np.bincount(bucket, minlength=partitions)
                ends = np.cumsum(counts)
                for k in map(int, np.flatnonzero(counts)):
                    if k not in writers:
                        writers[k] = pa.ipc.new_file(folder / f"bucket-{k:05d}.arrow", batch.schema)
                    writers[k].write_batch(batch.slice(ends[k] - counts[k], counts[k]))
    finally:
        for w in writers.values():
            w.close()
    return [folder / f"bucket-{k:05d}.arrow" for k in sorted(writers)]


# --- the spill started early -----------------------------------------------------------------


def spill_early(path: str, partitions: int) -> None:
    """Start spilling the CSV ``path`` into ``partitions`` buckets on a thread, for
    :func:`take_early_spill`.

    Why: pyarrow reads, takes and writes outside the GIL, so the spill runs on the second core
    while the first loads pandas and the pay modules. The buckets are handed over only for the
    same file, unchanged (:mod:`.early`); a failure is left for the ordinary spill to report.
    The folder is removed when the run ends, whether or not the spill was used.
    """
    real = os.path.realpath(path)
    if not os.path.isfile(real):
        return
    cancel = threading.Event()
    with uninterrupted():  # the folder is made and its removal registered as one step: a signal waits for both
        try:
            folder = run_folder(SPILL_PREFIX)
        except OSError:  # no temporary folder to spill into: the ordinary spill meets (and reports) the same
            return
        started = early.begin(("spill", real, partitions), real,
                              lambda: (spill([Path(real)], partitions, folder, cancel), folder))
        if started is None:
            shutil.rmtree(folder, ignore_errors=True)
            return
        atexit.register(_remove, started, folder, cancel)  # a run that stopped early (a usage error, a signal) leaves nothing


def _remove(started: early.Started, folder: Path, cancel: threading.Event) -> None:
    cancel.set()  # a spill still running stops after its block in hand (a 5 GB file: not a minute later)
    started.finished()  # the spill may still be writing into the folder
    shutil.rmtree(folder, ignore_errors=True)


def take_early_spill(sources: list[Path], partitions: int) -> tuple[list[Path], Path] | None:
    """The bucket files :func:`spill_early` made of the one source, and their folder (the taker
    removes it); None: none, it failed, or the file changed since."""
    wanted = ("spill", os.path.realpath(sources[0]), partitions) if len(sources) == 1 else None
    found = None
    for key in early.begun("spill"):  # every early spill ends here: no thread still runs when workers fork
        got = early.take(key, discard=_remove_folder)
        if key == wanted:
            found = got
        elif got is not None:
            _remove_folder(got)
    return found


def _remove_folder(spilled) -> None:
    shutil.rmtree(spilled[1], ignore_errors=True)
