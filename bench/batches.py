"""Time the nightly batches on a seeded city: the price-linkage subsidy and
the eligibility recheck.

    make bench N=400000            # seeds the city once (database named by DATABASE_URL)
    DATABASE_URL=postgres://…/minzheng .venv/bin/python bench/batches.py [--people 200000] [--feed-rows 100000]

The seeded database is never changed: the benchmark clones it
(CREATE DATABASE … TEMPLATE …), works in the clone and drops it at the end
(`--keep` keeps it).  In the clone it:

  1. price linkage — publishes a triggering CPI for a bench month at city
     level and adds monthly unemployment-insurance and veteran lists until at
     least --people persons are covered (dibao members + extremely poor +
     the lists), then times `price_linkage_run` (what the command and the
     Celery task run), its rerun (must pay nobody twice), and a
     straightforward per-person Django ORM loop over a sample of the same
     people for another month, scaled to the same count, with the ratio;
  2. recheck — writes a feed file of --feed-rows rows (wages, vehicles,
     property, business, hukou moves, deaths) for registry people, a third
     of them members of households on a benefit, imports it with the core's
     `feed_import_file` (timed; deaths and moves out of the city raise their
     life events in the import's chunks, so relief's set-based death handler
     ends benefits there), then times `recheck_eligibility` for a night and
     its rerun (must create nothing new).

Targets (the issue): price linkage under 20 s for ≥ 200 000 covered people
on 2 cores, ≥ 20× faster than the per-person loop; recheck of 100 000 feed
rows against the whole registry under 3 minutes."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

MONTH = dt.date(2031, 1, 1)  # the batch's month: nobody has been paid for it
LOOP_MONTH = dt.date(2031, 2, 1)  # the per-person loop's month (same figures, a clean slate)
NIGHT = dt.date.today()  # the recheck's night (feed dates may not lie in the future)


def clone_database(url: str) -> str:
    """Copy the seeded database (nothing else may be connected to it) and return the clone's URL."""
    import psycopg2

    parts = urlsplit(url)
    source = parts.path.lstrip("/")
    clone = f"{source}_bench_batches"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{clone}"')
        started = time.perf_counter()
        cursor.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{source}"')
        print(f"  cloned {source} → {clone} in {time.perf_counter() - started:.1f} s")
    admin.close()
    return urlunsplit(parts._replace(path=f"/{clone}"))


def drop_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
    admin.close()


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<58} {elapsed:8.2f} s")
    return result, elapsed


def vacuum_analyze(*tables: str) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  vacuumed {', '.join(tables)} in {time.perf_counter() - started:.1f} s (not timed)")


def scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


# ---------------------------------------------------------------- price linkage


def covered_now(month: dt.date) -> int:
    """Dibao members and extremely poor recipients payable in the month, plus the month's lists."""
    return scalar(
        """
        SELECT count(DISTINCT person_id) FROM (
            SELECT m.person_id FROM relief_benefit b
            JOIN civil_affairs_householdmember m ON m.household_id = b.household_id
            WHERE b.kind = 'dibao' AND b.status IN ('active', 'gradual_exit') AND b.start_month <= %(m)s
              AND (b.last_month IS NULL OR b.last_month >= %(m)s)
            UNION ALL
            SELECT b.recipient_id FROM relief_benefit b
            WHERE b.kind = 'tekun' AND b.status IN ('active', 'gradual_exit') AND b.start_month <= %(m)s
              AND (b.last_month IS NULL OR b.last_month >= %(m)s)
            UNION ALL
            SELECT p.id FROM civil_affairs_feedrecord f JOIN civil_affairs_person p ON p.id_number = f.id_number
            WHERE f.kind IN ('unemployment', 'veteran') AND f.event_date = %(m)s) covered""",
        {"m": month},
    )


def add_lists(month: dt.date, people: int) -> None:
    """Unemployment and veteran lists for the month (4:1), for people not yet covered, until `people` are."""
    missing = max(0, people - covered_now(month))
    execute(
        """
        WITH picked AS (
            SELECT p.id_number, p.name, row_number() OVER (ORDER BY p.id) AS n
            FROM civil_affairs_person p
            WHERE p.death_date IS NULL AND NOT EXISTS (
                SELECT 1 FROM civil_affairs_householdmember m JOIN relief_benefit b ON b.household_id = m.household_id
                WHERE m.person_id = p.id)
            ORDER BY p.id LIMIT %(n)s)
        INSERT INTO civil_affairs_feedrecord (kind, id_number, name, key, event_date, detail, imported_at)
        SELECT CASE WHEN n %% 5 = 0 THEN 'veteran' ELSE 'unemployment' END, id_number, name, %(key)s, %(m)s,
               jsonb_build_object('bank_account', '622848' || lpad(n::text, 13, '0')), now()
        FROM picked
        ON CONFLICT DO NOTHING""",
        {"n": missing, "m": month, "key": month.strftime("%Y-%m")},
    )


def publish_index(month: dt.date, city: str) -> None:
    from relief.models import PriceIndex

    PriceIndex.objects.update_or_create(
        month=month, region_id=city, defaults={"cpi_yoy": Decimal("3.80"), "food_yoy": Decimal("4.10")}
    )


def bench_price_linkage(people: int, city: str) -> dict:
    from civil_affairs.services import batchrun_create
    from relief.models import PriceSubsidy
    from relief.services import price_linkage

    for month in (MONTH, LOOP_MONTH):
        publish_index(month, city)
        add_lists(month, people)
    # A registry is long vacuumed (visibility map, hint bits) by the time a monthly batch reads it; the
    # cloned city and the lists just added are not, and the first run would pay for that (as bench/eldercare.py).
    vacuum_analyze(
        "civil_affairs_person", "civil_affairs_householdmember", "civil_affairs_feedrecord", "relief_benefit"
    )
    covered = covered_now(MONTH)
    print(f"  covered people in {MONTH:%Y-%m}: {covered:,}")

    def run_once():
        run = batchrun_create(kind=price_linkage.KIND, params={"month": MONTH.strftime("%Y-%m")})
        return price_linkage.price_linkage_run(run_id=run.pk)

    _, batch_s = timed(f"price_linkage_run, {covered:,} people", run_once)
    paid = PriceSubsidy.objects.filter(month=MONTH).count()
    total = scalar("SELECT sum(amount) FROM relief_pricesubsidy WHERE month = %s", [MONTH])
    print(f"  paid {paid:,} people, {total} yuan ({covered / batch_s:,.0f} people/s)")
    _, rerun_s = timed("rerun of the same month (pays nobody twice)", run_once)
    assert PriceSubsidy.objects.filter(month=MONTH).count() == paid, "a rerun paid someone twice"

    sample = min(2000, covered)
    loop_s = naive_loop(LOOP_MONTH, sample)
    scaled = loop_s * covered / sample
    print(f"  per-person ORM loop: {sample:,} people in {loop_s:.2f} s → {scaled:,.1f} s for {covered:,}")
    ratio = scaled / batch_s
    print(f"  set-based batch vs per-person loop: {ratio:,.1f}× faster (target ≥ 20×)")
    return {"covered": covered, "batch_s": batch_s, "rerun_s": rerun_s, "loop_scaled_s": scaled, "ratio": ratio}


def naive_loop(month: dt.date, sample: int) -> float:
    """What a straightforward implementation does: for each covered person,
    ask the ORM which groups they are in, look up the standards and the index
    for their region, find or make their district's roll and write their
    subsidy unless they already have one — a handful of queries per person."""
    from django.db import transaction

    from civil_affairs.models import FeedRecord, HouseholdMember, Person
    from civil_affairs.money import money
    from civil_affairs.rules import region_ancestors
    from relief.models import Benefit, PriceIndex, PriceSubsidy, PriceSubsidyRoll
    from relief.selectors.standards import standards_in_force

    live = {"status__in": ["active", "gradual_exit"], "start_month__lte": month}
    dibao_households = Benefit.objects.filter(kind="dibao", **live).values("household_id")
    candidates = list(
        HouseholdMember.objects.filter(household__in=dibao_households).values_list("person_id", flat=True)[
            : sample // 2
        ]
    )
    listed = FeedRecord.objects.filter(kind__in=["unemployment", "veteran"], event_date=month).values("id_number")
    candidates += list(
        Person.objects.filter(id_number__in=listed).values_list("id", flat=True)[: sample - len(candidates)]
    )

    started = time.perf_counter()
    for person_id in candidates:
        with transaction.atomic():
            person = Person.objects.get(pk=person_id)
            member = HouseholdMember.objects.filter(person=person).first()
            benefit = None
            if member is not None:
                benefit = Benefit.objects.filter(household_id=member.household_id, kind="dibao", **live).first()
            if benefit is None:
                benefit = Benefit.objects.filter(recipient=person, kind="tekun", **live).first()
            feed = FeedRecord.objects.filter(
                id_number=person.id_number, kind__in=["unemployment", "veteran"], event_date=month
            ).first()
            if benefit is None and feed is None:
                continue
            region = benefit.region_id if benefit else person.residence_region_id
            standards = standards_in_force(region, month)
            index = None
            for code in region_ancestors(region):
                index = PriceIndex.objects.filter(month=month, region_id=code).first()
                if index:
                    break
            rise = max(
                index.cpi_yoy if index.cpi_yoy >= standards.price_cpi_threshold else 0,
                index.food_yoy if index.food_yoy >= standards.price_food_threshold else 0,
            )
            if not rise:
                continue
            amount = money(standards.dibao_standard * rise / 100)
            roll, _ = PriceSubsidyRoll.objects.get_or_create(month=month, district_id=region[:6] + "000000")
            if not PriceSubsidy.objects.filter(person=person, month=month).exists():
                PriceSubsidy.objects.create(
                    roll=roll,
                    person=person,
                    month=month,
                    region_id=region,
                    amount=amount,
                    group="dibao" if benefit else feed.kind,
                    bank_account=benefit.bank_account if benefit else "",
                )
    return time.perf_counter() - started


# ---------------------------------------------------------------- recheck

FEED_MIX = [("wages", 45), ("vehicle", 15), ("property", 10), ("business", 10), ("hukou", 10), ("death", 10)]


def write_feed_files(rows: int, seed: int = 2031) -> dict[str, tuple[Path, int]]:
    """One CSV per kind, as the exchange delivers them: {kind: (path, rows)}."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("""SELECT p.id_number, p.name FROM civil_affairs_person p
                          JOIN civil_affairs_householdmember m ON m.person_id = p.id
                          JOIN relief_benefit b ON b.household_id = m.household_id AND b.kind <> 'temporary'""")
        on_benefit = cursor.fetchall()
        cursor.execute("SELECT id_number, name FROM civil_affairs_person TABLESAMPLE SYSTEM (20)")
        anyone = cursor.fetchall()
    folder = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    files = {}
    for kind, share in FEED_MIX:
        n = rows * share // 100
        path = folder / f"{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(FEED_HEADERS[kind])
            for i in range(n):
                id_number, name = rng.choice(on_benefit) if i % 3 == 0 else rng.choice(anyone)
                writer.writerow(feed_row(kind, i, id_number, name, rng))
        files[kind] = (path, n)
    return files


FEED_HEADERS = {
    "wages": ["id_number", "name", "month", "employer", "amount"],
    "vehicle": ["id_number", "name", "plate", "registered_on", "vehicle_type", "value"],
    "property": ["id_number", "name", "certificate", "registered_on", "address", "area"],
    "business": ["id_number", "name", "credit_code", "registered_on", "company", "capital"],
    "hukou": ["id_number", "name", "moved_on", "to_region_code", "to_address"],
    "death": ["id_number", "name", "death_date"],
}


def feed_row(kind: str, i: int, id_number: str, name: str, rng: random.Random) -> list:
    day = (NIGHT - dt.timedelta(days=rng.randint(1, 300))).isoformat()
    if kind == "wages":
        month = (NIGHT.replace(day=1) - dt.timedelta(days=rng.randint(1, 330))).strftime("%Y-%m")
        return [id_number, name, month, f"南通市第{i % 500}机械厂", rng.choice([1800, 2600, 3900, 5200, 8800])]
    if kind == "vehicle":
        return [
            id_number,
            name,
            f"苏F{i:05d}",
            day,
            rng.choice(["car", "car", "truck", "mobility"]),
            rng.randint(8, 300) * 1000,
        ]
    if kind == "property":
        return [
            id_number,
            name,
            f"苏(2030)南通市不动产权第{i:07d}号",
            day,
            f"崇川区幸福路{i % 900}号",
            rng.randint(40, 140),
        ]
    if kind == "business":
        from relief.feeds import credit_code_check_char

        code = f"91320600MA{i:07d}"
        return [
            id_number,
            name,
            code + credit_code_check_char(code),
            day,
            f"南通市某某商贸有限公司{i}",
            rng.choice([10000, 30000, 100000]),
        ]
    if kind == "hukou":
        return [id_number, name, day, rng.choice(["320612001001", "310101001001", "110105001001"]), ""]
    return [id_number, name, day]


def bench_recheck(rows: int) -> dict:
    from civil_affairs import feeds
    from relief.services import recheck

    files = write_feed_files(rows)
    imported = 0
    started = time.perf_counter()
    for kind, (path, n) in files.items():
        run = feeds.feed_import_file(kind=kind, path=str(path))
        imported += n
        if run.error_count:
            print(f"    {kind}: {run.error_count} bad rows")
        if run.result["counts"].get("events"):
            # deaths and moves out of the city are life events: every area's handler ran in the import's chunks
            print(f"    {kind}: {run.result['counts']['events']:,} life events raised at import")
    import_s = time.perf_counter() - started
    from relief.models import ReviewTask

    deaths = ReviewTask.objects.filter(kind="death").count()
    print(f"    relief's death handler at import: {deaths:,} death tasks (benefits stopped or suspended with them)")
    print(
        f"  {'import_feed of ' + format(imported, ',') + ' rows (6 files)':<58} {import_s:8.2f} s "
        f"({imported / import_s:,.0f} rows/s)"
    )
    result, recheck_s = timed(
        f"recheck_eligibility, {imported:,} new feed rows", lambda: recheck.recheck_eligibility(day=NIGHT)
    )
    print(f"  counts: {result}")
    again, rerun_s = timed(
        "rerun of the same night (creates nothing new)", lambda: recheck.recheck_eligibility(day=NIGHT)
    )
    print(f"  rerun counts: {again}")
    return {"rows": imported, "import_s": import_s, "recheck_s": recheck_s, "rerun_s": rerun_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000, help="covered people for the price linkage")
    parser.add_argument("--feed-rows", type=int, default=100_000, help="feed rows for the recheck")
    parser.add_argument("--keep", action="store_true", help="keep the cloned database")
    args = parser.parse_args()
    source = os.environ.get("DATABASE_URL")
    if not source:
        sys.exit("DATABASE_URL must name the seeded database (make bench N=400000 seeds one).")
    print("Preparing")
    clone = clone_database(source)
    os.environ["DATABASE_URL"] = clone
    import django

    django.setup()
    from civil_affairs.models import Household, Person, Region

    try:
        city = Region.objects.filter(level=Region.Level.CITY).order_by("code").values_list("code", flat=True).first()
        if city is None:
            sys.exit("The database has no city: seed it first (seed_demo --households 400000).")
        print(f"  city {city}: {Household.objects.count():,} households, {Person.objects.count():,} people")
        print("Price-linkage subsidy")
        linkage = bench_price_linkage(args.people, city)
        print("Eligibility recheck")
        checked = bench_recheck(args.feed_rows)
        print("Summary")
        print(
            f"  price linkage: {linkage['covered']:,} people in {linkage['batch_s']:.2f} s (target < 20 s); "
            f"per-person loop {linkage['ratio']:.1f}× slower (target ≥ 20×)"
        )
        print(
            f"  recheck: {checked['rows']:,} feed rows in {checked['recheck_s']:.2f} s (target < 180 s); "
            f"import {checked['import_s']:.2f} s"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(clone)


if __name__ == "__main__":
    main()
