"""Importing fee income: each engagement priced by the rate card in force on its first day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.models import Engagement

D = Decimal

CSV = (
    "Arrangör;Organisationsnummer;Första dag;Sista dag;Ämne;Talare\r\n"
    "Föreningen Digital Förvaltning;802011-2234;2010-05-03;2010-05-04;Öppenhet;Kommunchefen\r\n"
    "Region Exempelland;222000-1230;2011-02-01;;Sociala medier;Kommunchefen\r\n"
)


def test_engagements_import_priced_by_the_rate_cards(runner, db, make_rate_card, tmp_path):
    make_rate_card(
        valid_from=dt.date(2010, 1, 1), valid_to=dt.date(2010, 12, 31), day_rate=D("6000")
    )
    make_rate_card(valid_from=dt.date(2011, 1, 1), day_rate=D("8000"))
    path = tmp_path / "foreläsningar.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--kind", "income"])
    assert result.exit_code == 0, result.output
    fees = db.session.execute(
        sa.select(Engagement.started_days, Engagement.fee_amount, Engagement.source_row).order_by(
            Engagement.first_day
        )
    ).all()
    assert [tuple(f) for f in fees] == [(2, D("12000.00"), 2), (1, D("8000.00"), 3)]
    assert "Total SEK: 20,000.00" in result.output
    again = runner.invoke(args=["import", str(path), "--kind", "income"])
    assert again.exit_code == 0 and "already imported" in again.output.lower()


def test_an_engagement_without_a_rate_in_force_is_a_row_error(runner, db, tmp_path):
    path = tmp_path / "utan-arvode.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--kind", "income"])
    assert result.exit_code == 1
    assert "row 2" in result.output and "2010-05-03" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Engagement)) == 0
