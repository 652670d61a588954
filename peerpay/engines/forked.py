"""Work done side by side in forked children, each result sent back pickled through a pipe.

Why fork: a forked child starts at once with everything this process has loaded and read (the
modules, a timesheet, the policy), sharing its memory until either writes; only the result, a
table of pay lines, travels back. Used for a large plain run (:mod:`.halves`) and for the
buckets of ``--partitions`` (:mod:`.chunked`). A child that fails in any way (an error, a
crash, a message cut short) has its work done again here, so an error raises here as usual.
No child outlives the run: when this process fails or is stopped (Ctrl-C, SIGTERM) each child
still running is ended and reaped, and on Linux the kernel ends a child whose parent died
(even by SIGKILL).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..io import knobs

T = TypeVar("T")

_FAILED = object()  # what a failed child sends (a result may be None)


def processes(tasks: int) -> int:
    """Processes to run ``tasks`` side by side: one per core (``PEERPAY_WORKERS`` overrides), at
    most one per task, and one where the platform cannot fork (Windows)."""
    if not hasattr(os, "fork"):
        return 1
    wanted = knobs.value("PEERPAY_WORKERS")  # checked: 1 to 4 per core
    n = int(wanted) if wanted is not None else (os.cpu_count() or 1)
    return max(1, min(n, tasks))


def side_by_side(works: Sequence[Callable[[], T]]) -> list[T]:
    """Each work's result, in order: the first done here, each other in a forked child at the same
    time (all here, one after another, where the platform cannot fork)."""
    if not hasattr(os, "fork"):
        return [work() for work in works]
    children: list[tuple[int, int]] = []
    waiting: list[tuple[int, int]] = []  # forked and not yet collected
    try:
        for work in works[1:]:
            waiting.append(in_child(work))
            children.append(waiting[-1])
        out = [works[0]()]
        for child, work in zip(children, works[1:]):
            waiting.remove(child)
            got = collect(child)
            out.append(work() if got is _FAILED else got)
        return out
    except BaseException:  # this process failed or was stopped: every child still out is ended and reaped
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
        parent = os.getpid()
        pid = os.fork()
    if pid == 0:  # the child: never returns to the caller
        code = 1
        try:
            _end_with_parent(parent)
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
    """This process failed or was stopped (Ctrl-C, SIGTERM): end the child at once (its result
    is not wanted, and it holds nothing to clean up), close the pipe and reap it: no child
    outlives the run."""
    pid, reader = child
    os.close(reader)
    _end(pid)


def _end(pid: int) -> None:
    """End the child now and reap it (it holds nothing to clean up; SIGKILL works on a stopped child too)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _end_with_parent(parent: int) -> None:
    """Linux: the kernel ends this child if its parent dies first (even by SIGKILL, which leaves
    the parent no time to end it). Elsewhere a no-op."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    except (OSError, AttributeError):
        pass


def collect(child: tuple[int, int]):
    """The child's result, or ``_FAILED`` if it did not finish cleanly."""
    pid, reader = child
    try:
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # stopped (Ctrl-C, SIGTERM) while waiting: the child's result is not wanted
        _end(pid)
        raise
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return _FAILED
    try:
        return pickle.loads(data)
    except Exception:  # a message cut short: the work is done here
        return _FAILED
