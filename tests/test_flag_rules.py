"""The amendment review share is data an administrator keeps: everyone reads it on the
thresholds page, an administrator changes it there (a clerk or a passer-by cannot), a share
that is not a sensible percentage is refused in the user's words with nothing changed, every
contract's stored flags follow it in the same transaction, and the audit trail records it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import AmendmentKind
from app.models import AuditEvent
from app.models import ContractFlagSet
from app.models import FlagSettings
from app.services import flag_store
from app.services.contracts import add_amendment
from app.services.errors import ServiceError
from app.services.flag_rules import flag_rules
from app.services.flag_rules import flag_settings
from app.services.flag_rules import update_review_share

D = Decimal
PAGE = "/reports/thresholds/"
EDIT = "/reports/thresholds/review-share"
#: The amendment flag's sentence, as the contract's page says it in Swedish.
INFLATION = "Ändringar har höjt takbeloppet"


@pytest.fixture
def raised(db, make_contract, make_invoice):
    """A 100 000.00 contract an amendment of 1 June raised by 20 000.00 (+20 %), with
    110 000.00 invoiced after it: flagged under the starting share of 10 %."""
    contract = make_contract(ceiling_amount=D("100000.00"), hour_quota=None, hourly_rate=None)
    add_amendment(
        contract,
        {
            "dated_on": dt.date(2010, 6, 1),
            "kind": AmendmentKind.EXPANSION,
            "added_amount": D("20000.00"),
            "reason": "Utökat uppdrag",
        },
    )
    make_invoice(
        vendor=contract.vendor,
        contract=contract,
        invoiced_on=dt.date(2010, 9, 1),
        net_amount=D("110000.00"),
    )
    db.session.commit()
    return contract


def _kinds(contract) -> list[str]:
    return [f.kind for f in flag_store.flags_of([contract])[contract.id]]


def _share(db) -> tuple[Decimal, int]:
    db.session.expire_all()
    settings = db.session.get(FlagSettings, 1)
    return settings.amendment_review_percent, settings.version


def test_the_share_starts_at_ten_percent_in_one_row(db):
    assert flag_rules().review_percent == D("10.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FlagSettings)) == 1


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("-1", "cannot be negative"),
        (D("-0.01"), "cannot be negative"),
        ("tio", "“tio” is not a share in percent"),
        ("1e2", "is not a share in percent"),
        ("NaN", "is not a share in percent"),
        (float("inf"), "is not a share in percent"),
        (True, "is not a share in percent"),
        ("", "Give the share in percent"),
        (None, "Give the share in percent"),
        ("1000,01", "at most 1000 percent"),
        ("7,555", "at most two decimals"),
    ],
)
def test_the_service_refuses_a_share_that_is_not_a_sensible_percentage(db, raised, typed, said):
    before = _share(db)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with pytest.raises(ServiceError) as refused:
        update_review_share(flag_settings(), {"amendment_review_percent": typed})
    assert said in str(refused.value)
    assert refused.value.field == "amendment_review_percent"
    db.session.rollback()  # as a view does on a refusal
    assert _share(db) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events
    assert _kinds(raised) == ["amendments"]
    assert flag_store.differences() == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("7,5", D("7.50")), ("7.5 %", D("7.50")), (" 0 ", D("0")), (25, D("25")),
     (D("12.25"), D("12.25")), ("1000", D("1000"))],
)  # fmt: skip
def test_the_service_reads_a_share_as_people_write_it(db, typed, kept):
    update_review_share(flag_settings(), {"amendment_review_percent": typed})
    assert flag_rules().review_percent == kept


def test_the_database_keeps_one_row_and_no_negative_share(db):
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.insert(FlagSettings).values(
                id=2, amendment_review_percent=D("5"), created_at=now, updated_at=now
            )
        )
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.connection().execute(
            sa.text("UPDATE flag_settings SET amendment_review_percent = -1")
        )
    assert _share(db)[0] == D("10.00")


def test_everyone_reads_the_share_and_only_an_administrator_is_offered_a_change(
    anonymous, client, admin_client
):
    for reader in (anonymous, client):
        html = reader.get(PAGE).get_data(as_text=True)
        assert "Granskningsgräns för ändringar" in html
        assert "med mer än 10\u00a0% av det ursprungliga värdet flaggas" in html
        assert EDIT not in html
    assert EDIT in admin_client.get(PAGE).get_data(as_text=True)


def test_an_administrator_changes_the_share_and_every_stored_flag_follows(
    db, admin_client, anonymous, raised
):
    assert _kinds(raised) == ["amendments"]
    assert INFLATION in anonymous.get(f"/contracts/{raised.id}").get_data(as_text=True)
    form = admin_client.get(EDIT).get_data(as_text=True)
    assert 'value="10"' in form and 'name="version"' in form

    saved = admin_client.post(
        EDIT, data={"amendment_review_percent": "25", "version": "1"}, follow_redirects=True
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert "Granskningsgränsen har sparats" in html and "mer än 25\u00a0% flaggas" in html
    assert _share(db) == (D("25.00"), 2)
    # +20 % is within 25 %: no flag, on the contract's page and in its stored row alike.
    assert _kinds(raised) == []
    assert INFLATION not in anonymous.get(f"/contracts/{raised.id}").get_data(as_text=True)
    assert db.session.get(ContractFlagSet, raised.id).settings == "review 25"
    assert flag_store.differences() == []

    # Back under +20 %: the flag returns, cited by the invoice beyond the original ceiling.
    assert (
        admin_client.post(
            EDIT, data={"amendment_review_percent": "19,5", "version": "2"}
        ).status_code
        == 302
    )
    [flag] = flag_store.flags_of([raised])[raised.id]
    assert (flag.kind, flag.params["share"], flag.params["percent"]) == ("amendments", "19.5", 20)
    assert flag_store.differences() == []


def test_a_refused_share_is_said_on_the_form_and_nothing_changes(db, admin_client, raised):
    response = admin_client.post(EDIT, data={"amendment_review_percent": "-5", "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Granskningsgränsen kan inte vara negativ" in html
    assert 'value="-5"' in html  # what was typed stays
    assert _share(db) == (D("10.00"), 1)
    response = admin_client.post(EDIT, data={"amendment_review_percent": "", "version": "1"})
    assert "Ange granskningsgränsen i procent" in response.get_data(as_text=True)
    assert _share(db) == (D("10.00"), 1)
    assert _kinds(raised) == ["amendments"]


def test_a_clerk_and_a_passer_by_cannot_change_the_share(db, client, anonymous, raised):
    data = {"amendment_review_percent": "50", "version": "1"}
    assert client.post(EDIT, data=data).status_code == 403
    assert client.get(EDIT).status_code == 403
    response = anonymous.post(EDIT, data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _share(db) == (D("10.00"), 1)
    assert _kinds(raised) == ["amendments"]


def test_the_audit_trail_records_who_changed_the_share(db, admin_client, auditor_client):
    admin_client.post(EDIT, data={"amendment_review_percent": "15", "version": "1"})
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.record_type == "flag_settings")
    ).all()
    assert (event.action, event.record_id, event.record_version) == ("update", 1, 2)
    assert event.actor_id == admin_client.user.id
    assert event.changes == {"amendment_review_percent": ["10.00", "15.00"]}
    log = auditor_client.get("/audit/?type=flag_settings").get_data(as_text=True)
    assert "Granskningsgräns för ändringar" in log and "15\u00a0%" in log
    # The share's own page shows its history to an administrator, in the reader's notation.
    history = admin_client.get(EDIT).get_data(as_text=True).split('id="history-heading"')[1]
    assert "10\u00a0%" in history and "15\u00a0%" in history


def test_a_second_save_from_an_old_form_is_refused(db, admin_client):
    assert (
        admin_client.post(EDIT, data={"amendment_review_percent": "15", "version": "1"}).status_code
        == 302
    )
    stale = admin_client.post(EDIT, data={"amendment_review_percent": "30", "version": "1"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 200 and 'class="conflict"' in html
    assert _share(db) == (D("15.00"), 2)


def test_an_administrator_removes_a_threshold_and_a_clerk_cannot(db, admin_client, client):
    """The thresholds beside the share: removing one goes through ``save()`` like every other
    write (the service returns what it removed), says so, and leaves the others."""
    from app.models import DirectAwardThreshold
    from app.services.thresholds import create_threshold

    kept = len(flag_rules().thresholds)
    threshold = create_threshold(
        {"valid_from": dt.date(2031, 1, 1), "amount": D("900000.00"), "currency": "SEK"}
    )
    db.session.commit()
    threshold_id = threshold.id
    url = f"{PAGE}{threshold_id}/delete"
    assert client.post(url).status_code == 403
    assert db.session.get(DirectAwardThreshold, threshold_id) is not None
    response = admin_client.post(url, follow_redirects=True)
    assert response.status_code == 200
    assert "Gränsen har tagits bort." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DirectAwardThreshold, threshold_id) is None
    assert len(flag_rules().thresholds) == kept
