"""The one chart layout (peerpay/io/charts.py): what it promises, checked on the boxes it places.

No label overlaps another, no line or gridline runs through a label (a line is broken around one
instead), nothing leaves the drawing, an axis has a handful of numbers (an annual axis too, never
thousands), a banded figure is drawn as its band, and the phone layout's text is 13 px in a
300 px drawing (at least 12 px on a 320 px phone). Properties over hypothesis-made charts, then
the gap charts themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from peerpay.io.charts import Bar, ChartModel, draw, gap_chart, gap_chart_model, layout, svg

WORDS = st.sampled_from(["Registered", "nurse", "peer", "specialist", "(U.S.,", "BLS)", "licensed", "practical", "community", "health",
                         "worker", "mental", "&", "substance", "use", "social", "counselor", "psychiatric", "aide", "Clinical",
                         "(pooled)", "director", "case", "manager"])
LABELS = st.lists(WORDS, min_size=1, max_size=9).map(" ".join)
LINE_LABELS = st.sampled_from(["Poverty line 2025 (1 person)", "MD minimum wage", "Housing wage, 2-bedroom (Baltimore, MD, FY2024)",
                               "Living wage", "Federal minimum wage", "County scale"])


@st.composite
def models(draw_):
    n = draw_(st.integers(1, 18))
    top = draw_(st.sampled_from([50.0, 120.0, 100_000.0]))
    bars = []
    for i in range(n):
        v = draw_(st.floats(top * 0.05, top))
        band = None
        if draw_(st.booleans()) and i % 3 == 0:
            band = (round(v * 0.9, 2), round(v, 2))
        bars.append(Bar(draw_(LABELS), v, i == 0, draw_(st.booleans()), f"${v:,.2f}" if not band else f"${band[0]:,.0f}–{band[1]:,.0f} (band)",
                        band))
    lines = [{"label": draw_(LINE_LABELS), "value": draw_(st.floats(top * 0.05, top * 1.1)), "kind": draw_(st.sampled_from(
        ["poverty", "housing", "minimum_wage", "user"]))} for _ in range(draw_(st.integers(0, 5)))]
    return ChartModel("t", "median pay, USD per hour", bars, lines, ticks=draw_(st.booleans()))


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check(lay) -> None:
    boxes = [t.box(0) for t in lay.texts]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not overlap(a, boxes[j]), (lay.texts[i].text, lay.texts[j].text)
        assert -0.5 <= a[0] and a[2] <= lay.width + 0.5 and -0.5 <= a[1] and a[3] <= lay.height + 0.5, lay.texts[i].text
    for s in lay.strokes:
        for t, (x0, y0, x1, y1) in zip(lay.texts, boxes):
            if s.x2 is None:  # a vertical line
                assert not (x0 < s.x < x1 and y0 < s.y2 and s.y1 < y1), f"a {s.kind} line crosses {t.text!r}"
            else:
                assert not (y0 < s.y1 < y1 and x0 < s.x2 and s.x < x1), f"a {s.kind} swatch crosses {t.text!r}"
    for b in lay.boxes:
        assert -0.5 <= b.x and b.x + b.w <= lay.width + 0.5
    assert len([t for t in lay.texts if t.kind == "tick"]) <= 7


@settings(max_examples=examples(60), deadline=None)
@given(models(), st.booleans())
def test_no_label_overlaps_or_is_crossed(model, narrow):
    check(layout(model, narrow=narrow))


def test_the_check_is_not_blind():
    from peerpay.io.charts import Stroke, Text

    lay = layout(ChartModel("t", "x", [Bar("A", 10.0, text="$10.00")]))
    lay.texts.append(Text(lay.texts[0].x, lay.texts[0].y, "overlapping", 13))
    with pytest.raises(AssertionError):
        check(lay)
    lay = layout(ChartModel("t", "x", [Bar("A", 10.0, text="$10.00")]))
    value = next(t for t in lay.texts if t.kind == "value")
    lay.strokes.append(Stroke(value.box(0)[0] + 3, 0, lay.height, "#000", kind="line"))
    with pytest.raises(AssertionError, match="crosses"):
        check(lay)


def test_a_banded_bar_is_drawn_as_its_band():
    model = ChartModel("t", "x", [Bar("Peer specialist", 20.0, True, text="$18–20 (band)", band=(18.0, 20.0)),
                                  Bar("Registered nurse", 46.9, text="$46.90")])
    for narrow in (False, True):
        lay = layout(model, narrow=narrow)
        band = next(b for b in lay.boxes if b.index == 0)
        assert band.x == pytest.approx(lay.x0 + 18 * lay.scale) and band.w == pytest.approx(2 * lay.scale)
        assert band.opacity < 1 and band.stroke  # a lighter box with an edge, not a bar from zero
        assert any(s.kind == "track" and s.x2 == pytest.approx(band.x) for s in lay.strokes)


def test_an_annual_axis_has_a_handful_of_numbers(cli):
    samples = Path(__file__).resolve().parents[1] / "samples"
    res = cli(["gap", "-r", samples / "roster.csv", "-s", samples / "schedule.csv", "--as-of", "2025-11-30", "--basis", "annual",
               "--reference", "bls-2025", "-f", "json"])
    report = json.loads(res.stdout)
    model = gap_chart_model(report, [("Poverty line", 7.52)])
    assert model.lines[0]["value"] == pytest.approx(7.52 * 2080)  # a line is drawn at its yearly pay
    for narrow in (False, True):
        lay = layout(model, narrow=narrow)
        ticks = [t.text for t in lay.texts if t.kind == "tick"]
        assert 2 <= len(ticks) <= 7 and ticks[0] == "$0" and all(t.endswith(",000") for t in ticks[1:])
        check(lay)
    page = svg(model, "annual")
    assert page.count('class="tick"') <= 7 and len(page) < 20_000


def test_phone_text_is_large_enough():
    model = ChartModel("t", "median pay", [Bar("Social and human service assistant (U.S., BLS)", 22.08, text="$22.08")],
                       [{"label": "Housing wage, 2-bedroom (Baltimore, MD, FY2024)", "value": 37.37, "kind": "housing"}])
    lay = layout(model, narrow=True)
    assert lay.width == 300 and min(t.size for t in lay.texts) >= 13  # 13 x 288 / 300 = 12.5 px on a 320 px phone
    assert [t.kind for t in lay.texts].count("key") >= 1  # on a phone the lines are listed in a key
    check(lay)


def test_png_and_svg_files_carry_the_same_layout(tmp_path):
    model = ChartModel("Median pay", "median pay, USD per hour",
                       [Bar("Registered nurse", 43.09, text="$43.09"), Bar("Peer specialist", 20.0, True, text="$18–20 (band)", band=(18.0, 20.0))],
                       [{"label": "MD minimum wage", "value": 15.0, "kind": "minimum_wage"}])
    png, data = draw(model, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert [(b["label"], b["value"], b["text"]) for b in data.bars] == [("Peer specialist", 20.0, "$18–20 (band)"),
                                                                      ("Registered nurse", 43.09, "$43.09")]
    assert data.lines == [{"label": "MD minimum wage", "value": 15.0}]
    text, _ = draw(model, "svg")
    body = text.decode()
    assert "$18–20 (band)" in body and "MD minimum wage $15.00" in body  # text kept as text, not glyph outlines
    assert draw(model, "svg")[0] == text  # the same bytes every time


def test_gap_chart_on_a_published_report_has_no_axis_numbers(cli):
    org = Path(__file__).resolve().parents[1] / "samples" / "small_org"
    res = cli(["gap", "-r", org / "roster.csv", "-s", org / "schedule.csv", "--as-of", "2025-11-30", "--publish", "-f", "json"])
    report = json.loads(res.stdout)
    _, data = gap_chart(report, "svg")
    assert [b["text"] for b in data.bars] == ["$18–20 (band)"]  # the peers; the other groups are withheld
    model = gap_chart_model(report)
    assert not model.ticks and not [t for t in layout(model).texts if t.kind == "tick"]
