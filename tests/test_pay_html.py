"""The HTML pay report a clerk opens (issue 25): every column in view at 1,400 px (gross pay was
behind a horizontal scrollbar), readable headers, dates as dates, hours to two places, and the run
record the README promises (its items are the workbook's Run sheet's)."""

from __future__ import annotations

import re

import pytest

import browser
from conftest import SAMPLES

PAY = ["pay", "-t", SAMPLES / "timesheet.csv", "-p", SAMPLES / "policy.toml", "-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv"]


@pytest.fixture
def page(cli, tmp_path):
    out = tmp_path / "pay.html"
    assert cli([*PAY, "-o", out]).exit_code == 0
    return out


def test_headers_are_readable_and_the_record_is_whole(page):
    text = page.read_text(encoding="utf-8")
    headers = re.findall(r'<th scope="col">([^<]*)', text)
    assert "Gross pay" in headers and "Hours worked" in headers and "Employee ID" in headers
    assert not [h for h in headers if "_" in h]
    for item in ("peerpay version", "input timesheet.csv", "policy sha256", "period", "holidays", "run time"):
        assert f"<th scope=\"row\">{item}" in text, item


@pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)
def test_no_table_scrolls_sideways_at_1400_pixels(page):
    assert browser.overflowing_tables(page, 1400) == []
    assert browser.overflowing_tables(page, 700) != []  # the probe can see an overflow (a phone-width window)
