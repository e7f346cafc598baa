"""Published ids are never reused; private organisers; private persons found by every id.

- On SQLite, the tables whose ids are published (in URLs, exports, open data, the audit
  trail) get AUTOINCREMENT, so that a deleted row's id (a merged vendor's, say) is never
  given to a new record that would then inherit its history and links; each table's counter
  starts after the highest id the audit trail has ever seen for it. PostgreSQL's sequences
  never reuse an id: nothing changes there.
- Engagements remember whether the organiser is a private person (a personnummer, or a name
  written SURNAME;FIRSTNAME), shown to staff only; existing engagements are marked.
- Vendors whose VAT number or foreign id holds a personnummer (``SE`` + ten digits + ``01``),
  or whose name is written SURNAME;FIRSTNAME, are marked as private persons, as new ones are.

The rule is written out here, not imported, so that this revision keeps meaning what it
meant when it was applied.

Revision ID: 7c3e5a1d9b20
Revises: 4dcaac1707da
Create Date: 2026-12-04 22:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op
from stdnum import luhn
from stdnum.se import personnummer

# revision identifiers, used by Alembic.
revision = "7c3e5a1d9b20"
down_revision = "4dcaac1707da"
branch_labels = None
depends_on = None

#: The tables whose ids are published.
PUBLISHED = (
    "vendors",
    "contracts",
    "contract_amendments",
    "invoices",
    "rate_cards",
    "engagements",
    "categories",
    "departments",
    "import_batches",
    "import_jobs",
    "direct_award_thresholds",
    "users",
)

_VAT = re.compile(r"^SE(\d{10})01$")
_PERSON_NAME = re.compile(r"^[^;]*[^\W\d_][^;]*;[^;]*[^\W\d_][^;]*$")


def _is_personnummer(text):
    """A valid personnummer (or coordination number) that is not an organisation number,
    bare or inside a Swedish VAT number."""
    cleaned = re.sub(r"[\s\-+]", "", text or "").upper()
    vat = _VAT.match(cleaned)
    digits = vat.group(1) if vat else cleaned
    if not digits.isdigit() or len(digits) not in (10, 12):
        return False
    ten = digits[-10:]
    if len(digits) == 12 and digits.startswith("16"):
        return False  # an organisation number with its century prefix
    if int(ten[2]) >= 2 and luhn.is_valid(ten):
        return False  # an organisation number
    day = int(ten[4:6])
    if day > 60:
        if not luhn.is_valid(ten):
            return False
        ten = f"{ten[:4]}{day - 60:02d}{ten[6:9]}"
        ten += luhn.calc_check_digit(ten)
        digits = digits[:-10] + ten
    if len(digits) == 12:
        return personnummer.is_valid(digits)
    return any(personnummer.is_valid(f"{ten[:6]}{sign}{ten[6:]}") for sign in ("-", "+"))


def _is_private(name, *ids):
    return bool(_PERSON_NAME.match((name or "").strip())) or any(_is_personnummer(i) for i in ids)


def upgrade():
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "organiser_is_private", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    connection = op.get_bind()
    engagements = connection.execute(
        sa.text("SELECT id, organiser_name, organiser_org_number FROM engagements")
    ).all()
    private = [row.id for row in engagements if _is_private(row[1], row[2])]
    if private:
        connection.execute(
            sa.text("UPDATE engagements SET organiser_is_private = :yes WHERE id = :id"),
            [{"yes": True, "id": i} for i in private],
        )
    vendors = connection.execute(
        sa.text(
            "SELECT id, name, org_number, vat_number FROM vendors WHERE is_private_person = :no"
        ),
        {"no": False},
    ).all()
    private = [row.id for row in vendors if _is_private(row[1], row[2], row[3])]
    if private:
        # The audit trail records who changed a record; a migration is no one, so these
        # updates pass it by, as every migration's do.
        connection.execute(
            sa.text("UPDATE vendors SET is_private_person = :yes WHERE id = :id"),
            [{"yes": True, "id": i} for i in private],
        )

    if connection.dialect.name != "sqlite":
        return
    for table in PUBLISHED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
        # The counter starts after every id the table ever gave: the rows kept, and those
        # deleted, which the audit trail remembers.
        highest = (
            f"SELECT max(m) FROM (SELECT max(id) AS m FROM {table} UNION ALL "  # noqa: S608 - a name from PUBLISHED
            "SELECT max(record_id) FROM audit_events WHERE record_type = :t)"
        )
        seen = connection.execute(sa.text(highest), {"t": table}).scalar()
        if seen:
            connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
            connection.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"),
                {"t": table, "seq": seen},
            )


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for table in PUBLISHED:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": False}
            ):
                pass
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_column("organiser_is_private")
