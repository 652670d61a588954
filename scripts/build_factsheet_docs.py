"""Regenerate docs/factsheet/: the samples' gap fact sheets (HTML) and their screenshots (PNG, desktop and phone).

    python scripts/build_factsheet_docs.py            # HTML + PNG (PNG needs chromium)
    python scripts/build_factsheet_docs.py --no-png   # HTML only

The gap report comes from the real command (click's CliRunner, as the tests run it); the page
from peerpay.io.html.gap_fact_sheet; the screenshot from headless Chromium (tests/browser.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from click.testing import CliRunner

import peerpay
from peerpay.cli import main
from peerpay.io.html import gap_fact_sheet, run_record
from peerpay.io.resources import reference_lines
from peerpay.io.writers import atomic_write

OUT = ROOT / "docs" / "factsheet"
AS_OF = "2025-11-30"
LINES = ["poverty-2025", "housing-wage:baltimore-md", "Living wage (entered by the user)=24.50"]
ARGS = ["gap", "--roster", "samples/roster.csv", "--schedule", "samples/schedule.csv", "--peer-role", "peer_specialist",
        "--as-of", AS_OF, "--reference", "bls-2025", "--format", "json"]
SOURCES = [
    ("Harbor Light Recovery Center (fictional sample organisation)",
     f"wage schedule samples/schedule.csv and roster samples/roster.csv, base rates in effect on {AS_OF}"),
    ("BLS Occupational Employment and Wage Statistics (OEWS), May 2025",
     "national estimates for comparator occupations (schedules/bls_oews_may2025_national.csv)"),
]


def samples_page() -> str:
    absolute = [str(ROOT / a) if a.startswith("samples/") else a for a in ARGS]
    result = CliRunner().invoke(main, absolute)
    if result.exit_code != 0:
        raise SystemExit(f"peerpay gap failed ({result.exit_code}): {result.output}")
    report = json.loads(result.output)
    inputs = {name: (ROOT / "samples" / name).read_bytes() for name in ("roster.csv", "schedule.csv")}
    inputs["bls_oews_may2025_national.csv"] = (ROOT / "schedules" / "bls_oews_may2025_national.csv").read_bytes()
    record = run_record(peerpay.__version__, inputs,
                        {"peer-role": "peer_specialist", "as-of": AS_OF, "reference": "bls-2025", "reference-line": LINES},
                        command="peerpay " + " ".join(ARGS[:-2]))
    return gap_fact_sheet(report, reference_lines(LINES), record, sources=SOURCES)


#: The ten-person organisation's published report (samples/small_org/README.md): pooled groups,
#: BLS comparisons, the peer figure banded. Through the real command's --format html.
SMALL_ORG_ARGS = ["gap", "--roster", "samples/small_org/roster.csv", "--schedule", "samples/small_org/schedule.csv",
                  "--as-of", AS_OF, "--reference", "bls-2025", "--publish",
                  "--group", "clinical=rn,lpn,case_manager", "--reference-line", "poverty-2025",
                  "--reference-line", "housing-wage:baltimore-md", "--reference-line", "minimum-wage:US-MD",
                  "--format", "html"]


def small_org_page() -> str:
    absolute = [str(ROOT / a) if a.startswith("samples/") else a for a in SMALL_ORG_ARGS]
    result = CliRunner().invoke(main, absolute)
    if result.exit_code != 0:
        raise SystemExit(f"peerpay gap failed ({result.exit_code}): {result.output}")
    return result.stdout


def main_(argv: list[str]) -> None:
    for name, page in (("samples_gap", samples_page()), ("small_org_gap", small_org_page())):
        html_path = OUT / f"{name}.html"
        atomic_write(html_path, page)
        print(f"wrote {html_path.relative_to(ROOT)}")
        if "--no-png" not in argv:  # the page as a desktop (1200 px) and a phone (400 px) show it
            import browser
            for suffix, width, height in (("", 1200, 2400), ("_phone", 400, 2600)):
                png = browser.screenshot(html_path, width=width, height=height)
                atomic_write(OUT / f"{name}{suffix}.png", png)
                print(f"wrote {(OUT / f'{name}{suffix}.png').relative_to(ROOT)}")


if __name__ == "__main__":
    main_(sys.argv[1:])
