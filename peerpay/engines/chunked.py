"""Local engine for timesheets larger than memory: stream, bucket by employee, pay the buckets in parallel.

The CSV is read once in blocks (pyarrow's streaming reader, every cell as text), each row
tagged with its file and data row, and spilled to ``partitions`` Arrow files by a stable hash
of ``employee_id``, so every row of an employee lands in the same bucket. Buckets are then
validated and paid (:func:`~peerpay.engines.partition.pay_partition`) by one worker process per
core, each holding one bucket at a time: peak memory is about one bucket per worker plus the
(small) pay lines, whatever the size of the input.

Why the spill stays in Arrow from reading to paying: the text never becomes Python string
objects in the parent (about a third of a second per million rows each way), the hash is taken
once per distinct id (a dictionary encoding of the id column), and a worker maps its bucket
file straight into pandas' arrow-backed ``str`` columns.
"""

from __future__ import annotations

import glob
import itertools
import multiprocessing as mp
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..core.inputs import normalise_ids
from ..errors import InputError
from ..io.csvtext import csv_header, csv_options
from ..io.readers import check_header, csv_error
from ..jobs.pay import load_rate_tables
from ..models.policy import Policy
from .partition import FILE, ROW, combine, pay_partition

BLOCK_BYTES = 64 << 20


def expand_sources(pattern: str | Path | list) -> list[Path]:
    """A file, a glob (``'exports/*.csv'``) or a list of them -> sorted existing files."""
    items = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    out: list[Path] = []
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            found = sorted(glob.glob(text))
            if not found:
                raise InputError(f"{text}: no file matches")
            out += [Path(f) for f in found]
        else:
            path = Path(text)
            if not path.exists():
                raise InputError(f"{path}: no such file")
            if path.is_dir():
                raise InputError(f"{path}: is a folder (give a glob such as '{path}/*.csv')")
            out.append(path)
    return out


def bucket_of(employee_id: pd.Series, partitions: int) -> np.ndarray:
    """A stable bucket per employee id (the same in every process and run).

    The id is normalised first (:func:`~peerpay.core.inputs.normalise_ids`), so ``E1`` and
    ``E1`` + a zero-width space meet in one bucket and the overlap check sees both rows.
    """
    h = pd.util.hash_pandas_object(normalise_ids(employee_id)[0].astype("string"), index=False)
    return (h.to_numpy() % np.uint64(partitions)).astype("int64")


def stream_csv(path: Path, block_bytes: int = BLOCK_BYTES):
    """Blocks of a CSV as Arrow record batches of text (canonical column names) with the first data row of each.

    The first bad block raises the clerk's message (:func:`~peerpay.io.readers.csv_error`),
    the same as the local engine's reader gives for the whole file.
    """
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (expected a header row)")
    read = pacsv.ReadOptions(block_size=block_bytes, encoding="utf8")
    header = csv_header(path)
    columns = check_header(path, header)
    parse, convert = csv_options(header)
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        first = 1
        for batch in reader:
            yield batch.rename_columns(columns), first
            first += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise csv_error(path, exc) from None


def bucket_codes(employee_id: pa.Array, partitions: int) -> np.ndarray:
    """:func:`bucket_of` for an Arrow column: hashed once per distinct id, then looked up per row."""
    ids = pc.dictionary_encode(employee_id)
    per_id = bucket_of(pd.Series(ids.dictionary.to_numpy(zero_copy_only=False), dtype=object), partitions)
    return per_id[ids.indices.to_numpy(zero_copy_only=False)]


def spill(sources: list[Path], partitions: int, folder: Path) -> list[Path]:
    """Stream each source into bucket files ``bucket-KKKKK.arrow`` (rows keep their file order); returns the files."""
    names = [p.name for p in sources]
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    columns = None
    try:
        for i, path in enumerate(sources):
            for batch, first in stream_csv(path):
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
                order = np.argsort(bucket, kind="stable")  # stable: a bucket's rows stay in file order
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


def run_chunked(timesheet, policy: Policy, roster=None, schedule=None, partitions: int = 8, spill_dir=None):
    """Pay a timesheet (file or glob) in ``partitions`` employee buckets; returns a PayRun."""
    sources = expand_sources(timesheet)
    names = [p.name for p in sources]
    ros, sch, upstream = load_rate_tables(roster, schedule)
    with tempfile.TemporaryDirectory(prefix="peerpay-buckets-", dir=spill_dir) as tmp:
        paths = spill(sources, partitions, Path(tmp))
        parts = pay_buckets(paths, policy, names, ros, sch)
    return combine(parts, policy, names, upstream, ros, sch)


def _pay_bucket(path: Path, policy: Policy, names, roster, schedule):
    return pay_partition(pa.ipc.open_file(str(path)).read_all().to_pandas(), policy, names, roster, schedule)


def bucket_workers(buckets: int) -> int:
    """Processes that pay buckets at once: one per core (PEERPAY_WORKERS overrides), at most one per bucket."""
    wanted = os.environ.get("PEERPAY_WORKERS", "")
    n = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return max(1, min(n, buckets))


def pay_buckets(paths: list[Path], policy: Policy, names, roster=None, schedule=None) -> list:
    """Pay each bucket file, in parallel processes when there are cores to spare.

    Each worker holds one bucket at a time (peak memory per process is one bucket) and sends
    back only the bucket's pay lines and rejections; results keep the buckets' order, so the
    output does not depend on which worker finished first. Forked workers start at once (the
    modules are already loaded); where fork is not available the buckets are paid in turn.
    """
    workers = bucket_workers(len(paths))
    if workers > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_pay_bucket, paths, *(itertools.repeat(x) for x in (policy, names, roster, schedule))))
    return [_pay_bucket(p, policy, names, roster, schedule) for p in paths]
