"""One search box: vendors, contracts, invoices and fee income holding a text, with sums that
equal the lists they link to."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.test_reports import _list_sum as list_sum  # the sum an invoice list shows


def _page(client, q: str) -> str:
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_vendors_name_finds_it_with_its_total_and_its_invoices_sum_to_it(anonymous, demo):
    html = _page(anonymous, "sociala medier")
    vendors = html[html.index('id="search-vendors"') :]
    assert "Sociala Medier i Sörmland AB" in vendors and "556677-8899" in vendors
    assert "401\u00a0950,00\u00a0kr" in vendors  # 2009–2011 excl. VAT
    link = re.search(r'href="(/invoices/\?vendor=\d+&amp;currency=SEK&amp;status=active)"', vendors)
    assert list_sum(anonymous, link.group(1).replace("&amp;", "&")) == Decimal("401950.00")


def test_an_org_number_a_registry_number_and_a_description_are_found(anonymous, demo):
    assert "Sociala Medier i Sörmland AB" in _page(anonymous, "5566778899")
    contracts = _page(anonymous, "KS 2009/412")
    assert 'id="search-contracts"' in contracts and "Konsultstöd" in contracts
    invoices = _page(anonymous, "Webbsändning av fyra")
    assert 'id="search-invoices"' in invoices
    link = re.search(r'href="(/invoices/\?q=[^"]+)"', invoices).group(1).replace("&amp;", "&")
    figure = re.search(r"fakturor, ([\d\u00a0]+,\d\d)\u00a0kr</a>", invoices).group(1)
    assert list_sum(anonymous, link) == Decimal(figure.replace("\u00a0", "").replace(",", "."))


def test_fee_income_is_found_by_organiser(anonymous, demo):
    html = _page(anonymous, "Region Exempelland")
    assert 'id="search-income"' in html and "/income/?q=Region+Exempelland" in html


def test_nothing_found_an_empty_search_and_hostile_text_are_calm(anonymous, demo):
    assert 'id="search-nothing"' in _page(anonymous, "zzzz-inget-sådant")
    assert "search-nothing" not in _page(anonymous, "") and "Sök leverantörer" in _page(
        anonymous, ""
    )
    hostile = _page(anonymous, "<script>alert(1)</script>%_\\" + "x" * 500)
    assert "<script>alert(1)</script>" not in hostile and "&lt;script&gt;" in hostile


def test_the_header_carries_the_search_box(anonymous, demo):
    html = anonymous.get("/reports/").get_data(as_text=True)
    assert '<form method="get" action="/search" class="header-search" role="search">' in html
