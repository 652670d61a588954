"""Work on an input file begun early, on a thread, and handed over only for the same file, unchanged.

``peerpay pay`` starts some work before it needs it, while its first half second goes on loading
pandas and its own modules: the early read of a large timesheet (:mod:`.csvtext`), the early
``--partitions`` spill (:mod:`.buckets`) and the run record's SHA-256 of the inputs
(:mod:`peerpay.cli.common`). The three share this one mechanism: a result is handed over only if
the work finished and the file is still the same file (device, inode, size, modification and change time);
otherwise the caller does the work itself, so a failure is reported the ordinary way.
Nothing here imports pandas.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class Started:
    path: str
    identity: tuple
    thread: threading.Thread
    result: list = field(default_factory=list)  # [the work's value] once it succeeded

    def finished(self):
        """The work's value once the thread has ended (None: it failed)."""
        self.thread.join()
        return self.result[0] if self.result else None


_STARTED: dict[Hashable, Started] = {}


def file_identity(path: str) -> tuple | None:
    """(device, inode, size, modification time, change time) of a regular file; None: not one.

    The change time (ctime) is set by the system on every write, truncation, rename or
    ``touch``, and cannot be set back: a file rewritten at the same size with its modification
    time restored (``touch -r``) has the same size and mtime, but not the same ctime.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) if stat.S_ISREG(st.st_mode) else None


def begin(key: Hashable, path: str, work: Callable[[], object]) -> Started | None:
    """Run ``work()`` on a thread for the regular file ``path``, under ``key`` (None: not a
    regular file, or work under that key already started)."""
    identity = file_identity(path)
    if identity is None or key in _STARTED:
        return None
    result: list = []

    def run() -> None:
        try:
            result.append(work())
        except Exception:  # the caller does the work again, and reports the error the ordinary way
            pass

    started = Started(path, identity, threading.Thread(target=run, name="peerpay-early", daemon=True), result)
    _STARTED[key] = started
    started.thread.start()
    return started


def take(key: Hashable, discard: Callable[[object], None] | None = None):
    """The value of the work begun under ``key`` (waiting for it), or None: none begun, it failed,
    or the file has changed since. ``discard`` gets a finished value that is not handed over."""
    started = _STARTED.pop(key, None)
    if started is None:
        return None
    value = started.finished()
    if value is not None and file_identity(started.path) != started.identity:
        if discard is not None:
            discard(value)
        return None
    return value


def wait(key: Hashable) -> None:
    """Wait until the work begun under ``key`` (if any) has ended; it stays to be taken."""
    started = _STARTED.get(key)
    if started is not None:
        started.thread.join()


def begun_for(key: Hashable) -> bool:
    """Work under ``key`` was begun and not yet taken."""
    return key in _STARTED


def begun(kind: str) -> list:
    """The keys of work begun and not yet taken whose key starts with ``kind``."""
    return [k for k in _STARTED if isinstance(k, tuple) and k and k[0] == kind]
