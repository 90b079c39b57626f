"""Visits to the vulnerable elderly (探访关爱) on a seeded city (issue 13, item 7):

    createdb -T mz_bench_base mz_bench_visits   # a copy: this script writes into it
    DATABASE_URL=postgres://…/mz_bench_visits .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/mz_bench_visits .venv/bin/python bench/eldercare_visits.py [--fp-rows 20000]

  1. adds --fp-rows 计生特扶 feed rows (fp_support) for people aged 60+ and
     ability assessments short of 能力完好 for a fifth of the dibao members
     aged 60+ (so every reason of the list has people), then times the whole
     city's list build (`visit_list_build_run`, what the command, the Celery
     task and the button run) for one day;
  2. its rerun for the same day (must add and end nothing);
  3. the next day after 1 % of the listed alone/empty-nest elders got a
     member under 60 (they are ended with the reason);
  4. reads: a community worker's queue and counts, the city's queue (bureau),
     and the visits-on-time indicator for the city.

Target: the whole city's build < 30 s on 2 cores.  Prints `uptime`'s load
next to every figure (the machine is shared)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

DAY = dt.date(2026, 11, 28)
NEXT = dt.date(2026, 11, 29)


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fp-rows", type=int, default=20_000)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.MINZHENG_TODAY = NEXT

    from django.db import connection

    from civil_affairs.models import Region, Role, User
    from civil_affairs.services import batchrun_create
    from eldercare.models import VulnerableElder
    from eldercare.selectors import indicators
    from eldercare.selectors import vulnerable as selectors
    from eldercare.services import vulnerable as services

    def sql(statement, params=None):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    people, households = sql(
        "SELECT (SELECT count(*) FROM civil_affairs_person), (SELECT count(*) FROM civil_affairs_household)"
    )[0]
    print(f"city: {households} households, {people} people ({load()})")

    # a rerun of the bench starts from an empty list (this database is a copy)
    sql("DELETE FROM eldercare_vulnerablevisit; DELETE FROM eldercare_vulnerableelder")
    # 1. the feed and the assessments
    born60 = dt.date(DAY.year - 60, DAY.month, DAY.day)
    added = sql(
        """INSERT INTO civil_affairs_feedrecord (kind, id_number, name, "key", event_date, detail, imported_at)
        SELECT 'fp_support', p.id_number, p.name, 'died:2020-01-01:', DATE '2020-01-01',
               jsonb_build_object('support_type', 'died', 'start', '2020-01-01', 'end_date', NULL), now()
        FROM civil_affairs_person p WHERE p.birth_date <= %s AND p.death_date IS NULL
        ORDER BY p.id DESC LIMIT %s ON CONFLICT DO NOTHING""",
        [born60, args.fp_rows],
    )
    dibao_sql = services._dibao_sql()
    assessed = sql(
        f"""INSERT INTO eldercare_assessment (person_id, level, assessor, assessed_on, valid_until, region_id, created_at)
        SELECT p.id, 1 + (p.id %% 4), '评估员', DATE '2026-06-01', DATE '2027-06-01', p.residence_region_id, now()
        FROM civil_affairs_person p
        WHERE p.id IN (SELECT g.person_id FROM ({dibao_sql}) g(person_id, region_id, bank_account))
          AND p.birth_date <= %(born60)s AND p.id %% 5 = 0
          AND NOT EXISTS (SELECT 1 FROM eldercare_assessment a WHERE a.person_id = p.id)""",
        {"month": DAY.replace(day=1), "born60": born60},
    )
    sql("ANALYZE civil_affairs_feedrecord; ANALYZE eldercare_assessment")
    print(f"added {added} fp_support feed rows, {assessed} assessments of dibao elders ({load()})")

    def build(day: dt.date) -> tuple[dict, float]:
        run = batchrun_create(kind=services.KIND, params={"date": day.isoformat()})
        started = time.perf_counter()
        summary = services.visit_list_build_run(run_id=run.pk)
        return summary, time.perf_counter() - started

    summary, seconds = build(DAY)
    reasons = dict(
        sql(
            "SELECT r, count(*) FROM eldercare_vulnerableelder v, jsonb_array_elements_text(v.reasons) r "
            "WHERE v.ended_on IS NULL GROUP BY r ORDER BY r"
        )
    )
    print(
        f"1. whole city, {DAY}: {seconds:.2f} s — listed {summary['listed']} (added {summary['added']}), "
        f"by reason {reasons} (target < 30 s; {load()})"
    )

    # 2. the rerun
    again, seconds = build(DAY)
    assert again["added"] == 0 and again["ended"] == 0 and again["changed"] == 0, again
    print(f"2. rerun of {DAY}: {seconds:.2f} s — added {again['added']}, ended {again['ended']} ({load()})")

    # 3. the next day: 1 % of the alone/empty-nest entries get a member under 60
    movers = sql(
        """SELECT v.person_id, m.household_id FROM eldercare_vulnerableelder v
        JOIN civil_affairs_householdmember m ON m.person_id = v.person_id
        WHERE v.ended_on IS NULL AND v.reasons <@ '["alone", "empty_nest"]'::jsonb AND v.id %% 100 = 0""",
        [],
    )
    young = sql(
        """SELECT m.id FROM civil_affairs_householdmember m JOIN civil_affairs_person p ON p.id = m.person_id
        WHERE p.birth_date > %s AND p.death_date IS NULL AND m.relation <> 'head' LIMIT %s""",
        [born60, len(movers)],
    )
    for (member_id,), (_person, household) in zip(young, movers):
        sql("UPDATE civil_affairs_householdmember SET household_id = %s WHERE id = %s", [household, member_id])
    nxt, seconds = build(NEXT)
    print(
        f"3. next day after {len(young)} younger members moved in: {seconds:.2f} s — added {nxt['added']}, "
        f"changed {nxt['changed']}, ended {nxt['ended']} ({load()})"
    )
    ended = dict(
        sql("SELECT end_reason, count(*) FROM eldercare_vulnerableelder WHERE ended_on = %s GROUP BY 1", [NEXT])
    )
    print(f"   ended by reason: {ended}")

    # 4. reads
    community = (
        VulnerableElder.objects.filter(ended_on__isnull=True)
        .values_list("region_id", flat=True)
        .order_by("region_id")
        .first()
    )
    worker, _ = User.objects.update_or_create(
        username="bench_visits_worker", defaults={"role": Role.COMMUNITY_WORKER, "region_id": community}
    )
    bureau, _ = User.objects.update_or_create(
        username="bench_visits_bureau",
        defaults={"role": Role.BUREAU_ADMIN, "region": Region.objects.get(level=Region.Level.CITY)},
    )
    for who, user in (("community worker", worker), ("bureau (city)", bureau)):
        started = time.perf_counter()
        queue = selectors.queue_for_user(user, today=NEXT + dt.timedelta(days=10))
        counts = selectors.queue_counts(user, today=NEXT + dt.timedelta(days=10))
        ms = (time.perf_counter() - started) * 1000
        print(f"4. queue of the {who}: {ms:.0f} ms — {len(queue)} shown, {counts} ({load()})")
    city = Region.objects.get(level=Region.Level.CITY)
    started = time.perf_counter()
    values = indicators.visits_on_time(city, NEXT + dt.timedelta(days=3))
    ms = (time.perf_counter() - started) * 1000
    print(f"   visits on time, city by district: {ms:.0f} ms — {dict(list(values.items())[:4])} ({load()})")


if __name__ == "__main__":
    main()
