"""The ``meta`` key of every JSON report: which code and which calendar data made it.

Holiday dates come from the ``holidays`` package, and a new release can move a holiday (and so
the premium paid on it); the version is recorded so a report can be reproduced. Kept to one
small dict built here: a later run record extends it, it never grows a second copy.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

from .. import __version__


@lru_cache(maxsize=1)
def run_meta() -> dict[str, str | None]:
    """``{"peerpay_version": ..., "holidays_version": ...}`` (None when holidays is not installed)."""
    try:
        holidays_version: str | None = metadata.version("holidays")
    except metadata.PackageNotFoundError:
        holidays_version = None
    return {"peerpay_version": __version__, "holidays_version": holidays_version}
