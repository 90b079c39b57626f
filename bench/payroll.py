"""Time the monthly relief payroll for 100 000 active benefits.

    make bench N=400000            # a design-scale city (or any city with ≥ N households)
    .venv/bin/python bench/payroll.py [benefits]

Tops the roster up to the requested number of active benefits (one per
household, marked so they are removed afterwards), then times
`payroll_generate` for a month no roll exists for, and a rerun of the same
month (which must add nothing).  Target: under 30 s for 100 000 on 2 cores."""
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from relief.models import Benefit, Payment, PayrollRoll  # noqa: E402
from relief.services.payroll import payroll_generate  # noqa: E402

MARK = "BENCH"
MONTH = dt.date(2031, 1, 1)  # no real roll exists this far ahead

TOP_UP = """
INSERT INTO relief_benefit (household_id, recipient_id, kind, region_id, monthly_amount, members, care_level,
                            start_month, status, status_reason, stable, bank_account, bank_name, created_at,
                            updated_at)
SELECT h.id, m.person_id, 'dibao', h.region_id, 300 + (h.id %% 900), 2, '', DATE '2026-01-01', 'active', '',
       false, '62284800' || lpad(h.id::text, 11, '0'), %s, now(), now()
FROM civil_affairs_household h
JOIN civil_affairs_householdmember m ON m.household_id = h.id AND m.relation = 'head'
WHERE NOT EXISTS (SELECT 1 FROM relief_benefit b WHERE b.household_id = h.id AND b.kind = 'dibao')
ORDER BY h.id LIMIT %s
"""


def clean_month() -> None:
    Payment.objects.filter(month=MONTH).delete()
    PayrollRoll.objects.filter(month=MONTH).delete()


def main(wanted: int) -> None:
    payable = Benefit.objects.filter(status__in=Benefit.PAYABLE, monthly_amount__gt=0).count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TOP_UP, [MARK, max(0, wanted - payable)])
        added = cursor.rowcount
        cursor.execute("ANALYZE relief_benefit")
    total = payable + added
    print(f"active benefits: {total} ({added} added for the bench)")
    if total < wanted:
        print(f"warning: only {total} households available; seed a bigger city for {wanted}")
    clean_month()
    try:
        start = time.perf_counter()
        first = payroll_generate(month=MONTH)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = payroll_generate(month=MONTH)
        again_s = time.perf_counter() - start
        print(f"payroll {MONTH:%Y-%m}: {first['lines']} lines, total {first['total']} yuan in {first_s:.2f} s "
              f"({first['lines'] / first_s:,.0f} lines/s)")
        print(f"rerun: {again['added']} lines added, same total {again['total'] == first['total']}, {again_s:.2f} s")
    finally:
        clean_month()
        Benefit.objects.filter(bank_name=MARK).delete()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
