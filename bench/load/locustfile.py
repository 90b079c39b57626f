"""Staff and residents using the portal at the same time (run through bench/load/run.py).

Every simulated user logs in once with an account of its own — staff and
residents through the login form (CSRF token from the form), API clients for a
knox token (POST /api/auth/login/; a new token revokes the user's previous one,
hence one account per user) — and then works: lists with filters and sorts,
searches, household and person pages, the relief queue, review tasks, API
lists.  The accounts and the records each account may see come from the JSON
file named by LOAD_PLAN (written by run.py from the seeded database).

Requests are named by what they are ("people ?sex&disability"), not by URL, so
the table has one row per endpoint; the logins are named "login: …" and are
left out of the target (p95 < 200 ms) because they hash a password on purpose.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from urllib.parse import unquote

import gevent
from locust import HttpUser, between, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as _fh:
    PLAN = json.load(_fh)

LOGIN_PREFIX = "login: "
NEXT_CURSOR = re.compile(r"[?&]after=([^&\"']+)")
_account_counters: dict[str, itertools.count] = {}
_logged_in = itertools.count(1)


def _after_login(environment) -> None:
    """When the last user has logged in: forget the figures so far (the logins,
    and pages served while passwords were being hashed) and measure LOAD_SECONDS."""
    if next(_logged_in) == int(os.environ["LOAD_USERS"]):
        environment.runner.stats.reset_all()
        gevent.spawn_later(int(os.environ["LOAD_SECONDS"]), environment.runner.quit)


def _next_account(role: str) -> dict:
    """The next unused account of the role: each simulated user has its own."""
    accounts = PLAN["accounts"][role]
    index = next(_account_counters.setdefault(role, itertools.count()))
    return accounts[index % len(accounts)]


class _Portal(HttpUser):
    """A browser: logs in through the form once, then browses with its session."""

    abstract = True
    role = ""
    # Think time between two clicks.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = _next_account(self.role)
        self.sample = PLAN["samples"].get(self.account["region"])
        self.client.get("/accounts/login/", name=f"{LOGIN_PREFIX}form")
        with self.client.post(
            "/accounts/login/",
            name=f"{LOGIN_PREFIX}post",
            catch_response=True,
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"login refused for {self.account['username']}")
        _after_login(self.environment)

    def page(self, url: str, name: str, **params) -> str:
        with self.client.get(url, params=params or None, name=name, catch_response=True) as response:
            # A page that bounced to the login form has lost its session: a failure, not a fast page.
            if response.status_code == 200 and "/accounts/login/" in response.url:
                response.failure("redirected to login")
            return response.text if response.ok else ""

    def person(self) -> dict:
        return random.choice(self.sample["persons"])


class _Staff(_Portal):
    abstract = True

    @task(3)
    def workbench(self):
        self.page("/work/", "workbench index")

    @task(3)
    def people_by_sex_and_disability(self):
        self.page(
            "/work/people/",
            "people ?sex&disability",
            sex=random.choice("MF"),
            disability_grade=random.randint(1, 4),
            sort=random.choice(["name", "residence_region"]),
        )

    @task(1)
    def people_by_sex_next_page(self):
        sex = random.choice("MF")
        first = self.page("/work/people/", "people ?sex", sex=sex)
        if (after := NEXT_CURSOR.search(first)) is not None:
            self.page("/work/people/", "people ?sex page 2", sex=sex, after=unquote(after.group(1)))

    @task(2)
    def households(self):
        self.page("/work/households/", "households ?sort", sort=random.choice(["number", "region", "-created_at"]))

    @task(2)
    def search_name(self):
        self.page("/work/people/", "search: name", q=self.person()["name"])

    @task(1)
    def search_whole_id(self):
        self.page("/work/people/", "search: whole ID", q=self.person()["id_number"])

    @task(1)
    def search_name_last4(self):
        # How roles without full ID numbers find someone (issue 10): "张三 1234".
        person = self.person()
        self.page("/work/people/", "search: name + last 4", q=f"{person['name']} {person['id_number'][-4:]}")

    @task(1)
    def search_households(self):
        self.page("/work/households/", "households search: name", q=self.person()["name"])

    @task(2)
    def household_page(self):
        self.page(f"/work/households/{self.person()['household']}/", "household page")

    @task(1)
    def person_page(self):
        self.page(f"/work/people/{self.person()['id']}/", "person page")

    @task(3)
    def relief_queue(self):
        self.page("/work/relief/", "relief queue")

    @task(2)
    def benefits(self):
        self.page(
            "/work/relief/benefits/",
            "benefits ?status&sort",
            status="active",
            sort=random.choice(["region", "next_recheck", "-monthly_amount"]),
        )

    @task(3)
    def review_tasks(self):
        self.page("/work/relief/tasks/", "review tasks")

    @task(1)
    def review_tasks_by_kind(self):
        self.page("/work/relief/tasks/", "review tasks ?kind", kind=random.choice(["recheck_due", "income", "vehicle"]))


class Caseworker(_Staff):
    """Street (街道) caseworkers: most of the staff, each in their own street."""

    role = "caseworker"
    weight = 8


class Reviewer(_Staff):
    """District reviewers: the same screens over a district (~150 000 people)."""

    role = "reviewer"
    weight = 3


class Bureau(_Staff):
    """The bureau: the same screens over the whole city."""

    role = "bureau"
    weight = 1


class ApiClient(HttpUser):
    """A district system pulling lists through the API with a knox token."""

    role = "api"
    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = _next_account(self.role)
        response = self.client.post(
            "/api/auth/login/",
            name=f"{LOGIN_PREFIX}api token",
            json={"username": self.account["username"], "password": PLAN["password"]},
        )
        self.client.headers["Authorization"] = f"Token {response.json().get('token', '')}"
        _after_login(self.environment)

    def api(self, url: str, name: str, **params) -> dict:
        with self.client.get(url, params=params or None, name=name, catch_response=True) as response:
            return response.json() if response.ok else {}

    @task(3)
    def persons(self):
        self.api(
            "/api/core/persons/",
            "API persons ?sex&disability",
            sex=random.choice("MF"),
            disability_grade=random.randint(1, 4),
        )

    @task(3)
    def household_list(self):
        first = self.api("/api/core/households/", "API households")
        if first.get("next"):
            self.client.get(first["next"], name="API households page 2")

    @task(3)
    def review_tasks(self):
        self.api("/api/relief/tasks/", "API review tasks ?status=open", status="open")

    @task(2)
    def benefits(self):
        self.api("/api/relief/benefits/", "API benefits ?status", status="active")

    @task(1)
    def applications(self):
        self.api("/api/relief/applications/", "API applications")


class Resident(_Portal):
    """Residents looking at their household and their applications."""

    role = "resident"
    weight = 3

    @task(2)
    def portal(self):
        self.page("/", "resident: portal")

    @task(3)
    def household(self):
        self.page("/my/household/", "resident: my household")

    @task(2)
    def applications(self):
        self.page("/my/applications/", "resident: my applications")

    @task(1)
    def relief(self):
        self.page("/my/relief/", "resident: relief applications")
