"""Work done side by side in forked children, each result sent back pickled through a pipe.

Why fork: a forked child starts at once with everything this process has loaded and read (the
modules, a timesheet, the policy), sharing its memory until either writes; only the result, a
table of pay lines, travels back. Used for a large plain run (:mod:`.halves`) and for the
buckets of ``--partitions`` (:mod:`.chunked`). A child that fails in any way (an error, a
crash, a message cut short) has its work done again here, so an error raises here as usual, and
every child is waited for, whatever happens.
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

_FAILED = object()  # what a failed child sends (a result may be None)


def processes(tasks: int) -> int:
    """Processes to run ``tasks`` side by side: one per core (``PEERPAY_WORKERS`` overrides), at
    most one per task, and one where the platform cannot fork (Windows)."""
    if not hasattr(os, "fork"):
        return 1
    wanted = os.environ.get("PEERPAY_WORKERS", "")
    n = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return max(1, min(n, tasks))


def side_by_side(works: Sequence[Callable[[], T]]) -> list[T]:
    """Each work's result, in order: the first done here, each other in a forked child at the same
    time (all here, one after another, where the platform cannot fork)."""
    if not hasattr(os, "fork"):
        return [work() for work in works]
    children = [in_child(work) for work in works[1:]]
    waiting = list(children)
    try:
        out = [works[0]()]
        for child, work in zip(children, works[1:]):
            waiting.remove(child)
            got = collect(child)
            out.append(work() if got is _FAILED else got)
        return out
    except BaseException:  # closing a pipe ends a child blocked writing to it; then it is reaped
        for child in waiting:
            abandon(child)
        raise


def in_child(work: Callable[[], object]) -> tuple[int, int]:
    """Fork a child that runs ``work`` and writes its result (pickled) to a pipe: (pid, read end)."""
    reader, writer = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    with warnings.catch_warnings():  # Python 3.12+ warns about fork in a process with threads:
        warnings.simplefilter("ignore", DeprecationWarning)  # the child runs numpy and arrow only, takes no lock
        pid = os.fork()
    if pid == 0:  # the child: never returns to the caller
        code = 1
        try:
            os.close(reader)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def abandon(child: tuple[int, int]) -> None:
    """This process failed: close the pipe (a child blocked writing to it ends) and reap the child."""
    pid, reader = child
    os.close(reader)
    os.waitpid(pid, 0)


def collect(child: tuple[int, int]):
    """The child's result, or ``_FAILED`` if it did not finish cleanly."""
    pid, reader = child
    try:
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return _FAILED
    try:
        return pickle.loads(data)
    except Exception:  # a message cut short: the work is done here
        return _FAILED
