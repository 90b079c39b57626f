"""The ledger in the database: entries are never updated or deleted (a trigger
refuses both, so no code path, admin or psql session can rewrite history),
receipts are never deleted (a voided one keeps its number), and the per-pot
totals are kept by a statement-level trigger in the same transaction as the
entries.  Default ratios (policy-rules 10.3) for every city present."""

from decimal import Decimal

from django.db import migrations

TRIGGERS = """
CREATE FUNCTION charity_ledger_protect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'charity ledger entries are append-only: % refused (reverse the entry instead)', TG_OP
    USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER charity_ledger_protect BEFORE UPDATE OR DELETE ON charity_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION charity_ledger_protect();

CREATE FUNCTION charity_receipt_protect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'charity receipts are never deleted: void them instead' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER charity_receipt_protect BEFORE DELETE ON charity_receipt
  FOR EACH ROW EXECUTE FUNCTION charity_receipt_protect();
CREATE FUNCTION charity_receipt_keep_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.organisation_id <> OLD.organisation_id OR NEW.year <> OLD.year OR NEW.number <> OLD.number
     OR NEW.amount <> OLD.amount OR NEW.donor_id <> OLD.donor_id OR (OLD.void AND NOT NEW.void) THEN
    RAISE EXCEPTION 'a charity receipt keeps its number, donor and amount; a void one stays void'
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER charity_receipt_keep_number BEFORE UPDATE ON charity_receipt
  FOR EACH ROW EXECUTE FUNCTION charity_receipt_keep_number();

CREATE FUNCTION charity_ledger_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO charity_ledgertotal AS t (organisation_id, fund_key, project_key, campaign_key, year, kind, amount,
                                        entries)
  SELECT organisation_id, coalesce(fund_id, 0), coalesce(project_id, 0), coalesce(campaign_id, 0),
         extract(year FROM entered_on)::int, kind, sum(amount), count(*)
  FROM charity_new_entries
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (organisation_id, fund_key, project_key, campaign_key, year, kind)
  DO UPDATE SET amount = t.amount + EXCLUDED.amount, entries = t.entries + EXCLUDED.entries;
  RETURN NULL;
END $$;
CREATE TRIGGER charity_ledger_totals AFTER INSERT ON charity_ledgerentry
  REFERENCING NEW TABLE AS charity_new_entries FOR EACH STATEMENT EXECUTE FUNCTION charity_ledger_totals();
"""

DROP = """
DROP TRIGGER IF EXISTS charity_ledger_totals ON charity_ledgerentry;
DROP FUNCTION IF EXISTS charity_ledger_totals();
DROP TRIGGER IF EXISTS charity_receipt_keep_number ON charity_receipt;
DROP FUNCTION IF EXISTS charity_receipt_keep_number();
DROP TRIGGER IF EXISTS charity_receipt_protect ON charity_receipt;
DROP FUNCTION IF EXISTS charity_receipt_protect();
DROP TRIGGER IF EXISTS charity_ledger_protect ON charity_ledgerentry;
DROP FUNCTION IF EXISTS charity_ledger_protect();
"""

DEFAULTS = {
    "spend_public_foundation": "0.70",
    "cost_public_foundation": "0.10",
    "spend_public_other": "0.70",
    "cost_public_other": "0.13",
    "spend_band_10m": "0.06",
    "cost_band_10m": "0.13",
    "spend_band_5m": "0.07",
    "cost_band_5m": "0.14",
    "spend_band_1m": "0.08",
    "cost_band_1m": "0.15",
    "spend_band_small": "0.08",
    "spend_income_band_small": "0.50",
    "cost_band_small": "0.20",
    "spend_foundation_small": "0.08",
    "cost_foundation_small": "0.20",
    "cost_exempt_below": "200000",
    "recognition_days": "20",
}


def defaults(apps, schema_editor):
    import datetime as dt

    Region = apps.get_model("civil_affairs", "Region")
    Parameter = apps.get_model("civil_affairs", "Parameter")
    for city in Region.objects.filter(level=2):
        for name, value in DEFAULTS.items():
            Parameter.objects.get_or_create(
                region=city,
                key=f"charity_{name}",
                effective_from=dt.date(2016, 9, 1),
                defaults={"value": Decimal(value), "note": "民发〔2016〕189号（默认值）"},
            )


def no_defaults(apps, schema_editor):
    apps.get_model("civil_affairs", "Parameter").objects.filter(key__startswith="charity_").delete()


class Migration(migrations.Migration):
    dependencies = [("charity", "0001_initial"), ("civil_affairs", "0012_person_name_pinyin_index")]

    operations = [
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.RunPython(defaults, no_defaults),
    ]
