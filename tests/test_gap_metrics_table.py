"""The one gap-metrics table (core/gap.py GAP_METRICS) drives the CLI columns, the fact sheet's
definitions and docs/gap.md."""

from __future__ import annotations

from pathlib import Path

from peerpay.cli.gap import COLUMNS
from peerpay.core.gap import GAP_METRICS, metrics_markdown
from peerpay.io.html import SHEET_METRICS, metric_definitions

DOCS = Path(__file__).resolve().parents[1] / "docs" / "gap.md"


def test_docs_metrics_table_matches_core():
    assert metrics_markdown() in DOCS.read_text(encoding="utf-8"), "docs/gap.md's metrics table differs from GAP_METRICS"


def test_cli_columns_come_from_the_table():
    assert COLUMNS == [(m.key, m.header, m.kind) for m in GAP_METRICS if m.header]
    assert len({m.key for m in GAP_METRICS}) == len(GAP_METRICS)


def test_fact_sheet_definitions_come_from_the_table():
    by_key = {m.key: m for m in GAP_METRICS}
    defs = dict(metric_definitions({"groups": [], "definitions": {}}))
    assert len(defs) == len(SHEET_METRICS)
    # only what is shown: a page without the hours column defines no hours
    assert len(metric_definitions({"groups": [], "definitions": {}}, ["n", "median_hourly"])) == 2
    for k in SHEET_METRICS:
        assert any(d.startswith(by_key[k].definition) for d in defs.values()), k
