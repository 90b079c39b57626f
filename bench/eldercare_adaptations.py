"""Home adaptations and family care beds on a seeded city (issue 13, item 6):

    createdb -T mz_bench_base mz_bench_adaptations   # a copy: this script writes into it
    DATABASE_URL=postgres://…/mz_bench_adaptations .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/mz_bench_adaptations .venv/bin/python bench/eldercare_adaptations.py [--copies 50]

  1. the demo seeder for the city (contractors, adaptations in proportion, needs lists), then
     --copies more cases per seeded one (the same people, closed as paid or refused, so the one-open
     rule holds) to reach a city-year's volume and more;
  2. reads, each the median of 5 after a warm-up: a street caseworker's list page, its overdue
     filter, the city administrator's list page, the API list (first page), a case page, and the
     two indicators for the city and for one street.

Target: every read < 200 ms.  Prints `uptime`'s load next to every figure (the machine is shared)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label, fn, runs=5):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} {statistics.median(times):8.1f} ms  ({load()})", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from civil_affairs.models import Region, Role, User
    from eldercare.demo_adaptations import seed_adaptations
    from eldercare.models import Adaptation
    from eldercare.selectors.indicators import by_child

    settings.ALLOWED_HOSTS = ["*"]
    start = time.perf_counter()
    seed_adaptations(seed=1, progress=print)
    print(f"{'seed_adaptations (the demo seeder)':<58} {time.perf_counter() - start:8.2f} s   ({load()})")
    if args.copies and Adaptation.objects.count() < 50_000:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO eldercare_adaptation (kind, person_id, household_id, region_id, channel, applicant_id,
                    reason, "group", cap, state, applied_at, assess_due, assessed_by_id, assessed_at, assessment_note,
                    estimate, order_due, contractor_id, budget, ordered_by_id, ordered_at, work_due, completed_at,
                    completed_by_id, actual_cost, completion_note, accept_due, accepted_by_id, accepted_at,
                    acceptance_note, pay_due, paid_amount, paid_by_id, paid_at, payment_reference, rejected_at,
                    rejection_reason)
                SELECT kind, person_id, household_id, region_id, channel, applicant_id, reason, "group", cap,
                    CASE WHEN state = 'paid' OR accepted_by_id IS NOT NULL THEN 'paid' ELSE 'rejected' END,
                    applied_at - make_interval(days => 400 * g), assess_due - 400 * g, assessed_by_id, assessed_at,
                    assessment_note, estimate, order_due, contractor_id, budget, ordered_by_id, ordered_at, work_due,
                    completed_at, completed_by_id, actual_cost, completion_note, accept_due, accepted_by_id,
                    accepted_at, acceptance_note, pay_due,
                    CASE WHEN state = 'paid' OR accepted_by_id IS NOT NULL THEN budget END, paid_by_id,
                    CASE WHEN state = 'paid' OR accepted_by_id IS NOT NULL THEN coalesce(paid_at, accepted_at) END,
                    payment_reference,
                    CASE WHEN state = 'paid' OR accepted_by_id IS NOT NULL THEN NULL ELSE applied_at END,
                    CASE WHEN state = 'paid' OR accepted_by_id IS NOT NULL THEN '' ELSE '演示：往年不予受理' END
                FROM eldercare_adaptation, generate_series(1, %s) AS g""",
                [args.copies],
            )
            cursor.execute("ANALYZE eldercare_adaptation")
        print(f"{'copies of earlier years (closed cases)':<58} {time.perf_counter() - start:8.2f} s   ({load()})")
    total = Adaptation.objects.count()
    print(f"cases: {total}; open: {Adaptation.objects.exclude(state__in=['paid', 'rejected']).count()}")

    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    street = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code").first()
    caseworker = User.objects.filter(role=Role.CASEWORKER, region=street).first() or User.objects.create(
        username="bench_adapt_cw", role=Role.CASEWORKER, region=street
    )
    admin = User.objects.filter(role=Role.BUREAU_ADMIN).first()
    case = Adaptation.objects.filter(region__code__startswith=street.prefix).order_by("-id").first()
    client = Client()

    def page(user, path):
        def run():
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    timed(f"street caseworker: list page ({street.name})", page(caseworker, "/work/eldercare/adaptations/"))
    timed("street caseworker: overdue only", page(caseworker, "/work/eldercare/adaptations/?overdue=1"))
    timed(
        "street caseworker: open care beds", page(caseworker, "/work/eldercare/adaptations/?kind=care_bed&state=open")
    )
    timed("city administrator: list page", page(admin, "/work/eldercare/adaptations/"))
    timed("city administrator: overdue only", page(admin, "/work/eldercare/adaptations/?overdue=1"))
    timed("city administrator: API list (first page)", page(admin, "/api/eldercare/adaptations/"))
    if case is not None:
        timed("street caseworker: a case page", page(caseworker, f"/work/eldercare/adaptations/{case.pk}/"))
    from civil_affairs import clock

    day = clock.today()
    for region in (city, street):
        timed(
            f"indicators adaptations_done + care_beds ({region.name})",
            lambda region=region: (by_child("adaptations_done", region, day), by_child("care_beds", region, day)),
        )


if __name__ == "__main__":
    main()
