"""The `peerpay …` commands shown in README.md and docs/*.md, as argument lists (tests run them).

A command is a line of a fenced code block (```bash, ```sh, ```console or ```) that starts with
``peerpay `` (``$ `` prompts are dropped), joined with its ``\\`` continuation lines, with its
trailing ``# comment`` removed. A comment ``# exit N`` says the exit code the doc promises
(default 0). A block that needs something outside the repository (a dask scheduler address, a
file the reader brings) is preceded by the line ``<!-- not run -->`` and is skipped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^\s*```(\w*)\s*$")
EXIT = re.compile(r"#.*\bexit (\d)\b")


@dataclass(frozen=True)
class DocCommand:
    source: str  # "README.md:30"
    text: str
    args: tuple[str, ...]  # after "peerpay"
    exit_code: int

    def __str__(self) -> str:
        return f"{self.source}: {self.text}"


def _strip_comment(line: str) -> tuple[str, str]:
    """(command, comment): the first ``#`` outside quotes starts the comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i:]
    return line.rstrip(), ""


def commands(path: Path) -> list[DocCommand]:
    out: list[DocCommand] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    in_block, skip, pending, start, comments = False, False, "", 0, ""
    for n, raw in enumerate(lines, 1):
        m = FENCE.match(raw)
        if m and not in_block:
            in_block = True
            prev = next((x.strip() for x in reversed(lines[: n - 1]) if x.strip()), "")
            skip = prev == "<!-- not run -->" or m.group(1) not in ("", "bash", "sh", "console", "shell")
            continue
        if m and in_block:
            in_block = False
            continue
        if not in_block or skip:
            continue
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:]
        if not pending and not line.startswith("peerpay "):
            continue
        if not pending:
            start, comments = n, ""
        cmd, comment = _strip_comment(line)
        comments += comment
        if cmd.endswith("\\"):
            pending += cmd[:-1] + " "
            continue
        text = (pending + cmd).strip()
        pending = ""
        code = EXIT.search(comments)
        out.append(DocCommand(f"{path.relative_to(ROOT)}:{start}", text, tuple(shlex.split(text)[1:]), int(code.group(1)) if code else 0))
    return out


def readme_commands() -> list[DocCommand]:
    return commands(ROOT / "README.md")


def all_doc_commands() -> list[DocCommand]:
    return readme_commands() + [c for p in sorted((ROOT / "docs").glob("*.md")) for c in commands(p)]
