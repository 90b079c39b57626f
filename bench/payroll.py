"""Time the monthly relief payroll for 100 000 active benefits.

    createdb -U postgres -h 127.0.0.1 bench_payroll
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payroll .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payroll .venv/bin/python bench/payroll.py [N] [--keep]

Builds its own city in the database named by DATABASE_URL — a region tree
under code 98 (12 districts, 60 streets, 600 communities), N heads of
household with valid ID numbers (COPY), N households, their members and N
active benefits (INSERT … SELECT), plus N/10 one-off benefits that are not
payable — then times, for a month nobody has a roll for:

  1. `payroll_generate` with a BatchRun (what the Celery task and the command run);
  2. a rerun of the same month (must add nothing: same lines, same money);
  3. the reads the payroll pages make at that size (city-wide month summary,
     one roll's totals and first page of lines, a district's bank-file rows).

Everything it made is removed afterwards unless --keep is given.
Target (DESIGN.md / the issue): under 30 s for 100 000 on 2 cores."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from civil_affairs import rolls, rules  # noqa: E402
from civil_affairs.models import BatchRun, Person, Region, Role, User  # noqa: E402
from civil_affairs.pagination import keyset_page  # noqa: E402
from civil_affairs.services import batchrun_create  # noqa: E402
from relief.models import Benefit, Payment, PayrollRoll  # noqa: E402
from relief.selectors.payroll import PAYROLL  # noqa: E402
from relief.services import payroll  # noqa: E402

MONTH = dt.date(2031, 1, 1)  # no real roll exists this far ahead
ROOT = "98"  # region codes 98…: not a real province, so nothing real is touched
DISTRICTS, STREETS, COMMUNITIES = 12, 5, 10
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强桂兰明华丽娟海燕国庆春梅文军玉兰"
BENCH_USER = "bench_payroll_admin"


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed:8.2f} s")
    return result, elapsed


def build_regions() -> list[str]:
    codes = [f"{ROOT}0000000000", f"{ROOT}0100000000"]
    for d in range(1, DISTRICTS + 1):
        codes.append(f"{ROOT}01{d:02d}000000")
        for s in range(1, STREETS + 1):
            codes.append(f"{ROOT}01{d:02d}{s:03d}000")
            codes.extend(f"{ROOT}01{d:02d}{s:03d}{c:03d}" for c in range(1, COMMUNITIES + 1))
    regions = []
    for code in codes:
        level = rules.region_level_of(code)
        parent = (
            None
            if level == 1
            else next(c for c in reversed(codes[: codes.index(code)]) if rules.region_level_of(c) == level - 1)
        )
        region = Region(code=code, name=f"测区{code[2:]}", parent_id=parent)
        region.derive_from_code()
        regions.append(region)
    Region.objects.bulk_create(regions, batch_size=1000)
    return [r.code for r in regions if r.level == Region.Level.VILLAGE]


def copy_heads(n: int, communities: list[str]) -> None:
    """N heads of household with valid ID numbers, streamed in with COPY."""
    buffer = io.StringIO()
    now = "2026-01-01 00:00:00+08"
    birth0 = dt.date(1940, 1, 1)
    for i in range(n):
        community = communities[i % len(communities)]
        birth = birth0 + dt.timedelta(days=(i // 1000) * 7 + i % 7)
        number = rules.make_id_number(community[:6], birth, i % 1000)
        sex = "M" if int(number[16]) % 2 else "F"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        buffer.write(f"{number}\t{name}\t{sex}\t{birth}\t\t0\t\t\t{now}\t{now}\t{community}\t{community}\tf\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {Person._meta.db_table} (id_number, name, sex, birth_date, phone, disability_grade, "
            "disability_type, labour_capacity, created_at, updated_at, hukou_region_id, residence_region_id, "
            "serious_illness) FROM STDIN",
            buffer,
        )


HOUSEHOLDS_SQL = """
INSERT INTO civil_affairs_household (number, address, created_at, updated_at, region_id)
SELECT 'HB' || lpad(p.id::text, 14, '0'), '测试路' || p.id || '号', now(), now(), p.residence_region_id
FROM civil_affairs_person p WHERE p.id_number LIKE %(root)s"""

MEMBERS_SQL = """
INSERT INTO civil_affairs_householdmember (relation, household_id, person_id)
SELECT 'head', h.id, p.id
FROM civil_affairs_person p JOIN civil_affairs_household h ON h.number = 'HB' || lpad(p.id::text, 14, '0')
WHERE p.id_number LIKE %(root)s"""

# N payable benefits (dibao 80 %, tekun 12 %, marginal 8 %, amounts to the fen),
# then N/10 one-off temporary benefits that ended long before the bench month.
BENEFITS_SQL = """
INSERT INTO relief_benefit (kind, monthly_amount, members, care_level, start_month, last_month, stable, status,
                            status_reason, bank_account, bank_name, created_at, updated_at, household_id,
                            recipient_id, region_id)
SELECT CASE WHEN h.id %% 25 < 20 THEN 'dibao' WHEN h.id %% 25 < 23 THEN 'tekun' ELSE 'marginal' END,
       round(300 + (h.id %% 90000) / 100.0, 2), 1 + h.id %% 4, '', DATE '2026-01-01', NULL, false, 'active', '',
       '62284800' || lpad(h.id::text, 11, '0'), '测试银行', now(), now(), h.id, m.person_id, h.region_id
FROM civil_affairs_household h JOIN civil_affairs_householdmember m ON m.household_id = h.id
WHERE h.region_id LIKE %(root)s
UNION ALL
SELECT 'temporary', 1000, 1, '', DATE '2026-01-01', DATE '2026-01-01', false, 'active', '', '', '', now(), now(),
       h.id, m.person_id, h.region_id
FROM civil_affairs_household h JOIN civil_affairs_householdmember m ON m.household_id = h.id
WHERE h.region_id LIKE %(root)s AND h.id %% 10 = 0"""


def build_city(n: int) -> None:
    communities = build_regions()
    copy_heads(n, communities)
    with connection.cursor() as cursor:
        params = {"root": f"{ROOT}%"}
        cursor.execute(HOUSEHOLDS_SQL, params)
        cursor.execute(MEMBERS_SQL, params)
        cursor.execute(BENEFITS_SQL, params)
        for table in (
            "civil_affairs_person",
            "civil_affairs_household",
            "civil_affairs_householdmember",
            "relief_benefit",
        ):
            cursor.execute(f"ANALYZE {table}")


def clean_month() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM relief_payment WHERE roll_id IN (SELECT id FROM relief_payrollroll WHERE month = %s)", [MONTH]
        )
        cursor.execute("DELETE FROM relief_payrollroll WHERE month = %s", [MONTH])


def remove_city() -> None:
    clean_month()
    root = f"{ROOT}%"
    User.objects.filter(username=BENCH_USER).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM relief_payment WHERE region_id LIKE %s", [root])
        cursor.execute("DELETE FROM relief_payrollroll WHERE district_id LIKE %s", [root])
        cursor.execute("DELETE FROM relief_benefit WHERE region_id LIKE %s", [root])
        cursor.execute(
            "DELETE FROM civil_affairs_householdmember WHERE household_id IN "
            "(SELECT id FROM civil_affairs_household WHERE region_id LIKE %s)",
            [root],
        )
        cursor.execute("DELETE FROM civil_affairs_household WHERE region_id LIKE %s", [root])
        cursor.execute("DELETE FROM civil_affairs_person WHERE residence_region_id LIKE %s", [root])
        cursor.execute("DELETE FROM civil_affairs_batchrun WHERE region_id LIKE %s", [root])
        # children before parents
        cursor.execute("DELETE FROM civil_affairs_region WHERE code LIKE %s AND level = 5", [root])
        for level in (4, 3, 2, 1):
            cursor.execute("DELETE FROM civil_affairs_region WHERE code LIKE %s AND level = %s", [root, level])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("benefits", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench city and its rolls afterwards")
    args = parser.parse_args()
    n = args.benefits

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('max_parallel_workers_per_gather')")
        version, parallel = cursor.fetchone()
    print(
        f"database {connection.settings_dict['NAME']}: {version.split(',')[0]}; "
        f"{os.cpu_count()} CPUs here, max_parallel_workers_per_gather={parallel}"
    )
    remove_city()  # a previous --keep run
    print(f"building the bench city: {n:,} households, heads and active benefits (+{n // 10:,} not payable)")
    with transaction.atomic():
        timed("regions, COPY people, INSERT … SELECT the rest", lambda: build_city(n))
    payable = (
        Benefit.objects.filter(status__in=Benefit.PAYABLE, monthly_amount__gt=0, start_month__lte=MONTH)
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=MONTH))
        .count()
    )
    print(f"payable benefits in the database for {MONTH:%Y-%m}: {payable:,}")
    admin = User.objects.create(username=BENCH_USER, role=Role.BUREAU_ADMIN, region_id=f"{ROOT}0100000000")
    try:
        print(f"\npayroll {MONTH:%Y-%m} (chunks of {payroll.CHUNK_IDS:,} benefit ids)")
        run = batchrun_create(kind=payroll.KIND, params={"month": f"{MONTH:%Y-%m}"}, user=admin)
        first, first_s = timed(
            "first run (BatchRun progress, like the Celery task)",
            lambda: payroll.payroll_generate(month=MONTH, run_id=run.pk),
        )
        rows_after_first = Payment.objects.filter(roll__month=MONTH).count()
        again_run = batchrun_create(kind=payroll.KIND, params={"month": f"{MONTH:%Y-%m}"}, user=admin)
        again, again_s = timed(
            "rerun of the same month", lambda: payroll.payroll_generate(month=MONTH, run_id=again_run.pk)
        )
        same = (again.lines, again.total, again.by_district_kind) == (first.lines, first.total, first.by_district_kind)
        assert again.added == 0 and same and Payment.objects.filter(roll__month=MONTH).count() == rows_after_first
        assert BatchRun.objects.get(pk=run.pk).status == BatchRun.Status.SUCCEEDED
        print(
            f"  → {first.lines:,} lines in {first.rolls} district rolls, total ¥{first.total:,} "
            f"({first.lines / first_s:,.0f} lines/s); rerun added {again.added}, same totals: {same}"
        )
        print(f"  target < 30 s for 100 000: {'met' if first_s < 30 and again_s < 30 else 'MISSED'}")

        print("\nreads behind the payroll pages (city administrator)")
        roll = PayrollRoll.objects.filter(month=MONTH, district__code__startswith=ROOT).order_by("district_id").first()
        timed("city-wide month summary (list page)", lambda: rolls.month_summary_for_user(admin, PAYROLL, MONTH))
        lines = rolls.roll_lines_for_user(admin, PAYROLL, roll)
        timed("one roll: totals by kind (detail page)", lambda: rolls.roll_totals(PAYROLL, lines))
        timed(
            "one roll: first page of 100 lines (keyset)",
            lambda: (
                keyset_page(lines, sort="region", allowed=("region",), default="region", cursor=None, size=100).items
            ),
        )
        timed(
            "one roll: first 100 lines by amount, highest first",
            lambda: (
                keyset_page(lines, sort="-amount", allowed=("amount",), default="amount", cursor=None, size=100).items
            ),
        )
        count, _s = timed(
            f"bank-file rows of {roll.district.name}",
            lambda: sum(1 for _ in rolls.roll_bank_rows(admin, PAYROLL, roll)),
        )
        print(f"  → {count:,} bank-file rows")
    finally:
        if args.keep:
            print("\n--keep: the bench city and its rolls stay in the database")
        else:
            print()
            timed("removing the bench city", remove_city)


if __name__ == "__main__":
    main()
