"""The reports on the demo data: the year × vendor pivot, totals, the balance of a year, their
JSON, and that every figure leads to invoices whose sum is that figure."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.models import Invoice
from app.models import Vendor

D = Decimal
CONSULTANT = "Sociala Medier i Sörmland AB"


def _sql_sum(db, **where) -> tuple[Decimal, int]:
    """The sum excl. VAT and count of valid invoices, straight from the table."""
    query = sa.select(sa.func.coalesce(sa.func.sum(Invoice.net_amount), 0), sa.func.count()).where(
        Invoice.voided_at.is_(None)
    )
    for name, value in where.items():
        query = query.where(value if name == "clause" else getattr(Invoice, name) == value)
    amount, count = db.session.execute(query).one()
    return D(amount), count


def _consultant(db) -> Vendor:
    return db.session.scalar(sa.select(Vendor).where(Vendor.name == CONSULTANT))


def _list_sum(anonymous, url: str) -> Decimal:
    """The sum excl. VAT a list of invoices shows (Swedish notation read back)."""
    html = anonymous.get(url).get_data(as_text=True)
    match = re.search(r'class="total-figure">([^<]+)<', html)
    assert match, f"no sum on {url}"
    text = re.sub(r"[^\d,-]", "", unescape(match.group(1)))  # "1 234,50 kr", "1 234,50 US$"
    return D(text.replace(",", "."))


def test_the_pivot_shows_the_consultants_2010_total_and_its_link_lists_those_invoices(
    anonymous, demo
):
    vendor = _consultant(demo)
    expected, count = _sql_sum(
        demo,
        vendor_id=vendor.id,
        clause=Invoice.invoiced_on.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31)),
    )
    assert (expected, count) == (D("267350.00"), 15)  # the case's "a little over 267 000"

    data = anonymous.get("/reports/pivot.json").get_json()
    (sek,) = [p for p in data["pivots"] if p["currency"] == "SEK"]
    row = next(r for r in sek["vendors"] if r["vendor_id"] == vendor.id)
    cell = row["years"]["2010"]
    assert D(cell["amount"]) == expected and cell["count"] == count

    html = anonymous.get("/reports/").get_data(as_text=True)
    link = urlsplit(cell["invoices"])
    href = f"{link.path}?{link.query}"
    assert href.replace("&", "&amp;") in html  # the page links the figure the JSON names
    assert _list_sum(anonymous, href) == expected
    args = parse_qs(link.query)
    assert args["vendor"] == [str(vendor.id)] and args["year"] == ["2010"]


def test_every_figure_on_the_front_page_links_to_a_list_with_the_same_sum(anonymous, demo):
    data = anonymous.get("/reports/pivot.json").get_json()
    checked = 0
    for pivot in data["pivots"]:
        cells = [c for row in pivot["vendors"] for c in row["years"].values()]
        cells += list(pivot["year_totals"].values())
        if pivot["others"]:
            cells += list(pivot["others"]["years"].values())
        for cell in cells:
            link = urlsplit(cell["invoices"])
            assert _list_sum(anonymous, f"{link.path}?{link.query}") == D(cell["amount"])
            checked += 1
    # SEK: the consultant's 3 years, the phones' 2 and 3 year totals; USD: 2 + 1 + 2.
    assert checked == 13


def test_top_n_folds_the_rest_into_others_whose_link_excludes_the_shown_vendors(anonymous, demo):
    data = anonymous.get("/reports/pivot.json?top=1").get_json()
    (sek,) = [p for p in data["pivots"] if p["currency"] == "SEK"]
    assert len(sek["vendors"]) == 1 and sek["others"] is not None
    assert sek["others"]["vendor_count"] == sek["vendor_count"] - 1
    # The consultant's 90 100.00 + 267 350.00 + 44 500.00; the phones' 15 960.00 + 3 990.00.
    assert (sek["vendors"][0]["vendor"], sek["vendors"][0]["amount"]) == (CONSULTANT, "401950.00")
    assert (sek["others"]["amount"], sek["others"]["count"]) == ("19950.00", 2)
    assert sek["others"]["years"]["2010"]["amount"] == "15960.00"
    assert sek["amount"] == "421900.00"
    link = urlsplit(sek["others"]["invoices"])
    assert parse_qs(link.query)["not_vendor"] == [str(sek["vendors"][0]["vendor_id"])]
    assert _list_sum(anonymous, f"{link.path}?{link.query}") == D(sek["others"]["amount"])


def test_totals_json_rows_carry_keys_by_name_and_decimal_strings(anonymous, demo):
    vendor = _consultant(demo)
    data = anonymous.get("/reports/totals.json?by=year,vendor").get_json()
    assert data["by"] == ["year", "vendor"] and data["measure"] == "net"
    row = next(r for r in data["rows"] if r["vendor_id"] == vendor.id and r["year"] == 2010)
    assert set(row) >= {"year", "vendor", "vendor_id", "currency", "amount", "count", "share"}
    assert row["vendor"] == CONSULTANT and row["currency"] == "SEK"
    assert isinstance(row["amount"], str) and re.fullmatch(r"-?\d+\.\d\d", row["amount"])
    expected, count = _sql_sum(
        demo,
        vendor_id=vendor.id,
        clause=Invoice.invoiced_on.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31)),
    )
    assert D(row["amount"]) == expected and row["count"] == count
    # Shares of the SEK total of 90 100.00 + 267 350.00 + 15 960.00 + 44 500.00 + 3 990.00
    # = 421 900.00, to three places (a tenth of a percent).
    assert {
        (r["year"], r["vendor"]): r["share"] for r in data["rows"] if r["currency"] == "SEK"
    } == {
        (2009, CONSULTANT): "0.214",  # 90 100.00
        (2010, CONSULTANT): "0.634",  # 267 350.00
        (2010, "Telefonbutiken i Katrineholm AB"): "0.038",  # 15 960.00
        (2011, CONSULTANT): "0.105",  # 44 500.00
        (2011, "Telefonbutiken i Katrineholm AB"): "0.009",  # 3 990.00
    }


def test_totals_measure_gross_and_vat_add_up(anonymous, demo):
    def amounts(measure):
        data = anonymous.get(f"/reports/totals.json?by=year&measure={measure}").get_json()
        return {(r["year"], r["currency"]): D(r["amount"]) for r in data["rows"]}

    # 25 % VAT on every invoice in kronor; none on the dollar subscriptions.
    assert amounts("net") == {
        (2009, "SEK"): D("90100.00"),
        (2010, "SEK"): D("283310.00"),
        (2011, "SEK"): D("48490.00"),
        (2010, "USD"): D("84.90"),
        (2011, "USD"): D("24.95"),
    }
    assert amounts("vat") == {
        (2009, "SEK"): D("22525.00"),
        (2010, "SEK"): D("70827.50"),
        (2011, "SEK"): D("12122.50"),
        (2010, "USD"): D("0.00"),
        (2011, "USD"): D("0.00"),
    }
    assert amounts("gross") == {
        (2009, "SEK"): D("112625.00"),
        (2010, "SEK"): D("354137.50"),
        (2011, "SEK"): D("60612.50"),
        (2010, "USD"): D("84.90"),
        (2011, "USD"): D("24.95"),
    }


def test_totals_by_category_and_month_link_to_lists_with_the_same_sum(anonymous, demo):
    for by in ("category", "month,department", "contract", "department,vendor"):
        data = anonymous.get(f"/reports/totals.json?by={by}").get_json()
        assert data["rows"], by
        for row in data["rows"][:6]:
            link = urlsplit(row["invoices"])
            assert _list_sum(anonymous, f"{link.path}?{link.query}") == D(row["amount"]), (by, row)


def test_the_totals_page_groups_by_what_it_is_asked_and_says_what_it_ignored(anonymous, demo):
    response = anonymous.get("/reports/totals?by=vendor&by=year&date=paid&measure=nonsense")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONSULTANT in html
    assert "measure=nonsense" in html  # named among what could not be read
    assert "betalningsdatum" in html  # the page says which date it uses


def test_the_totals_table_comes_a_page_of_rows_at_a_time(anonymous, demo, monkeypatch):
    """Every row once over the pages, in the JSON's order; the sums over all of them."""
    from app.web.reports import views

    monkeypatch.setattr(views, "TOTALS_ROWS", 3)
    everything = anonymous.get("/reports/totals.json?by=vendor,year").get_json()
    expected = [(r["vendor"], str(r["year"])) for r in everything["rows"]]
    pages = -(-len(expected) // 3)
    assert pages > 2
    seen = []
    html = anonymous.get("/reports/totals?by=vendor&by=year").get_data(as_text=True)
    totals = re.findall(r'class="total-figure">(.*?)</strong>', html, re.S)
    assert totals
    for page in range(1, pages + 1):
        html = anonymous.get(f"/reports/totals?by=vendor&by=year&page={page}").get_data(
            as_text=True
        )
        body = html[html.index("<tbody>") : html.index("</tbody>")]
        rows = re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a></th>\s*<td[^>]*>(\d+)</td>', body)
        seen += [(unescape(name), year) for name, year in rows]
        first = (page - 1) * 3 + 1
        last = min(page * 3, len(expected))
        assert f"{first}–{last} av {len(expected)}" in html
        assert ('rel="next"' in html) == (page < pages)
        assert ('rel="prev"' in html) == (page > 1)
        # The totals above the table are the whole grouping's, on every page.
        assert totals == re.findall(r'class="total-figure">(.*?)</strong>', html, re.S)
    assert seen == expected
    # Past the last page: the last page.
    html = anonymous.get("/reports/totals?by=vendor&by=year&page=9999").get_data(as_text=True)
    assert f"{(pages - 1) * 3 + 1}–{len(expected)} av {len(expected)}" in html


def test_a_wrong_report_argument_never_breaks_the_page(anonymous, demo):
    for query in (
        "year=abc",
        "by=planet",
        "vendor=-3",
        "from=2010-13-01",
        "min=12,345",
        "top=0",
        "top=99999",
        "currency=kronor",
        "by=year,vendor,category",
    ):
        for path in ("/reports/", "/reports/totals", "/reports/totals.json", "/reports/pivot.json"):
            response = anonymous.get(f"{path}?{query}")
            assert response.status_code == 200, (path, query)
        assert anonymous.get(f"/reports/balance?{query}").status_code in (200, 302)


def test_the_balance_of_2010_shows_102000_of_income_at_6000_per_day(anonymous, demo):
    """17 started days at 6 000.00 against 267 350.00 to the consultant and 15 960.00 for
    phones; the dollar subscriptions (24.95 + 59.95) apart."""
    data = anonymous.get("/reports/balance.json?year=2010").get_json()
    assert data["currencies"] == {
        "SEK": {"costs": "283310.00", "income": "102000.00", "net": "-181310.00"},
        "USD": {"costs": "84.90", "income": "0.00", "net": "-84.90"},
    }
    costs, _ = _sql_sum(
        demo,
        currency="SEK",
        clause=Invoice.invoiced_on.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31)),
    )
    assert costs == D("283310.00")
    assert [
        (r["organiser"], r["day_rate"], r["started_days"], r["amount"], r["count"])
        for r in data["income_by_organiser"]
    ] == [
        ("Ledarskapsforum Offentlig Sektor AB", "6000.00", 5, "30000.00", 2),
        ("Föreningen Digital Förvaltning", "6000.00", 4, "24000.00", 2),
        ("Konferens Webb och Demokrati AB", "6000.00", 3, "18000.00", 2),
        ("Nätverket Offentlig Kommunikation", "6000.00", 2, "12000.00", 2),
        ("Region Exempelland", "6000.00", 2, "12000.00", 2),
        ("Kommunalförbundet Mälardalen (exempel)", "6000.00", 1, "6000.00", 1),
    ]
    assert [(r["vendor"], r["currency"], r["amount"], r["count"])
            for r in data["costs_by_vendor"]] == [
        (CONSULTANT, "SEK", "267350.00", 15),
        ("Telefonbutiken i Katrineholm AB", "SEK", "15960.00", 1),
        ("Videodelning Inc.", "USD", "59.95", 1),
        ("Bildarkivet Online Ltd", "USD", "24.95", 1),
    ]  # fmt: skip

    html = anonymous.get("/reports/balance?year=2010").get_data(as_text=True)
    assert "6\u00a0000,00\u00a0kr" in html
    assert "Intäkter" in html and "Netto" in html


def test_the_balance_of_2011_prices_days_at_8000(anonymous, demo):
    data = anonymous.get("/reports/balance.json?year=2011").get_json()
    assert [
        (r["organiser"], r["day_rate"], r["started_days"], r["amount"])
        for r in data["income_by_organiser"]
    ] == [
        ("Föreningen Digital Förvaltning", "8000.00", 2, "16000.00"),
        ("Nätverket Offentlig Kommunikation", "8000.00", 1, "8000.00"),
        ("Region Exempelland", "8000.00", 1, "8000.00"),
    ]
    # 8 500.00 + 3 × 12 000.00 to the consultant and 3 990.00 for a phone.
    assert data["currencies"]["SEK"] == {
        "costs": "48490.00",
        "income": "32000.00",
        "net": "-16490.00",
    }


def test_the_balance_without_a_year_redirects_to_the_latest_one(anonymous, demo):
    response = anonymous.get("/reports/balance")
    assert response.status_code == 302
    assert "year=" in response.headers["Location"]


def test_reports_pages_render_with_charts_and_links(anonymous, demo):
    html = anonymous.get("/reports/").get_data(as_text=True)
    assert "<svg" in html and 'role="group"' in html  # its bars are links
    assert "/invoices/?" in html
    html = anonymous.get("/reports/balance?year=2010").get_data(as_text=True)
    assert "<svg" in html


def test_figures_dated_by_payment_lead_to_lists_dated_the_same_way(anonymous, demo):
    data = anonymous.get("/reports/pivot.json?date=paid").get_json()
    assert data["date_basis"] == "paid"
    cells = [c for p in data["pivots"] for row in p["vendors"] for c in row["years"].values()]
    assert cells
    for cell in cells:
        link = urlsplit(cell["invoices"])
        assert parse_qs(link.query)["date"] == ["paid"]
        assert _list_sum(anonymous, f"{link.path}?{link.query}") == D(cell["amount"])


def test_record_pages_link_to_their_totals_and_the_totals_link_back(anonymous, demo, demo_ids):
    """No dead ends: a vendor, contract, category, department or import leads to its totals,
    and those totals name it with a link back."""
    pages = {
        f"/vendors/{demo_ids['vendor']}": ("vendor", f"/vendors/{demo_ids['vendor']}"),
        f"/contracts/{demo_ids['contract']}": ("contract", f"/contracts/{demo_ids['contract']}"),
        f"/lists/categories/{demo_ids['category']}": (
            "category",
            f"/lists/categories/{demo_ids['category']}",
        ),
        f"/lists/departments/{demo_ids['department']}": (
            "department",
            f"/lists/departments/{demo_ids['department']}",
        ),
        f"/imports/batches/{demo_ids['import_batch']}": (
            "batch",
            f"/imports/batches/{demo_ids['import_batch']}",
        ),
    }
    for page, (arg, back) in pages.items():
        html = anonymous.get(page).get_data(as_text=True)
        links = re.findall(r'href="(/reports/totals\?[^"]+)"', html)
        assert links, page
        target = unescape(links[0])
        assert parse_qs(urlsplit(target).query)[arg] == [back.rsplit("/", 1)[1]], target
        totals = anonymous.get(target)
        assert totals.status_code == 200
        assert f'href="{back}"' in totals.get_data(as_text=True), (page, target)


def test_the_front_page_shows_costs_against_income_and_what_still_holds(anonymous, demo):
    html = anonymous.get("/").get_data(as_text=True)
    assert "<svg" in html and "Kostnader" in html and "Intäkter" in html  # the chart
    flags = html[html.index('id="front-flags"') :]
    assert "Att granska 2011" in flags
    # Flags that still hold, not those an amendment cleared in 2010.
    assert 'class="flag flag-direct_award"' in flags and 'class="flag flag-amendments"' in flags
    assert "flag-closed" not in flags
    assert 'href="/reports/balance?year=2011#flags-heading"' in flags


def test_the_front_page_of_an_empty_database_has_no_chart_and_no_flags(anonymous, db):
    html = anonymous.get("/").get_data(as_text=True)
    assert "Ingenting är registrerat ännu." in html
    assert "<svg" not in html and 'id="front-flags"' not in html


def test_totals_per_month_draw_every_month_and_each_bar_leads_to_its_invoices(anonymous, demo):
    html = anonymous.get("/reports/totals?by=month&year=2010&currency=SEK").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    months = re.findall(r'class="chart-category">(\d{4}-\d\d)<', svg)
    assert months == [f"2010-{m:02d}" for m in range(1, 13)]  # July, without invoices, too
    bars = re.findall(r'<a href="([^"]+)" class="chart-link"><title>[^<]*: ([^<]+)</title>', svg)
    assert len(bars) == 11
    for href, amount in bars:
        figure = D(re.sub(r"[^\d,-]", "", unescape(amount)).replace(",", "."))
        assert _list_sum(anonymous, unescape(href)) == figure


def test_totals_by_year_and_category_stack_the_categories_and_by_vendor_draw_nothing(
    anonymous, demo
):
    html = anonymous.get("/reports/totals?by=year,category&currency=SEK").get_data(as_text=True)
    assert "<svg" in html and "category=" in html[html.index("<svg") : html.index("</svg>")]
    assert "chart-legend" in html and "Strategi" in html
    assert "<svg" not in anonymous.get("/reports/totals?by=vendor").get_data(as_text=True)


def test_the_vendor_page_charts_its_years_and_each_bar_leads_to_its_invoices(
    anonymous, demo, demo_ids
):
    html = anonymous.get(f"/vendors/{demo_ids['vendor']}").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(r'<a href="([^"]+)" class="chart-link"><title>[^<]*: ([^<]+)</title>', svg)
    assert [re.search(r"year=(\d+)", unescape(h)).group(1) for h, _ in bars] == [
        "2009", "2010", "2011"
    ]  # fmt: skip
    for href, amount in bars:
        figure = D(re.sub(r"[^\d,-]", "", unescape(amount)).replace(",", "."))
        assert _list_sum(anonymous, unescape(href)) == figure
