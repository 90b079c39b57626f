"""Restore three partial unique indexes that 0004 dropped without meaning to.

0004 turned `db_index` off on LedgerEntry.donation, LedgerEntry.disbursement and
ReceiptLine.donation; Django's AlterField then drops every single-column index
on the column, including the partial unique indexes of Meta.constraints
(charity_ledger_donation_once, charity_ledger_disbursement_once and
charity_donation_one_active_receipt), while the migration state still lists
them.  Without them a donation could get two ledger entries or two active
receipts, and every "not yet receipted" or "has no entry" check scans the whole
table.  They are created again here (IF NOT EXISTS: a database that kept them is
left as it is); the state is unchanged, it already has them."""

from django.db import migrations

INDEXES = [
    (
        "charity_ledger_donation_once",
        "charity_ledgerentry (donation_id) WHERE reverses_id IS NULL AND donation_id IS NOT NULL",
    ),
    (
        "charity_ledger_disbursement_once",
        "charity_ledgerentry (disbursement_id) WHERE reverses_id IS NULL AND disbursement_id IS NOT NULL",
    ),
    ("charity_donation_one_active_receipt", "charity_receiptline (donation_id) WHERE active"),
]

CREATE = [f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}" for name, target in INDEXES]


class Migration(migrations.Migration):
    dependencies = [("charity", "0004_fewer_indexes_on_hot_tables")]

    operations = [migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop) for sql in CREATE]
