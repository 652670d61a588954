"""Tables pasted into README.md and docs/*.md from the samples' output must be that output.

(docs/costing.md's item-by-item tables are checked in test_cost_cli.py, from the shared costing run.)
"""

from __future__ import annotations

import re

from conftest import REPO, SAMPLES


def _tables(markdown: str) -> list[str]:
    """Every pipe table in a Markdown text (header, rule and body rows), as one string each."""
    return [m.group(0).strip("\n") for m in re.finditer(r"(?m)(^\|.*\|\n){3,}", markdown)]


def test_readme_gap_table_is_the_commands_output(cli):
    """README's 'On the samples' gap table: `peerpay gap ... --reference bls-2025 --format md`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pasted = [t for t in _tables(readme) if t.startswith("| role ") and "BLS:" in t]
    assert len(pasted) == 1, "README.md: the gap table on the samples is missing"
    res = cli(["gap", "--roster", SAMPLES / "roster.csv", "--schedule", SAMPLES / "schedule.csv",
               "--peer-role", "peer_specialist", "--as-of", "2025-11-30", "--reference", "bls-2025", "--format", "md"])
    assert res.exit_code == 0, res.output
    assert pasted[0] in res.stdout, "README.md: re-paste the gap table from the command's output"
