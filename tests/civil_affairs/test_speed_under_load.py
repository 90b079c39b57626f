"""Issue 11 item 10, the core's part: the people list filtered by disability reads
the partial index of people with a grade; /api/core/households/ pages by
(region, id) like the workbench; seed_demo and the registry import leave fresh
statistics on the tables they filled (ANALYZE, not a wait for autovacuum)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from civil_affairs import services
from civil_affairs.models import Household, HouseholdMember, IncomeRecord, Person, Role
from relief.models import Benefit
from tests.civil_affairs.factories import PERSON_IMPORT_ROWS, MemberFactory, person_csv
from tests.plans import analyzed_since, database_now, list_query, plan


def _registry_of(region, n: int) -> None:
    """n people in one community, one in 16 with a disability grade (as in the demo city)."""
    Person.objects.bulk_create(
        Person(
            id_number=f"3206121980{i:08d}",
            name=f"人员{i}",
            sex="MF"[i % 2],
            birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i % 9000),
            hukou_region=region,
            residence_region=region,
            disability_grade=(i // 16) % 4 + 1 if i % 16 < 2 else 0,
        )
        for i in range(n)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE civil_affairs_person")


def test_people_filtered_by_disability_read_the_partial_index(regions, users, login):
    _registry_of(regions["jinsha_1"], 6000)
    client = login(users[Role.CASEWORKER])
    for url in (
        "/work/people/?sex=F&disability_grade=2",
        "/work/people/?disability_grade=3&sort=residence_region",
        "/api/core/persons/?sex=M&disability_grade=1",
    ):
        indexes, _nodes = plan(list_query(client, url, "civil_affairs_person"))
        assert "person_disabled" in indexes, (url, indexes)
    # the API pages by (residence region, id): the partial index gives that order as it is
    api = list_query(client, "/api/core/persons/?sex=F&disability_grade=4", "civil_affairs_person")
    indexes, nodes = plan(api)
    assert "person_disabled" in indexes and not {"Sort", "Incremental Sort"} & nodes, (indexes, nodes)


def test_persons_api_pages_by_residence_region_then_id(regions, users, login):
    for key in ("xingren_1", "jinsha_1", "xingren_1", "jinsha_1", "jinsha_1"):
        MemberFactory(household__region=regions[key], person__residence_region=regions[key])
    client = login(users[Role.REVIEWER])
    seen, url = [], "/api/core/persons/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [(p["residence_region"], p["id"]) for p in page["results"]]
        url = page["next"]
    in_district = Person.objects.filter(residence_region__code__startswith="320612")  # the reviewer's 通州区
    assert len(seen) > 5 and seen == sorted(in_district.values_list("residence_region_id", "pk"))


def test_households_api_pages_by_region_then_id(regions, users, login):
    # made in an order that is neither by region nor by id within a region
    made = [
        MemberFactory(household__region=regions[key]).household
        for key in ("xingren_1", "jinsha_1", "xingren_1", "jinsha_1", "jinsha_1", "xingren_1", "jinsha_1")
    ]
    client = login(users[Role.REVIEWER])  # session authentication, as the API allows

    def walk(url: str, link: str) -> tuple[list[list[tuple]], dict]:
        """The pages from `url` following `link`, and the last page."""
        pages = []
        while True:
            page = client.get(url).json()
            pages.append([(h["region"], h["id"]) for h in page["results"]])
            if not page[link]:
                return pages, page
            url = page[link]

    forwards, last = walk("/api/core/households/?page_size=2", "next")
    assert sum(forwards, []) == sorted((h.region_id, h.pk) for h in made)
    assert [len(p) for p in forwards] == [2, 2, 2, 1]
    backwards, _first = walk(last["previous"], "previous")  # from the last page back to the first
    assert backwards == forwards[-2::-1]


def test_households_api_reads_the_region_index(regions, users, login):
    for _ in range(3):
        MemberFactory(household__region=regions["jinsha_1"])
    client = login(users[Role.REVIEWER])  # session authentication, as the API allows
    with connection.cursor() as cursor:
        # a tiny table (with whatever statistics earlier tests left): ask which index serves the order
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        indexes, nodes = plan(list_query(client, "/api/core/households/", "civil_affairs_household"))
    assert "household_region_id" in indexes and "Sort" not in nodes


def test_registry_import_analyzes_the_table_it_filled(regions, users):
    since = database_now()
    run = services.registry_import_start(
        user=users[Role.CASEWORKER],
        kind="person",
        uploaded=SimpleUploadedFile("people.csv", person_csv(*PERSON_IMPORT_ROWS)),
    )
    services.registry_import_run(run_id=run.pk)
    assert analyzed_since(since, [Person]) == {"civil_affairs_person"}


@pytest.mark.django_db(transaction=True)  # seed_demo's COPY, as in test_seed_demo.py
def test_seed_demo_analyzes_the_tables_the_areas_filled(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    since = database_now()
    call_command("seed_demo", households=300, stdout=io.StringIO())
    tables = [Person, Household, HouseholdMember, IncomeRecord, Benefit]
    assert analyzed_since(since, tables) == {model._meta.db_table for model in tables}


@pytest.mark.parametrize(
    ("role", "index"), [(Role.REVIEWER, "household_district_created"), (Role.CASEWORKER, "household_street_created")]
)
def test_newest_households_of_a_district_or_street_read_their_level_index(regions, users, login, role, index):
    # a registry imported district by district was created in region order: walking the plain
    # (created_at, id) index backwards for an early district would pass every later one
    for _ in range(3):
        MemberFactory(household__region=regions["jinsha_1"])
    client = login(users[role])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        indexes, nodes = plan(list_query(client, "/work/households/?sort=-created_at", "civil_affairs_household"))
    assert index in indexes and "Sort" not in nodes
