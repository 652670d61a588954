"""Local engine for timesheets larger than memory: stream, bucket by employee, pay bucket by bucket.

The CSV is read once in blocks (pyarrow's streaming reader, every cell as text), each row
tagged with its file and data row, and spilled to ``partitions`` Parquet files by a stable hash
of ``employee_id``, so every row of an employee lands in the same bucket. Buckets are then
validated and paid one at a time (:func:`~peerpay.engines.partition.pay_partition`): peak memory
is about one bucket plus the (small) pay lines, whatever the size of the input.
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
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..core.inputs import normalise_ids
from ..errors import InputError
from ..io.readers import (
    _csv_header,
    _csv_options,
    cells_as_text,
    check_header,
    csv_error,
)
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
    """Blocks of a CSV as pandas frames of text, canonical column names, data rows numbered from 1."""
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (expected a header row)")
    read = pacsv.ReadOptions(block_size=block_bytes, encoding="utf8")
    header = _csv_header(path)
    columns = check_header(path, header)
    parse, convert = _csv_options(header)
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        first = 1
        for batch in reader:
            frame = cells_as_text(batch.to_pandas())
            frame.columns = columns
            frame[ROW] = np.arange(first, first + len(frame), dtype="int64")
            first += len(frame)
            yield frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise csv_error(path, exc) from None


def run_chunked(timesheet, policy: Policy, roster=None, schedule=None, partitions: int = 8, spill_dir=None):
    """Pay a timesheet (file or glob) in ``partitions`` employee buckets; returns a PayRun."""
    sources = expand_sources(timesheet)
    names = [p.name for p in sources]
    ros, sch, upstream = load_rate_tables(roster, schedule)
    with tempfile.TemporaryDirectory(prefix="peerpay-buckets-", dir=spill_dir) as tmp:
        writers: dict[int, pq.ParquetWriter] = {}
        columns = None
        try:
            for i, path in enumerate(sources):
                for frame in stream_csv(path):
                    if columns is None:
                        columns = [c for c in frame.columns if c != ROW]
                    elif [c for c in frame.columns if c != ROW] != columns:
                        raise InputError(f"{path}: columns differ from {names[0]}'s ({', '.join(columns)})")
                    if "employee_id" not in frame.columns:
                        raise InputError(f"{path}: missing required column(s) employee_id")
                    frame[FILE] = np.int32(i)
                    b = bucket_of(frame["employee_id"], partitions)
                    for k in np.unique(b):
                        part = pa.Table.from_pandas(frame[b == k], preserve_index=False)
                        if k not in writers:
                            writers[k] = pq.ParquetWriter(Path(tmp) / f"bucket-{k:05d}.parquet", part.schema)
                        writers[k].write_table(part)
        finally:
            for w in writers.values():
                w.close()
        paths = [Path(tmp) / f"bucket-{k:05d}.parquet" for k in sorted(writers)]
        parts = pay_buckets(paths, policy, names, ros, sch)
    return combine(parts, policy, names, upstream, ros, sch)


def _pay_bucket(path: Path, policy: Policy, names, roster, schedule):
    return pay_partition(pq.read_table(path).to_pandas(), policy, names, roster, schedule)


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
