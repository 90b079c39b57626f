"""Childcare on the seeded city: the allowance batch, its rerun, the child
director's queue and the dashboard for the city and for one street.

    createdb -h 127.0.0.1 -U postgres -T mz_bench_base mz_bench_childcare
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_childcare .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mz_bench_childcare .venv/bin/python bench/childcare.py

On a city from `seed_demo --households 400000` (relief only) it first runs
childcare's demo seeder (timed) when the city has no childcare data, then,
for a month with no allowance lines (the bench month's lines and rolls are
removed first, so the figures are repeatable):

  1. `allowance_generate` with a BatchRun (what the command and the Celery task run);
  2. a rerun of the same month (must add nothing: same lines, same money);
  3. the director's queue page (/work/childcare/), the director with most children;
  4. the dashboard (/work/childcare/dashboard/) for the city and for one street.

Targets (issue 14): the batch for at least 20 000 children under 3 s; each page under 200 ms."""

from __future__ import annotations

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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from childcare import demo, payroll  # noqa: E402
from childcare.models import Allowance, AllowancePayment, AllowanceRoll, Child, Director  # noqa: E402
from civil_affairs.models import Region, Role, User  # noqa: E402
from civil_affairs.services import batchrun_create  # noqa: E402

MONTH = dt.date(2026, 12, 1)
REPEAT = 7


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<60} {elapsed * 1000:9.1f} ms")
    return result, elapsed


def page(client: Client, url: str, label: str) -> float:
    client.get(url)  # warm: templates compiled, the first connection made
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    median = statistics.median(times)
    print(f"  {label:<60} {median * 1000:9.1f} ms (median of {REPEAT}, max {max(times) * 1000:.1f})")
    return median


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"database {connection.settings_dict['NAME']}")
    if not Allowance.objects.exists():
        timed("demo seeder (childcare, set-based)", lambda: demo.seed_area(seed=2026, progress=print))
    print(
        f"  allowances {Allowance.objects.count():,}, registry children {Child.objects.count():,}, "
        f"directors {Director.objects.count():,}"
    )
    # the bench month starts empty, so every run measures the same work
    AllowancePayment.objects.filter(month=MONTH).delete()
    AllowanceRoll.objects.filter(month=MONTH).delete()

    print(f"allowance batch, month {MONTH:%Y-%m}")
    run = batchrun_create(kind=payroll.KIND, params={"month": f"{MONTH:%Y-%m}"})
    first, seconds = timed(
        "allowance_generate (BatchRun, chunks of 50 000 ids)",
        lambda: payroll.allowance_generate(month=MONTH, run_id=run.pk),
    )
    print(
        f"    lines {first['lines']:,}, total {first['total']} yuan, rolls {first['rolls']}  -> target < 3 s: {'OK' if seconds < 3 else 'OVER'}"
    )
    rerun = batchrun_create(kind=payroll.KIND, params={"month": f"{MONTH:%Y-%m}"})
    again, _s = timed("rerun of the same month", lambda: payroll.allowance_generate(month=MONTH, run_id=rerun.pk))
    same = again["added"] == 0 and again["lines"] == first["lines"] and again["total"] == first["total"]
    print(
        f"    added {again['added']}, lines {again['lines']:,}, total {again['total']}  -> {'unchanged' if same else 'CHANGED'}"
    )

    print("pages (Django test client, full render, session login)")
    region_id, children = (
        Child.objects.filter(region__child_director__isnull=False)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    busiest = Director.objects.select_related("user").get(region_id=region_id)
    busiest.children = children
    client = Client()
    client.force_login(busiest.user, backend="django.contrib.auth.backends.ModelBackend")
    results = {
        "queue": page(
            client, "/work/childcare/", f"director's queue ({busiest.region_id}, {busiest.children} children)"
        )
    }
    admin = User.objects.filter(role=Role.BUREAU_ADMIN).order_by("id").first()
    admin_client = Client()
    admin_client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    from childcare.models import Staff

    Staff.objects.get_or_create(user=admin)
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    street = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code").first()
    results["dashboard_city"] = page(
        admin_client, f"/work/childcare/dashboard/?region={city.code}", f"dashboard, city ({city.name})"
    )
    results["dashboard_street"] = page(
        admin_client, f"/work/childcare/dashboard/?region={street.code}", f"dashboard, street ({street.name})"
    )
    results["registry_city"] = page(admin_client, "/work/childcare/children/", "registry list, city, first page")
    results["coverage_city"] = page(admin_client, f"/work/childcare/coverage/?region={city.code}", "coverage, city")
    over = [k for k, v in results.items() if v >= 0.2]
    print(f"  pages over 200 ms: {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
