"""One version of each input file per run, and the run record's SHA-256 of exactly that version.

A payroll file can change while a run reads it: an export job writes a new timesheet over the old
one (often by writing a temporary file and renaming it over: a new file at the same path), a
clerk saves it again, a script truncates it. Whatever a run pays must be *one* version of each
file, and the SHA-256 in its run record must be that version's. Every reader of an input file
therefore reads inside :func:`reading` (or between :func:`begin` and :func:`end`):

* before the first byte is read, the file's identity is noted: device, inode, size,
  modification time and **change time** (ctime). The change time cannot be set back by a user
  (``touch -r`` restores the modification time, never the change time), so a file rewritten in
  place at the same size is caught too;
* when the reader is done, the identity must be the same. Then every byte the reader read
  belongs to the version noted at the start, however many times it opened the file (a CSV's
  header and body, a workbook's parts, each block a dask worker reads in another process);
* a file read twice in one run (the policy by the command and by the job) must be the same
  version both times;
* when a run record will be built (:func:`want_digests`), the file is hashed while it is read,
  and the hash is kept only if the identity held from before the hashing to after the reading.
  A file renamed over, truncated or rewritten *after* it was read is then paid as read and
  hashed as read; one that changed *while* it was read is refused (:class:`InputChanged`,
  exit code 1: nothing is written; run again once the file is complete).

Nothing here imports pandas.
"""

from __future__ import annotations

import fnmatch
import functools
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import InputError
from . import early


class InputChanged(InputError):
    """An input file changed while the run read it, or between two reads of one run."""


@dataclass
class Version:
    identity: tuple
    digest: tuple[str, int] | None = None  # (SHA-256, size) of this version


#: path -> the version of that file the current run reads (None: no run, e.g. a library call)
_READ: dict[str, Version] | None = None
#: path -> the identities noted by the reads of it in progress
_OPEN: dict[str, list[tuple | None]] = {}
_want_digests = True


@contextmanager
def run() -> Iterator[None]:
    """One command's run: inside it every input is pinned to one version and hashed as read
    (outside it, e.g. a library call, a read is only checked to have seen one version)."""
    global _READ
    _READ = {}
    want_digests(True)
    try:
        yield
    finally:
        _READ = None
        _OPEN.clear()


def _key(path) -> str:
    """A path as the run knows it: absolute, its symlinks *not* resolved. The identity is taken
    through the links at each look (:func:`identity`), so a link pointed at another file while
    the run reads is a change like any other."""
    return os.path.abspath(str(path))


def identity(path: str) -> tuple | None:
    """(device, inode, size, modification time, change time) of a regular file; None: not one."""
    return early.file_identity(path)


def want_digests(wanted: bool) -> None:
    """Whether this run hashes its inputs as it reads them (a run record will be built: default yes;
    ``peerpay pay --format csv`` builds none and hashes nothing)."""
    global _want_digests
    _want_digests = wanted


def begin(path) -> None:
    """A reader starts reading ``path``: note its identity, and start hashing it on a thread when
    a run record will be built (a hash begun earlier, :func:`hash_early`, is kept)."""
    key = _key(path)
    ident = identity(key)
    if ident is None and os.path.exists(key) and not os.path.isdir(key):
        raise InputError.at(path, "is not a regular file (a device or a pipe?): give the file itself (save what a "
                                  "program writes to a file first; a run pins each input to one version)")
    _OPEN.setdefault(key, []).append(ident)
    if _READ is None or ident is None or not _want_digests:
        return
    seen = _READ.get(key)
    if (seen is None or seen.digest is None) and not early.begun_for(("sha256", key)):
        hash_early(key)


def end(path, *, failed: bool = False) -> None:
    """The reader is done with ``path``: it read one version, the one every other read of this run
    read. Raises :class:`InputChanged` otherwise. ``failed``: the reader raised; its own error
    stands unless the file changed meanwhile (then the change is the cause, and is said)."""
    key = _key(path)
    opened = _OPEN.get(key) or [None]
    started = opened.pop()
    if not _OPEN.get(key):
        _OPEN.pop(key, None)
    if started is None:
        return
    if identity(key) != started:
        raise InputChanged.at(path, "changed while it was being read (written, truncated or replaced by another program): "
                                    "nothing was written; run again once the file is complete")
    if failed or _READ is None:
        return
    seen = _READ.setdefault(key, Version(started))
    if seen.identity != started:
        raise InputChanged.at(path, "changed during the run (it was read twice and differed): nothing was written; "
                                    "run again once the file is complete")
    if seen.digest is None and _want_digests:
        seen.digest = early.take(("sha256", key))  # begun with this identity, else None (it changed since)
        if seen.digest is None:
            seen.digest = _sha256_and_size(key)
            if identity(key) != started:
                seen.digest = None
                raise InputChanged.at(path, "changed while it was being hashed for the run record: nothing was written; "
                                            "run again once the file is complete")


@contextmanager
def reading(path) -> Iterator[None]:
    """``with reading(path): …read path…`` = :func:`begin` and :func:`end` around the reads."""
    begin(path)
    try:
        yield
    except Exception as exc:
        try:
            end(path, failed=True)
        except InputChanged as changed:
            raise changed from exc
        raise
    except BaseException:  # a signal: nothing to check, only the bookkeeping
        _OPEN.pop(_key(path), None)
        raise
    end(path)


def hash_early(path) -> None:
    """Start hashing the file ``path`` on a thread (read and hashed outside Python's lock): its
    digest is taken by :func:`end` if the file is unchanged, else the hash is done again."""
    key = _key(path)
    if os.path.isfile(key):
        early.begin(("sha256", key), key, lambda: _sha256_and_size(key))


def digest(path) -> tuple[str, int]:
    """(SHA-256, size) of the version of ``path`` this run read (hashed now if it was never read)."""
    key = _key(path)
    seen = _READ.get(key) if _READ is not None else None
    if seen is not None and seen.digest is not None:
        return seen.digest
    got = early.take(("sha256", key))
    return got if got is not None else _sha256_and_size(key)


def read_files(spec: str) -> list[str]:
    """The files this run read that a glob ``spec`` names (in name order), for the run record."""
    pattern = _key(spec)
    read = sorted(p for p in (_READ or {}) if fnmatch.fnmatch(p, pattern))
    return read or sorted(_key(p) for p in glob.glob(spec) if os.path.isfile(p))


def _sha256_and_size(path: str) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks (no copy of a 50 MB timesheet in memory)."""
    import hashlib

    with open(path, "rb") as fh:
        found = hashlib.file_digest(fh, "sha256")
        return found.hexdigest(), fh.tell()


def settle(paths) -> None:
    """Wait for the hashes begun for ``paths`` (before a process forks: no thread runs then)."""
    for path in paths:
        early.wait(("sha256", _key(path)))


def pinned(read):
    """A reader of a whole file (its first argument is the path) that reads inside :func:`reading`."""

    @functools.wraps(read)
    def reader(path, *args, **kwargs):
        with reading(path):
            return read(path, *args, **kwargs)

    return reader


def was_read(path) -> bool:
    """This run read ``path`` (its digest is the version read, even if the file is gone now)."""
    return _READ is not None and _key(path) in _READ
