"""Two threads for the few large, independent steps whose work runs outside the GIL.

arrow's kernels and numpy's loops release Python's GIL, so two such steps (reading the start
and the end column of a million shifts, formatting the columns of 200,000 pay lines) run on
both cores of a laptop. Results keep the items' order: nothing depends on which thread
finishes first. Small tables stay on one thread, where a thread costs more than it gives.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: rows from which a step is worth a second thread
THREADED_ROWS = 50_000


def each(fn: Callable[[T], R], items: Sequence[T], rows: int) -> list[R]:
    """``[fn(x) for x in items]``, on two threads when ``rows`` (the table's size) is large."""
    if rows < THREADED_ROWS or len(items) < 2 or (os.cpu_count() or 1) < 2:
        return [fn(x) for x in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="peerpay") as pool:
        return list(pool.map(fn, items))
