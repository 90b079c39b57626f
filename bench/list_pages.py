"""Time the workbench list pages and API lists against a seeded database.

    make bench N=400000        # seed the design-scale city first
    .venv/bin/python bench/list_pages.py [repeats]

Prints median and worst time per URL for the city administrator (the widest
jurisdiction) and a street caseworker.  Target: under 200 ms each."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from civil_affairs.models import Household, Person, User  # noqa: E402


def timed(client: Client, url: str, repeats: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeats):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return statistics.median(times), max(times), status


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    households = Household.objects.count()
    people = Person.objects.count()
    print(f"database: {households:,} households, {people:,} people; {repeats} requests per URL")
    sample = Person.objects.order_by("id")[people // 2 : people // 2 + 1].get()
    surname = sample.name[0]
    deep_cursor_page = None
    for username in ("admin", "caseworker_jinsha"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if deep_cursor_page is None:
            api = client.get("/api/core/households/").json()
            deep_cursor_page = api["next"].split("testserver")[-1]
        urls = [
            "/work/",
            "/work/households/",
            "/work/households/?sort=-region",
            "/work/households/?sort=-created_at",
            f"/work/households/?q={sample.id_number}",
            "/work/people/",
            "/work/people/?sort=-birth_date",
            "/work/people/?sort=id_number",
            "/work/people/?sort=-residence_region",
            f"/work/people/?q={surname}",
            f"/work/people/?q={sample.id_number}",
            f"/work/people/?q={sample.phone or sample.id_number[:10]}",
            "/work/people/?region=320612000000&sex=F&disability_grade=1",
            "/api/core/persons/",
            deep_cursor_page,
            f"/api/core/households/?q={surname}",
        ]
        print(f"\n{username} ({user.get_role_display()}, {user.region.name})")
        print(f"{'URL':<72} {'median ms':>10} {'max ms':>8} status")
        for url in urls:
            median, worst, status = timed(client, url, repeats)
            print(f"{url[:72]:<72} {median:>10.1f} {worst:>8.1f} {status}")


if __name__ == "__main__":
    main()
