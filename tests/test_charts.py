"""Server-drawn SVG charts: well-formed, accessible, escaped, exact with money."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from defusedxml.ElementTree import fromstring
from markupsafe import Markup

from app.charts import Marker
from app.charts import Point
from app.charts import Series
from app.charts import Step
from app.charts import burndown
from app.charts import grouped_bars
from app.charts import stacked_bars
from app.charts.scale import date_ticks
from app.charts.scale import nice_ticks
from app.money import format_money

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"
YEARS = ["2021", "2022", "2023"]


def money(amount: D) -> str:
    return format_money(amount, locale="sv")


def parse(chart: Markup) -> ET.Element:
    """The chart as an xml.etree element (defusedxml also refuses DTDs and entity tricks)."""
    assert isinstance(chart, Markup)
    return fromstring(str(chart))


def find(root: ET.Element, tag: str, css: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{SVG}{tag}")
    return [e for e in found if css is None or css in e.get("class", "").split()]


def bar_y_range(rect: ET.Element) -> tuple[float, float]:
    top = float(rect.get("y"))
    return top, top + float(rect.get("height"))


def near(value: float):
    """Coordinates are written with one decimal, so a sum of two may be off by 0.1."""
    return pytest.approx(value, abs=0.15)


def zero_y(root: ET.Element) -> float:
    return float(find(root, "line", "chart-zero")[0].get("y1"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in find(root, "text")]


def vendors() -> list[Series]:
    return [
        Series("Acme AB", [D("1200.00"), D("800.00"), None], hrefs=["/a/2021", "/a/2022"]),
        Series("Beta HB", [D("300.50"), D("0"), D("450.25")]),
        Series("Övriga", [D("100"), D("200"), D("300")], is_other=True),
    ]


def stacked(categories=YEARS, series=None, **options) -> Markup:
    options = {"title": "Kostnader", "description": "Per år.", "value_label": "kr"} | options
    return stacked_bars(
        categories, vendors() if series is None else series, formatter=money, **options
    )


def grouped(categories, series, **options) -> Markup:
    options = {"title": "Netto", "description": "Per år.", "value_label": "kr"} | options
    return grouped_bars(categories, series, formatter=money, **options)


def contract(**options) -> Markup:
    options = {
        "title": "Avtal 7",
        "description": "Fakturerat mot tak.",
        "value_label": "kr",
        "invoiced_label": "Fakturerat",
        "limit_label": "Takbelopp",
        "formatter": money,
    } | options
    points = [
        Point(dt.date(2021, 2, 1), D("40000"), "/invoices/1"),
        (dt.date(2021, 6, 1), D("90000")),
        Point(dt.date(2022, 3, 1), D("130000")),
    ]
    limits = [Step(dt.date(2021, 1, 1), D("100000")), (dt.date(2021, 9, 1), D("150000"))]
    markers = [Marker(dt.date(2021, 9, 1), "Ändring 1", "/contracts/7/amendments/1")]
    return burndown(points, limits, markers, **options)


# The figure: accessible, responsive, well-formed


@pytest.mark.parametrize("build", [stacked, contract])
def test_a_chart_is_a_responsive_image_named_and_described(build):
    root = parse(build())
    assert root.tag == f"{SVG}svg"
    # An image, unless its marks link to their evidence: then a group, whose links stay
    # links (axe-core: no interactive control nested in an image).
    links = root.findall(f".//{SVG}a")
    assert root.get("role") == ("group" if links else "img")
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 720 ")
    assert "style" not in str(build())
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text in ("Kostnader", "Avtal 7")


def test_the_description_states_the_data_with_the_callers_formatter():
    desc = parse(stacked()).find(f"{SVG}desc").text
    assert desc.startswith("Per år. 2021: Acme AB 1\u00a0200,00\u00a0kr; Beta HB 300,50\u00a0kr")
    assert "2023: Beta HB 450,25\u00a0kr; Övriga 300,00\u00a0kr." in desc


def test_two_charts_on_one_page_have_different_ids_unless_given_one():
    first, second = parse(stacked()), parse(stacked())
    assert first.get("id") != second.get("id")
    assert parse(stacked(chart_id="costs by year!")).get("id") == "costs-by-year-"


# Stacked bars


def test_one_segment_per_non_zero_amount_and_a_legend_entry_per_series():
    root = parse(stacked())
    assert len(find(root, "rect", "chart-bar")) == 7  # 9 cells, one None and one zero
    legend = find(root, "g", "chart-legend")[0]
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Acme AB", "Beta HB", "Övriga"]


def test_segments_with_an_href_link_to_their_evidence_with_a_tooltip():
    root = parse(stacked())
    links = find(root, "a")
    assert [a.get("href") for a in links] == ["/a/2021", "/a/2022"]
    assert links[0].find(f"{SVG}title").text == "Acme AB, 2021: 1\u00a0200,00\u00a0kr"
    assert links[0].find(f"{SVG}rect") is not None
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert "Beta HB, 2023: 450,25\u00a0kr" in tooltips


def test_an_unsafe_href_is_not_linked():
    series = [Series("X", [D(1)], hrefs=["javascript:alert(1)"])]
    chart = stacked(["2021"], series)
    assert "javascript" not in chart
    assert not find(parse(chart), "a")


def test_segments_stack_upwards_in_series_order():
    root = parse(stacked())
    acme, beta, other = find(root, "rect", "chart-bar")[:3]
    assert bar_y_range(acme)[1] == near(zero_y(root))
    assert bar_y_range(beta)[1] == near(bar_y_range(acme)[0])
    assert bar_y_range(other)[1] == near(bar_y_range(beta)[0])


def test_totals_are_summed_exactly_in_decimal():
    seen = []

    def spy(amount):
        seen.append(amount)
        return money(amount)

    series = [Series("A", [D("0.10")]), Series("B", [D("0.20")])]
    chart = stacked_bars(
        ["2021"], series, title="t", description="d", value_label="kr", formatter=spy
    )
    assert all(isinstance(a, D) for a in seen)
    assert D("0.30") in seen
    assert "0,30\u00a0kr" in texts(parse(chart))


def test_credit_notes_hang_below_the_zero_line():
    series = [Series("A", [D("500"), D("400")]), Series("B", [D("-200"), D("100")])]
    root = parse(stacked(["2021", "2022"], series))
    credit = find(root, "rect", "chart-bar")[1]
    top, bottom = bar_y_range(credit)
    assert top == near(zero_y(root))
    assert bottom > top
    assert "300,00\u00a0kr" in texts(root)  # the net total of 2021


def test_a_single_category():
    root = parse(stacked(["2024"], [Series("A", [D("10")]), Series("B", [D("5")])]))
    assert len(find(root, "rect", "chart-bar")) == 2
    assert "2024" in texts(root)


def test_many_series_cycle_colours_and_patterns_and_the_legend_wraps():
    long = "Konsultbolaget med ett mycket långt namn i Stockholm AB"
    many = [Series(f"{long} {i}" if i % 3 == 0 else f"V{i}", [D(i + 1)]) for i in range(14)]
    root = parse(stacked(["2024"], many))
    fills = [r.get("fill") for r in find(root, "rect", "chart-bar")]
    assert len(set(fills)) == 14  # no two series look alike
    assert len(find(root, "pattern")) >= 10  # patterns, not colour alone, for print
    legend = find(root, "g", "chart-legend")[0]
    items = legend.findall(f"{SVG}g")
    assert len(items) == 14
    assert len({i.get("transform") for i in items}) == 14  # no two entries on one spot
    labels = ["".join(i.find(f"{SVG}text").itertext()) for i in items]
    assert all(len(label) <= 34 for label in labels)
    assert items[0].find(f"{SVG}title").text == f"{long} 0"  # the cut name in full
    few = parse(stacked(["2024"], many[:2]))
    assert float(root.get("viewBox").split()[3]) > float(few.get("viewBox").split()[3])


def test_the_other_series_is_neutral_grey():
    root = parse(stacked())
    assert find(root, "rect", "chart-bar")[2].get("fill") == "#c5cbd3"


# Grouped bars


def test_grouped_bars_side_by_side_with_negative_values_below_zero():
    series = [
        Series("Kostnader", [D("3500"), D("3400")]),
        Series("Intäkter", [D("400"), D("-80")], hrefs=[None, "/income/2022"]),
    ]
    root = parse(grouped(["2021", "2022"], series))
    bars = find(root, "rect", "chart-bar")
    assert len(bars) == 4
    xs = [float(b.get("x")) for b in bars]
    assert xs[0] < xs[1] < xs[2] < xs[3]  # 2021 costs, 2021 income, 2022 costs, 2022 income
    zero = zero_y(root)
    assert bar_y_range(bars[0])[1] == near(zero)
    assert bar_y_range(bars[3])[0] == near(zero)
    assert [a.get("href") for a in find(root, "a")] == ["/income/2022"]
    assert "Intäkter, 2022: -80,00\u00a0kr" in [t.text for t in root.iter(f"{SVG}title")]


def test_grouped_bars_all_negative_single_category():
    root = parse(grouped(["2024"], [Series("Netto", [D("-250000")])]))
    (bar,) = find(root, "rect", "chart-bar")
    assert bar_y_range(bar)[0] == near(zero_y(root))
    assert bar_y_range(bar)[1] > zero_y(root) + 100


# Escaping


def test_hostile_text_comes_out_as_text_everywhere():
    series = [Series(HOSTILE, [D(1), D(2)], hrefs=['/v?name="><script>'])]
    chart = stacked(
        [HOSTILE, "2022\x00"],
        series,
        title=HOSTILE,
        description=HOSTILE,
        value_label=HOSTILE,
        chart_id=HOSTILE,
    )
    assert "<script" not in chart
    assert "&lt;script&gt;" in chart
    root = parse(chart)  # parses: nothing broke out of an attribute or element
    assert root.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in texts(root)
    assert "2022" in texts(root)  # the control character is gone
    assert find(root, "a")[0].get("href") == '/v?name="><script>'


def test_hostile_marker_labels_and_legend_labels_in_a_burndown():
    chart = burndown(
        [(dt.date(2021, 1, 1), D(1))],
        [(dt.date(2021, 1, 1), D(2))],
        [(dt.date(2021, 1, 5), HOSTILE)],
        title="t",
        description="d",
        value_label="kr",
        invoiced_label=HOSTILE,
        limit_label="&amp;",
        formatter=money,
    )
    assert "<script" not in chart
    root = parse(chart)
    assert HOSTILE in texts(root)
    assert "&amp;" in texts(root)


# Empty data


@pytest.mark.parametrize(
    ("categories", "series"),
    [
        ([], []),
        (["2021"], []),
        ([], [Series("A", [])]),
        (["2021", "2022"], [Series("A", [None, None])]),
        (["2021"], [Series("A", [D(0)])]),
    ],
)
def test_nothing_to_draw_is_empty_markup(categories, series):
    for build in (stacked, lambda c, s: grouped(c, s)):
        chart = build(categories, series)
        assert chart == Markup("")
        assert not chart


def test_an_empty_burndown_is_empty_markup():
    chart = burndown(
        [],
        [],
        [Marker(dt.date(2021, 1, 1), "x")],
        title="t",
        description="d",
        value_label="kr",
        invoiced_label="i",
        limit_label="l",
        formatter=money,
    )
    assert chart == Markup("") and not chart


def test_mismatched_series_and_float_amounts_are_refused():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        stacked(YEARS, [Series("A", [D(1), D(2)])])
    with pytest.raises(TypeError, match="not float"):
        stacked(["2021"], [Series("A", [1.5])])
    with pytest.raises(TypeError, match="not float"):
        burndown(
            [(dt.date(2021, 1, 1), 1.5)],
            title="t",
            description="d",
            value_label="kr",
            invoiced_label="i",
            limit_label="l",
            formatter=money,
        )


# Burn-down


def test_burndown_draws_every_point_the_ceiling_and_the_markers():
    root = parse(contract(marker_label="Ändring"))
    points = [e for e in root.iter() if "chart-point" in e.get("class", "").split()]
    assert len(points) == 3
    assert len(find(root, "path", "chart-limit")) == 1
    assert len(find(root, "path", "chart-line")) == 1
    (marker,) = find(root, "g", "chart-marker")
    assert "Ändring 1" in texts(marker)
    hrefs = [a.get("href") for a in find(root, "a")]
    assert hrefs == ["/contracts/7/amendments/1", "/invoices/1"]
    legend = "".join(find(root, "g", "chart-legend")[0].itertext())
    assert "Fakturerat" in legend and "Takbelopp" in legend and "Ändring" in legend


def test_points_above_the_ceiling_in_force_are_marked():
    # 130 000 in March 2022 is under the amended 150 000; 120 000 in June 2021 was over 100 000.
    points = [(dt.date(2021, 6, 1), D("120000")), (dt.date(2022, 3, 1), D("130000"))]
    limits = [(dt.date(2021, 1, 1), D("100000")), (dt.date(2021, 9, 1), D("150000"))]
    root = parse(
        burndown(
            points,
            limits,
            title="t",
            description="d",
            value_label="kr",
            invoiced_label="i",
            limit_label="l",
            over_label="Över taket",
            formatter=money,
        )
    )
    lines = find(root, "g", "chart-lines")[0]
    over = [e for e in lines.iter() if "chart-point-over" in e.get("class", "").split()]
    assert len(over) == 1
    assert "Över taket: 2021-06-01 120\u00a0000,00\u00a0kr." in root.find(f"{SVG}desc").text
    assert "Över taket" in "".join(find(root, "g", "chart-legend")[0].itertext())


def test_burndown_ticks_years_for_a_long_contract_and_months_for_a_short_one():
    years = parse(contract(start=dt.date(2020, 1, 1), end=dt.date(2025, 12, 31)))
    assert {"2021", "2022", "2023", "2024", "2025"} <= set(texts(years))
    months = parse(
        burndown(
            [(dt.date(2021, 2, 10), D(10)), (dt.date(2021, 5, 20), D(30))],
            title="t",
            description="d",
            value_label="kr",
            invoiced_label="i",
            limit_label="l",
            formatter=money,
        )
    )
    assert {"2021-03", "2021-04", "2021-05"} <= set(texts(months))


def test_a_single_point_burndown_has_room_on_both_sides():
    root = parse(
        burndown(
            [Point(dt.date(2021, 6, 15), D("5000"))],
            title="t",
            description="d",
            value_label="kr",
            invoiced_label="i",
            limit_label="l",
            formatter=money,
        )
    )
    (dot,) = find(root, "circle", "chart-point")
    assert 100 < float(dot.get("cx")) < 700


# Scales


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        ("0", "3450000", ["0", "1000000", "2000000", "3000000", "4000000"]),
        ("0", "90", ["0", "20", "40", "60", "80", "100"]),
        ("-80", "700", ["-200", "0", "200", "400", "600", "800"]),
        ("0", "1.2", ["0", "0.25", "0.5", "0.75", "1", "1.25"]),
        ("0", "0", ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    ],
)
def test_nice_ticks_are_round_decimals_covering_zero(lo, hi, expected):
    assert nice_ticks(D(lo), D(hi)) == [D(e) for e in expected]


def test_date_ticks():
    assert [label for _, label in date_ticks(dt.date(2019, 5, 1), dt.date(2024, 2, 1))] == [
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
    ]
    quarter = date_ticks(dt.date(2021, 1, 15), dt.date(2021, 4, 20))
    assert [label for _, label in quarter] == ["2021-02", "2021-03", "2021-04"]
    short = date_ticks(dt.date(2021, 1, 3), dt.date(2021, 1, 20))
    assert [label for _, label in short] == ["2021-01-03", "2021-01-20"]


def test_many_short_labels_are_written_whole_under_every_nth_bar():
    """Fifteen years of months: 180 bars too narrow for "2010-01"; every label shown is whole,
    they do not overlap, and the first month is among them."""
    months = [f"{year}-{month:02d}" for year in range(2010, 2025) for month in range(1, 13)]
    series = [Series("exkl. moms", [D(1000 + i) for i in range(len(months))])]
    root = parse(stacked(months, series))
    labels = find(root, "text", "chart-category")
    shown = ["".join(e.itertext()) for e in labels]
    assert shown[0] == "2010-01" and 5 < len(shown) < 60
    assert all(text in months for text in shown)  # whole, never cut
    xs = [float(e.get("x")) for e in labels]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert min(gaps) > 7 * 0.6 * 12  # at least the width of "2010-01" apart


def test_a_page_drawn_twice_is_the_same_to_the_byte(demo, anonymous):
    """Each page numbers its charts from 1, so a page does not change (nor its ETag) because
    other pages were drawn before it."""
    for url in ("/", "/reports/", "/reports/balance?year=2010"):
        first = anonymous.get(url)
        anonymous.get("/reports/")  # charts drawn in between
        again = anonymous.get(url)
        assert first.status_code == again.status_code == 200
        assert b'id="chart-1"' in first.data
        assert first.data == again.data, url
