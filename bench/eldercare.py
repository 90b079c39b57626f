"""Eldercare benchmarks on a seeded city (issue 13):

    createdb -T mz_bench_base mz_bench_eldercare   # a copy: this script writes into it
    DATABASE_URL=postgres://…/mz_bench_eldercare .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/mz_bench_eldercare .venv/bin/python bench/eldercare.py [--people 300000]

  1. senior allowance: adds synthetic people aged 80+ (valid ID numbers, 户籍 in
     the city's communities) until at least --people are payable, then times
     `allowance_run` for a month (what the command and the Celery task run),
     its rerun (must add nothing), and a per-person Django ORM loop over a
     sample for another month, scaled to the same count, with the ratio;
  2. home-care settlement: orders and four accepted visits each for elders
     until --visits visits in a month, then times `settlement_run`;
  3. meal import: a card-reader CSV of --meal-rows rows (1 000 000 by
     default, as issue 13 asks: the "rows" figure printed is what was read),
     streamed through `meals_record` (rows per second), and the same file
     again (adds nothing);
  4. the dashboard page for the city and for one street (cold and warm), on
     2031-01-31: a month with the allowance, home-care orders and meals in it.

`--only allowance,loop,settlement,meals,dashboard` runs some parts (the loop
needs the allowance).  Every figure is printed with the load average: the
machine is shared.

Targets: allowance < 15 s for ≥ 300 000 people, ≥ 20× the loop; settlement
of 200 000 visits < 10 s; meal import ≥ 10 000 rows/s; dashboard < 200 ms."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

TODAY = dt.date(2031, 3, 15)  # the clock of the run: every bench month is over
MONTH, LOOP_MONTH = dt.date(2031, 1, 1), dt.date(2031, 2, 1)
SETTLE_MONTH = dt.date(2031, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=3_000)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--meal-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--only", default="allowance,loop,settlement,meals,dashboard", help="comma-separated parts to run"
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))

    import django
    from django.conf import settings

    django.setup()
    settings.MINZHENG_TODAY = TODAY
    settings.ALLOWED_HOSTS = ["*"]

    from django.db import connection, transaction

    from civil_affairs.models import Person, Region, Role, User
    from civil_affairs.services import batchrun_create
    from eldercare import rules
    from eldercare.models import (
        Facility,
        HomeCareOrder,
        Provider,
        SeniorAllowance,
        SeniorAllowanceRoll,
        Settlement,
        Visit,
    )
    from eldercare.parameters import DEFAULTS
    from eldercare.services import allowance, meals, settlement

    def sql(statement, params=None):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    def payable() -> int:
        return sql(
            "SELECT count(*) FROM civil_affairs_person p JOIN civil_affairs_region r ON r.code = p.hukou_region_id "
            "AND r.level >= 3 WHERE p.birth_date < %s AND (p.death_date IS NULL OR p.death_date >= %s)",
            [rules.born_before_for(MONTH), MONTH],
        )[0][0]

    print(f"eldercare bench on {connection.settings_dict['NAME']} (clock {TODAY})")

    def load() -> str:
        return "[load " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + "]"

    if "allowance" in parts or "loop" in parts:
        # ------------------------------------------------------------ 1. senior allowance
        have = payable()
        missing = max(0, args.people - have)
        if missing:
            started = time.monotonic()
            # valid ID numbers: address code of the community's district, a birth date 1921–1950, a sequence;
            # the check character by ISO 7064 MOD 11-2, computed in SQL
            added = sql(
                """
                WITH c AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k, count(*) OVER () AS n
                           FROM civil_affairs_region WHERE level = 5),
                g AS (SELECT n, (DATE '1921-01-01' + (n %% 10950)) AS birth, 100 + (n / 10950) %% 900 AS seq
                      FROM generate_series(1, %(missing)s * 2) AS n),
                f AS (SELECT g.n, g.birth, c.code, substr(c.code, 1, 6) || to_char(g.birth, 'YYYYMMDD') || g.seq::text AS f17
                      FROM g JOIN c ON c.k = g.n %% c.n),
                v AS (SELECT f.*, f17 || substr('10X98765432', 1 + (SELECT sum(substr(f.f17, i, 1)::int *
                            (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) FROM generate_series(1, 17) i)::int %% 11, 1)
                            AS id_number FROM f)
                INSERT INTO civil_affairs_person (id_number, name, sex, birth_date, phone, disability_grade, disability_type,
                    labour_capacity, created_at, updated_at, hukou_region_id, residence_region_id, serious_illness)
                SELECT v.id_number, '寿星' || v.n, CASE WHEN substr(v.id_number, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END,
                       v.birth, '', 0, '', 'none', now(), now(), v.code, v.code, false
                FROM v ORDER BY v.n LIMIT %(missing)s
                ON CONFLICT (id_number) DO NOTHING""",
                {"missing": missing},
            )
            # a registry's rows are long vacuumed (visibility map, hint bits) by the time a monthly batch reads
            # them; the 200 000-odd rows just inserted would otherwise make the first run pay for that
            sql("VACUUM (ANALYZE) civil_affairs_person")
            print(f"  added {added} synthetic people aged 80+ in {time.monotonic() - started:.1f} s")
        people = payable()
        SeniorAllowance.objects.filter(month__in=[MONTH, LOOP_MONTH]).delete()
        SeniorAllowanceRoll.objects.filter(month__in=[MONTH, LOOP_MONTH]).delete()

        started = time.monotonic()
        first = allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": "2031-01"}).pk)
        batch_s = time.monotonic() - started
        started = time.monotonic()
        again = allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": "2031-01"}).pk)
        rerun_s = time.monotonic() - started
        print(
            f"senior allowance {MONTH:%Y-%m}: {first['people']} people (payable {people}), {first['total']} yuan, "
            f"{first['rolls']} district rolls: {batch_s:.2f} s; rerun added {again['added']} in {rerun_s:.2f} s {load()}"
        )
    if "loop" in parts:
        # the per-person ORM loop on a sample of the same people, another month
        sample = list(
            Person.objects.filter(
                pk__in=SeniorAllowance.objects.filter(month=MONTH).values("person_id")[: args.sample]
            ).select_related("hukou_region")
        )
        amounts = {band: DEFAULTS[key] for band, key in rules.BAND_KEYS.items()}
        started = time.monotonic()
        for person in sample:
            with transaction.atomic():
                found = rules.senior_allowance(
                    birth=person.birth_date, month=LOOP_MONTH, death=person.death_date, amounts=amounts
                )
                if found is None or SeniorAllowance.objects.filter(person=person, month=LOOP_MONTH).exists():
                    continue
                district = Region.objects.get(code=person.hukou_region_id[:6] + "000000")
                roll, _ = SeniorAllowanceRoll.objects.get_or_create(month=LOOP_MONTH, district=district)
                SeniorAllowance.objects.create(
                    roll=roll,
                    person=person,
                    month=LOOP_MONTH,
                    band=found[0],
                    amount=found[1],
                    age=rules.allowance_age(birth=person.birth_date, month=LOOP_MONTH),
                    region=person.hukou_region,
                )
        loop_s = time.monotonic() - started
        scaled = loop_s * people / max(len(sample), 1)
        print(
            f"  per-person ORM loop: {len(sample)} people in {loop_s:.2f} s → scaled to {people}: {scaled:.1f} s; "
            f"batch is {scaled / batch_s:.1f}× faster {load()}"
        )
        SeniorAllowance.objects.filter(month=LOOP_MONTH).delete()
        SeniorAllowanceRoll.objects.filter(month=LOOP_MONTH).delete()
    if "settlement" in parts:
        # ------------------------------------------------------------ 2. home-care settlement
        Settlement.objects.filter(month=SETTLE_MONTH).delete()
        have_visits = Visit.objects.filter(month=SETTLE_MONTH).count()
        need_orders = max(0, (args.visits - have_visits + 3) // 4)
        if need_orders:
            started = time.monotonic()
            sql(
                """INSERT INTO eldercare_homecareorder (person_id, provider_id, month, "group", allowance, region_id, created_at)
                SELECT p.id, (SELECT pr.id FROM eldercare_provider pr WHERE pr.region_id = substr(p.residence_region_id, 1, 6)
                              || '000000' ORDER BY pr.id LIMIT 1), %(month)s, 'other', 100, p.residence_region_id, now()
                FROM civil_affairs_person p
                WHERE p.birth_date < %(born)s AND p.death_date IS NULL
                  AND EXISTS (SELECT 1 FROM eldercare_provider pr WHERE pr.region_id = substr(p.residence_region_id, 1, 6)
                              || '000000')
                  AND NOT EXISTS (SELECT 1 FROM eldercare_homecareorder o WHERE o.person_id = p.id AND o.month = %(month)s)
                ORDER BY p.id LIMIT %(n)s""",
                {"month": SETTLE_MONTH, "born": rules.born_before_for(MONTH), "n": need_orders},
            )
            sql(
                """INSERT INTO eldercare_visit (order_id, provider_id, month, planned_start, planned_end, checked_in_at,
                    checked_out_at, items, amount, elder_confirmed, status, flagged, flag_reasons, missed_reason, locked)
                SELECT o.id, o.provider_id, o.month, t.s, t.s + interval '1 hour', t.s, t.s + interval '55 minutes',
                       '[{"code": "clean", "qty": "1", "unit_price": "40.00"}]'::jsonb, 40.00, true, 'done', false,
                       '[]'::jsonb, '', false
                FROM eldercare_homecareorder o CROSS JOIN LATERAL (
                    SELECT (o.month + (w * 7 + 1) * interval '1 day' + interval '9 hours') AT TIME ZONE 'Asia/Shanghai'
                    FROM generate_series(0, 3) w) AS t(s)
                WHERE o.month = %(month)s AND NOT EXISTS (SELECT 1 FROM eldercare_visit v WHERE v.order_id = o.id)""",
                {"month": SETTLE_MONTH},
            )
            sql("ANALYZE eldercare_visit")
            print(f"  added orders and visits for {SETTLE_MONTH:%Y-%m} in {time.monotonic() - started:.1f} s")
        Visit.objects.filter(month=SETTLE_MONTH).update(locked=False)
        visits = Visit.objects.filter(month=SETTLE_MONTH).count()
        started = time.monotonic()
        settled = settlement.settlement_run(
            run_id=batchrun_create(kind=settlement.KIND, params={"month": "2031-01"}).pk
        )
        settle_s = time.monotonic() - started
        print(
            f"home-care settlement {SETTLE_MONTH:%Y-%m}: {visits} visits → {settled['providers']} providers, "
            f"{settled['total']} yuan (capped at each elder's 100 yuan): {settle_s:.2f} s {load()}"
        )
    if "meals" in parts:
        # ------------------------------------------------------------ 3. meal import
        point = Facility.objects.filter(kind="meal_point").order_by("pk").first() or Facility.objects.create(
            kind="meal_point", name="基准长者食堂", region=Region.objects.filter(level=5).order_by("code").first()
        )
        sql("DELETE FROM eldercare_meal WHERE point_id = %s AND date >= %s", [point.pk, dt.date(2031, 1, 1)])
        days = [dt.date(2031, 1, 1) + dt.timedelta(days=d) for d in range(59)]  # January and February 2031
        need = (args.meal_rows + len(days) * 3 - 1) // (len(days) * 3)
        numbers = list(
            Person.objects.filter(birth_date__lt=dt.date(1960, 1, 1), death_date__isnull=True)
            .order_by("pk")
            .values_list("id_number", flat=True)[:need]
        )
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
            handle.write("身份证号,日期,餐次\n")
            written = 0
            for day in days:
                for number in numbers:
                    for meal in ("早餐", "午餐", "晚餐"):
                        if written < args.meal_rows:
                            handle.write(f"{number},{day.isoformat()},{meal}\n")
                            written += 1
            path = handle.name
        for attempt in ("first", "again"):
            started = time.monotonic()
            with open(path, "rb") as upload:
                result = meals.meals_record(
                    actor=None, point=point, rows=meals.rows_from_file(upload), source="bench", system=True
                )
            seconds = time.monotonic() - started
            print(
                f"meal import ({attempt}): {result.rows} rows, added {result.added}, already there "
                f"{result.duplicates}, bad {result.bad}: {seconds:.1f} s = {result.rows / seconds:,.0f} rows/s {load()}"
            )
        os.unlink(path)
    if "dashboard" in parts:
        # ------------------------------------------------------------ 4. dashboard
        from django.test import Client

        admin = User.objects.filter(role=Role.BUREAU_ADMIN).order_by("pk").first()
        client = Client()
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
        city = Region.objects.filter(level=2).order_by("code").first()
        street = Region.objects.filter(level=4).order_by("code").first()
        from django.core.cache import cache

        cache.clear()
        # the dashboard of a month with data: January 2031 has the allowance, the home-care orders and meals
        settings.MINZHENG_TODAY = dt.date(2031, 1, 31)
        for label, region in (("city", city), ("street", street)):
            timings = []
            for _attempt in range(3):
                started = time.monotonic()
                response = client.get(f"/work/eldercare/dashboard/?region={region.code}")
                timings.append((time.monotonic() - started) * 1000)
                assert response.status_code == 200, response.status_code
            print(
                f"dashboard {label} ({region.name}): cold {timings[0]:.0f} ms, warm {min(timings[1:]):.0f} ms {load()}"
            )
    print(
        "institutions",
        sql("SELECT count(*) FROM eldercare_institution")[0][0],
        "beds",
        sql("SELECT count(*) FROM eldercare_bed")[0][0],
        "providers",
        Provider.objects.count(),
        "orders",
        HomeCareOrder.objects.count(),
    )


if __name__ == "__main__":
    main()
