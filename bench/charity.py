"""Charity at city scale: 1 000 000 donations, then the four figures of issue 16.

    createdb -h 127.0.0.1 -U postgres -T mz_bench_base mz_bench_charity   # a seeded 400 000-household city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_charity .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_charity .venv/bin/python bench/charity.py

Setup (timed, not a target): the charity demo data (organisations at every level,
the named fund, the drives, ~50 donations per 100 households, disbursements to
relief households), then 100 000 donors of the city's 慈善总会 with 7 donations
each in 2024 and 2 each in 2023 (INSERT … SELECT, ledger entries through the
trigger): with the statement below the city holds over 1 000 000 donations.

Timed:
  1. statement import of 100 000 rows (CSV, streamed, the same service the task runs)
     — target ≥ 10 000 rows/s; then the same file again (must add nothing);
  2. yearly receipts for the 100 000 donors of 2023 (`issue_receipts`'s service)
     — target < 30 s; numbers 1..100 000 checked without gaps;
  3. the public disclosure page of the 慈善总会 (no login) — target < 200 ms;
  4. the organisation dashboard as the bureau administrator — target < 200 ms.
Pages: median of 5 requests after one warm-up, through Django's test client.  Every
figure is printed with the machine's load average beside it."""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from charity import batch  # noqa: E402
from charity.demo import seed_area  # noqa: E402
from charity.models import Donation, Organisation, Receipt  # noqa: E402
from civil_affairs.models import Region, Role, User  # noqa: E402

YEAR = 2024
RECEIPT_YEAR = 2023  # a year whose receipts no earlier run has issued: the yearly batch's figure
RECEIPT_GIFTS = 2
DONORS = 100_000
GIFTS = 7
STATEMENT_ROWS = 100_000
TARGET = 1_000_000


def loadavg() -> str:
    """The machine's load average (1, 5, 15 min), printed beside every figure: the machine may be shared."""
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s ({loadavg()})", flush=True)
    return result, elapsed


def city_org() -> Organisation:
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    return Organisation.objects.get(region=city, org_type="foundation")


def setup() -> Organisation:
    if not Organisation.objects.exists():
        timed("demo charity data (seed_area)", lambda: seed_area(seed=2026, progress=print))
    org = city_org()
    if not Donation.objects.filter(organisation=org, received_on__year=YEAR).exists():
        existing = Donation.objects.count()
        gifts = max(1, (TARGET - STATEMENT_ROWS - existing) // DONORS)

        def load():
            with connection.cursor() as c:
                c.execute(
                    """INSERT INTO charity_donor (organisation_id, kind, name, id_number, phone, key)
                       SELECT %s, 'person', '捐赠人' || n, '', '', 'acct:BENCH' || lpad(n::text, 6, '0')
                       FROM generate_series(1, %s) n ON CONFLICT DO NOTHING""",
                    [org.pk, DONORS],
                )
                # the donations and their ledger entries in one statement (no "entry not yet written" search:
                # the ledger's donation index is partial, so such a search would scan the ledger per donation)
                c.execute(
                    """WITH made AS (
                           INSERT INTO charity_donation (organisation_id, donor_id, anonymous, kind, item, amount,
                               received_on, campaign_id, fund_id, project_id, transaction_id, receipt_declined,
                               entered_by_id, created_at)
                           SELECT %(org)s, d.id, false, 'money', '', 10 + (d.id * 7 + g) %% 500,
                                  make_date(%(year)s, 1 + g, 1 + (d.id %% 28)::int), NULL, NULL, NULL, '', false, NULL,
                                  now()
                           FROM charity_donor d CROSS JOIN generate_series(0, %(gifts)s - 1) g
                           WHERE d.organisation_id = %(org)s AND d.key LIKE 'acct:BENCH%%'
                           RETURNING id, organisation_id, amount, received_on)
                       INSERT INTO charity_ledgerentry (organisation_id, kind, amount, donation_id, entered_on, reason,
                           created_at)
                       SELECT organisation_id, 'donation', amount, id, received_on, '', now() FROM made""",
                    {"org": org.pk, "year": YEAR, "gifts": gifts},
                )
                c.execute("ANALYZE charity_donor, charity_donation, charity_ledgerentry, charity_ledgertotal")

        timed(f"bench donations: {DONORS} donors × {gifts} in {YEAR} (SQL)", load)
    if not Donation.objects.filter(organisation=org, received_on__year=RECEIPT_YEAR).exists():

        def load_receipt_year():
            with connection.cursor() as c:
                c.execute(
                    """WITH made AS (
                           INSERT INTO charity_donation (organisation_id, donor_id, anonymous, kind, item, amount,
                               received_on, campaign_id, fund_id, project_id, transaction_id, receipt_declined,
                               entered_by_id, created_at)
                           SELECT %(org)s, d.id, false, 'money', '', 20 + (d.id + g) %% 300,
                                  make_date(%(year)s, 3 + 4 * g, 1 + (d.id %% 28)::int), NULL, NULL, NULL, '', false,
                                  NULL, now()
                           FROM charity_donor d CROSS JOIN generate_series(0, %(gifts)s - 1) g
                           WHERE d.organisation_id = %(org)s AND d.key LIKE 'acct:BENCH%%'
                           RETURNING id, organisation_id, amount, received_on)
                       INSERT INTO charity_ledgerentry (organisation_id, kind, amount, donation_id, entered_on, reason,
                           created_at)
                       SELECT organisation_id, 'donation', amount, id, received_on, '', now() FROM made""",
                    {"org": org.pk, "year": RECEIPT_YEAR, "gifts": RECEIPT_GIFTS},
                )
                c.execute("ANALYZE charity_donation, charity_ledgerentry")

        timed(f"receipt-year donations: {DONORS} donors × {RECEIPT_GIFTS} in {RECEIPT_YEAR} (SQL)", load_receipt_year)
    return org


def statement(org, admin) -> None:
    stamp = int(time.time())  # new transaction ids each run (the ledger keeps every earlier run's rows)
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="bench-statement-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["流水号", "日期", "金额", "捐赠人", "类型", "账号"])
        for n in range(1, STATEMENT_ROWS + 1):
            donor = (n - 1) % DONORS + 1
            w.writerow([f"B{stamp}-{n:08d}", f"{YEAR}-12-{1 + n % 28:02d}", f"{5 + n % 300}.50", f"捐赠人{donor}", "个人",
                        f"BENCH{donor:06d}"])  # fmt: skip
    try:
        run = batch.statement_start(user=admin, org=org, path=path, filename="bench.csv")
        counts, elapsed = timed("1. statement import", lambda: batch.statement_import(run_id=run.pk))
        print(f"   {counts}; {STATEMENT_ROWS / elapsed:,.0f} rows/s (target ≥ 10 000 rows/s)")
        again = batch.statement_start(user=admin, org=org, path=path, filename="bench.csv")
        counts2, elapsed2 = timed("   same file again", lambda: batch.statement_import(run_id=again.pk))
        print(f"   {counts2}; {STATEMENT_ROWS / elapsed2:,.0f} rows/s; added nothing: {counts2.get('added') == 0}")
    finally:
        os.unlink(path)


def receipts(org) -> None:
    if Receipt.objects.filter(organisation=org, year=RECEIPT_YEAR).exists():
        print(f"2. yearly receipts {RECEIPT_YEAR}: already issued by an earlier run of this bench (rerun adds nothing)")
        return
    run = batch.receipts_start(org=org, year=RECEIPT_YEAR)
    counts, elapsed = timed(f"2. yearly receipts {RECEIPT_YEAR}", lambda: batch.receipts_run(run_id=run.pk))
    numbers = Receipt.objects.filter(organisation=org, year=RECEIPT_YEAR)
    n = numbers.count()
    last = max(numbers.values_list("number", flat=True).order_by("-number")[:1] or [0])
    print(f"   {counts}; {n} receipts, numbers 1..{last}, no gaps: {n == last} (target < 30 s)")


def page(client, url, label) -> None:
    client.get(url)
    times = []
    for _i in range(5):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    print(
        f"{label}: median {statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f}) — target < 200 ms"
        f" ({loadavg()})"
    )


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    org = setup()
    admin = User.objects.filter(role=Role.BUREAU_ADMIN, region__level=Region.Level.CITY).order_by("pk").first()
    statement(org, admin)
    print(f"donations in the city: {Donation.objects.count():,}")
    receipts(org)
    anonymous = Client()
    page(anonymous, f"/charity/{org.pk}/", "3. public disclosure page")
    staff = Client()
    staff.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page(staff, f"/work/charity/dashboard/?org={org.pk}", "4. organisation dashboard")
    page(staff, "/work/charity/dashboard/", "   city dashboard (every organisation)")


if __name__ == "__main__":
    main()
