"""Errors are values: loaders and rules collect them, only the CLI renders them.

A :class:`Problem` names where a bad value sits (file, sheet, 1-based data row, column) and why.
Rendering is always ``file:row:column: reason`` so that a clerk can jump to the cell.
"""

from __future__ import annotations

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
        """The CONTRACT §4 ``rejected`` entry (sheet only when there is one)."""
        d = asdict(self)
        if d["sheet"] is None:
            del d["sheet"]
        return d


class InputError(Exception):
    """A file cannot be used at all (unreadable, wrong shape, invalid policy): exit code 1."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []
