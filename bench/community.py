"""Time grassroots governance at the size of the seeded city.

    createdb -h 127.0.0.1 -U postgres -T mz_bench_base mz_bench_community
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_community .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_community .venv/bin/python bench/community.py [--seed]

On a `seed_demo --households 400000` city (with --seed, community's own demo
data is loaded first), times:

  1. the voter roll for the whole city's communities at once: one election per
     community, every roll built from the registry in ONE statement (target < 30 s);
  2. the voter roll of one community (target < 1 s);
  3. the execution-rate roll-up for the city (target < 200 ms);
  4. the public page of one community, over HTTP in-process (target < 200 ms).

The elections it makes are rolled back: nothing is left behind."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from civil_affairs.models import Person, Region  # noqa: E402
from community import selectors, services  # noqa: E402
from community.demo_seed import seed  # noqa: E402
from community.models import Election, Voter  # noqa: E402

DAY = dt.date(2031, 6, 20)  # far ahead: no real election that day


class Rollback(Exception):
    pass


def timed(fn, repeat=1):
    runs = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="load community's demo data first")
    args = parser.parse_args()
    if args.seed:
        counts, runs = timed(lambda: seed(seed=2026, progress=print))
        print(f"seed community demo data: {runs[0]:.1f} s {counts}")
    communities = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    people = Person.objects.count()
    print(f"city: {len(communities)} communities, {people} people")
    figures = {}
    try:
        with transaction.atomic():
            Election.objects.exclude(state=Election.State.HANDED_OVER).delete()
            elections = Election.objects.bulk_create(
                Election(region_id=code, election_day=DAY, committee_formed_on=DAY - dt.timedelta(days=60), seats=5)
                for code in communities
            )
            # the foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED); the bench rolls back,
            # so check them when each statement ends instead, and count that time too
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            counts, runs = timed(lambda: services.voter_roll_build(actor=None, elections=elections))
            figures["city roll"] = runs[0]
            print(
                f"1. voter roll, whole city at once: {runs[0]:.2f} s — {counts['added']} voters in {len(elections)} rolls"
            )
            one = max(elections[:50], key=lambda e: e.region_id)  # any community; rebuild it from scratch
            Voter.objects.filter(election=one).delete()
            counts, runs = timed(lambda: services.voter_roll_build(actor=None, elections=[one]))
            figures["one roll"] = runs[0]
            print(f"2. voter roll, one community ({one.region_id}): {runs[0] * 1000:.0f} ms — {counts['added']} voters")
            raise Rollback
    except Rollback:
        pass
    city = Region.objects.get(level=Region.Level.CITY)
    today = dt.date(2026, 10, 31)
    total, runs = timed(lambda: selectors.execution_rate_total(city.prefix, today), repeat=5)
    _per, runs_per = timed(lambda: selectors.execution_rate_by_community(city.prefix, today), repeat=5)
    figures["rate"] = statistics.median(runs)
    print(
        f"3. execution-rate roll-up for the city: median {statistics.median(runs) * 1000:.0f} ms "
        f"({total['on_time']}/{total['due']} = {total['rate']} %); per community: median "
        f"{statistics.median(runs_per) * 1000:.0f} ms"
    )
    client = Client()
    code = communities[len(communities) // 2]
    client.get(f"/community/{code}/")  # warm-up
    page, runs = timed(lambda: client.get(f"/community/{code}/"), repeat=10)
    assert page.status_code == 200, page.status_code
    figures["public page"] = statistics.median(runs)
    print(
        f"4. public community page {code}: median {statistics.median(runs) * 1000:.0f} ms, max {max(runs) * 1000:.0f} ms"
    )
    targets = {"city roll": 30, "one roll": 1, "rate": 0.2, "public page": 0.2}
    for key, limit in targets.items():
        print(f"   {key}: {'OK' if figures[key] < limit else 'OVER'} (target < {limit} s)")
    connection.close()


if __name__ == "__main__":
    main()
