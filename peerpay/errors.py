"""Errors are values: loaders and rules collect them, only the CLI renders them.

A :class:`Problem` names where a bad value sits (file, sheet, 1-based data row, column) and why.
Rendering is always ``file:row:column: reason`` so that a clerk can jump to the cell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, asdict


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    reason: str
    sheet: str | None = None

    def render(self) -> str:
        where = self.file if not self.sheet else f"{self.file}[{self.sheet}]"
        parts = [where]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return ":".join(parts) + f": {self.reason}"

    def as_json(self) -> dict:
        """The docs/formats.md §4 ``rejected`` entry (sheet only when there is one)."""
        d = asdict(self)
        if d["sheet"] is None:
            del d["sheet"]
        return d


class InputError(Exception):
    """A file cannot be used at all (unreadable, wrong shape, invalid policy): exit code 1."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []

    @classmethod
    def at(cls, path, reason: str, details: list[str] | None = None, *, row: int | None = None,
           column: str | None = None, sheet: str | None = None) -> InputError:
        """The file ``path`` cannot be used because of ``reason`` (or each of ``details``).

        The message is ``path: reason`` (then one indented ``path: detail`` line each); the
        problems carry the file's name only (a folder can carry a person's name), one per detail,
        so ``peerpay validate`` lists them without reading the message back. ``row``/``column``:
        the cell that shows why (``path:row:column: reason``), as a rejected row names its cell.
        """
        name = file_name(path)
        if row is not None or column is not None:
            problem = Problem(name, row, column, reason, sheet)
            where = ":".join(str(p) for p in (path if not sheet else f"{path}[{sheet}]", row, column) if p is not None)
            return cls(f"{where}: {reason}", [problem])
        if details:
            message = f"{path}: {reason}:\n" + "\n".join(f"  {path}: {d}" for d in details)
            return cls(message, [Problem(name, None, None, d) for d in details])
        return cls(f"{path}: {reason}", [Problem(name, None, None, reason)])


def file_name(path) -> str:
    """The last part of a path, as a problem names its file."""
    return os.path.basename(os.path.normpath(str(path))) if str(path) not in ("", ".") else str(path)
