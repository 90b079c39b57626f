"""Load test: staff, API clients and residents at the same time against gunicorn
on a seeded city, and a table per endpoint (requests, failures, p50/p95/p99 ms)
with the requests per second.

    .venv/bin/pip install -e '.[load]'
    DATABASE_URL=postgres://…/minzheng .venv/bin/python bench/load/run.py [--users 20 50] [--duration 60]

Against the database named by DATABASE_URL (seeded with `seed_demo --households
400000`; a payroll month, a recheck night and the price linkage give the lists
their data — bench/batches.py --keep leaves such a database).  It

  1. adds the load-test accounts once (load_caseworker_01 … in several streets,
     load_reviewer_NN and load_api_NN in the districts, load_bureau_NN at city
     level, residents bound to household heads) and writes the plan: accounts and,
     per jurisdiction, people and households to search for and open (var/load/plan.json);
  2. starts gunicorn on 127.0.0.1 only (DJANGO_ENV development, DEBUG off);
  3. for each --users: waits (at most 10 minutes) for the 1-minute load average to
     drop under --max-load, runs locust headless — every user logs in once, then
     --duration seconds are measured from the moment the last one has logged in —
     and prints the table; stops gunicorn at the end.

Target (issue 11 item 10): every endpoint p95 < 200 ms at 50 users, no failures.
The process exits non-zero when a run misses it.  Loopback only, bounded in time:
each locust run is killed after --duration + 180 s at the latest."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
OUT = ROOT / "var" / "load"
PASSWORD = "Load@test2026"
TARGET_P95_MS = 200
# Locust user classes and their weights (locustfile.py): how many accounts each needs.
WEIGHTS = {"caseworker": 8, "reviewer": 3, "bureau": 1, "api": 3, "resident": 3}
SAMPLE_PEOPLE = 200
STREETS = 10  # load caseworkers are spread over this many streets


# ---------------------------------------------------------------- accounts and the plan


def accounts_needed(users: int) -> dict[str, int]:
    total = sum(WEIGHTS.values())
    return {role: math.ceil(users * weight / total) + 1 for role, weight in WEIGHTS.items()}


def prepare(users: int) -> dict:
    """The load accounts (created once, through the services) and what each may look at."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from civil_affairs import rules, services
    from civil_affairs.models import HouseholdMember, Region, Role, User

    districts = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code").values_list("code", flat=True))
    streets = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code").values_list("code", flat=True))
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").values_list("code", flat=True).first()
    if city is None:
        sys.exit("No city in this database: run `manage.py seed_demo --households 400000` first.")
    staff = {
        "caseworker": (Role.CASEWORKER, streets[:STREETS]),
        "reviewer": (Role.REVIEWER, districts),
        "api": (Role.REVIEWER, districts),
        "bureau": (Role.BUREAU_ADMIN, [city]),
    }
    needed = accounts_needed(users)
    accounts: dict[str, list[dict]] = {}
    for role, (staff_role, regions) in staff.items():
        accounts[role] = []
        for n in range(1, needed[role] + 1):
            username, code = f"load_{role}_{n:02d}", regions[(n - 1) % len(regions)]
            if not User.objects.filter(username=username).exists():
                services.staff_user_create(
                    actor=None,
                    username=username,
                    password=PASSWORD,
                    role=staff_role,
                    region=Region.objects.get(code=code),
                    name=f"压测 {role} {n}",
                )
            accounts[role].append({"username": username, "region": code})
    accounts["resident"] = _residents(needed["resident"], make_password(PASSWORD), HouseholdMember, User, services)

    samples = {}
    for code in sorted({a["region"] for role in staff for a in accounts[role]}):
        with connection.cursor() as cursor:
            # A spread of living people of the jurisdiction (md5 order: arbitrary but repeatable).
            cursor.execute(
                """
                SELECT p.id, p.name, p.id_number, m.household_id
                FROM civil_affairs_person p JOIN civil_affairs_householdmember m ON m.person_id = p.id
                JOIN civil_affairs_household h ON h.id = m.household_id
                WHERE p.residence_region_id LIKE %(prefix)s AND h.region_id LIKE %(prefix)s AND p.death_date IS NULL
                ORDER BY md5(p.id::text) LIMIT %(n)s""",
                {"prefix": rules.region_prefix(code) + "%", "n": SAMPLE_PEOPLE},
            )
            samples[code] = {
                "persons": [
                    {"id": i, "name": name, "id_number": number, "household": h}
                    for i, name, number, h in cursor.fetchall()
                ]
            }
    return {"password": PASSWORD, "accounts": accounts, "samples": samples}


def _residents(count: int, password_hash: str, HouseholdMember, User, services) -> list[dict]:
    """Residents bound to heads of households (past the demo resident's), verified at the
    window; the same heads every time, so a second run finds the accounts it made."""
    heads = (
        HouseholdMember.objects.filter(relation=HouseholdMember.Relation.HEAD, person__death_date=None)
        .exclude(person__phone="")
        .select_related("person")
        .order_by("household_id")[100 : 100 + 4 * count]
    )
    accounts = []
    for head in heads:
        if len(accounts) == count:
            break
        person = head.person
        user = User.objects.filter(person=person).first()
        if user is None and not User.objects.filter(username=person.phone).exists():
            user = services.resident_account_create(
                phone=person.phone,
                id_number=person.id_number,
                name=person.name,
                password_hash=password_hash,
                verification_method="in_person",
            )
        if user is not None:
            accounts.append({"username": user.username, "region": ""})
    return accounts


# ---------------------------------------------------------------- the server and the runs


def start_gunicorn(*, port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "civil_affairs.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def wait_for_quiet(max_load: float, *, every: int = 30, limit: int = 600) -> float:
    """Wait until the 1-minute load average is under max_load (at most `limit` s)."""
    waited = 0
    while (load := os.getloadavg()[0]) >= max_load and waited < limit:
        print(f"  load average {load:.2f} ≥ {max_load}: waiting {every} s …", flush=True)
        time.sleep(every)
        waited += every
    return os.getloadavg()[0]


def run_locust(*, users: int, spawn_rate: float, duration: int, port: int, plan: Path) -> Path:
    prefix = OUT / f"u{users}"
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_USERS": str(users), "LOAD_SECONDS": str(duration)}
    # --run-time only bounds a run whose logins never all finish; the locustfile stops the
    # run `duration` s after the last login.
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{duration + 120}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
    ]
    with open(f"{prefix}.log", "w", encoding="utf-8") as log:  # locust's own summary and warnings
        subprocess.run(command, cwd=ROOT, env=env, timeout=duration + 180, stdout=log, stderr=subprocess.STDOUT)
    return prefix


def report(prefix: Path, *, users: int, load_before: float) -> bool:
    """Print the table of one run; True when it meets the target."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # rows without a request in the measured window (the logins, once reset) say "N/A"
    endpoints = sorted(
        (r for r in rows if r["Name"] != "Aggregated" and int(r["Request Count"])), key=lambda r: r["Name"]
    )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    width = max(len(r["Name"]) for r in rows)
    print(f"\n{users} users (load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f})")
    print(f"  {'endpoint':<{width}} {'requests':>8} {'failures':>8} {'p50':>6} {'p95':>6} {'p99':>6}  ms")
    slow = []
    for r in endpoints:
        p95 = float(r["95%"] or 0)
        mark = ""
        if r["Name"].startswith("login: "):
            mark = "  (login: not counted)"
        elif p95 >= TARGET_P95_MS:
            mark = "  ← p95 ≥ 200 ms"
            slow.append(r["Name"])
        print(
            f"  {r['Name']:<{width}} {r['Request Count']:>8} {r['Failure Count']:>8} {r['50%']:>6} {r['95%']:>6}"
            f" {r['99%']:>6}{mark}"
        )
    failures = int(total["Failure Count"])
    print(
        f"  {'all':<{width}} {total['Request Count']:>8} {failures:>8} {total['50%']:>6} {total['95%']:>6}"
        f" {total['99%']:>6}"
    )
    print(f"  requests per second: {float(total['Requests/s']):.1f}")
    logins_left = any(r["Name"].startswith("login: ") for r in endpoints)
    met = not slow and failures == 0 and not logins_left
    print(
        f"  target (every endpoint p95 < {TARGET_P95_MS} ms, 0 failures): {'met' if met else 'MISSED'}"
        + (" — not every user logged in; the figures include the logins" if logins_left else "")
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[20, 50], help="concurrent users, one run each")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured after the last login")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-load", type=float, default=0, help="wait for the 1-min load average under this")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the seeded database.")
    if not 0 < args.duration <= 600 or not all(0 < n <= 200 for n in args.users):
        sys.exit("--duration is 1–600 s and --users 1–200: the run stays bounded.")

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    plan = prepare(max(args.users))
    plan_path = OUT / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    print(
        f"plan: {sum(len(a) for a in plan['accounts'].values())} accounts, "
        f"{len(plan['samples'])} jurisdictions sampled ({time.monotonic() - started:.0f} s)"
    )

    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "civil_affairs.settings",
    }
    server = start_gunicorn(port=args.port, workers=args.workers, env=env)
    met = True
    try:
        for users in args.users:
            load = wait_for_quiet(args.max_load) if args.max_load else os.getloadavg()[0]
            prefix = run_locust(
                users=users, spawn_rate=args.spawn_rate, duration=args.duration, port=args.port, plan=plan_path
            )
            met = report(prefix, users=users, load_before=load) and met
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
