"""Dashboard (indicators per child region, chart data, Excel export), the
bureau overview's eldercare figures, person-360 and household rows, and no
N+1 on the lists."""

import datetime as dt
import io

import openpyxl
import pytest

from civil_affairs.models import Role
from civil_affairs.services import batchrun_create
from eldercare.models import Bed, Facility, Institution, InstitutionMember, Provider
from eldercare.selectors import indicators
from eldercare.services import allowance, homecare, institutions
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
from tests.eldercare.factories import elder, id_number_born
from tests.queries import assert_no_n_plus_one

D = dt.date


@pytest.fixture
def city(elder_params, users, today):
    r = elder_params
    home = Institution.objects.create(
        name="通州福利院", filing_number="F-1", operator="private", medical="partner", region=r["jinsha"]
    )
    Institution.objects.create(name="崇川敬老院", filing_number="F-2", operator="public", region=r["wenfeng"])
    InstitutionMember.objects.create(user=users[Role.INSTITUTION_STAFF], institution=home)
    beds = [
        Bed.objects.create(institution=home, room="1", number=str(n), kind="nursing" if n < 2 else "ordinary")
        for n in range(4)
    ]
    resident = elder(D(1936, 1, 1), r["jinsha_1"])
    institutions.admission(actor=users[Role.INSTITUTION_STAFF], bed=beds[0], person=resident, on=D(2026, 12, 1))
    Facility.objects.create(kind="meal_point", name="长者食堂", region=r["jinsha_1"])
    elder(D(1940, 1, 1), r["wenfeng_1"])
    return {"home": home, "resident": resident, "regions": r}


def test_indicators_by_district(city):
    r = city["regions"]
    day = D(2026, 12, 15)
    assert indicators.institutions(r["city"], day) == {"320612000000": 1, "320613000000": 1}
    assert indicators.beds(r["city"], day) == {"320612000000": 4}
    assert float(indicators.nursing_share(r["city"], day)["320612000000"]) == 50.0
    assert float(indicators.occupancy(r["city"], day)["320612000000"]) == 25.0
    assert float(indicators.private_share(r["city"], day)["320612000000"]) == 100.0
    assert float(indicators.medical_share(r["city"], day)["320612000000"]) == 100.0
    assert indicators.meal_points(r["city"], day) == {"320612000000": 1}
    per_1000 = indicators.beds_per_1000(r["city"], day)
    assert per_1000["320612000000"] > 0  # 4 beds over the district's people aged 60+
    assert indicators.by_child("institutions", r["tongzhou"], day) == {"320612001000": 1}


def test_dashboard_page_chart_and_export(city, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    page = client.get("/work/eldercare/dashboard/")
    body = page.content.decode()
    assert page.status_code == 200 and "eldercare-dashboard-data" in body and "通州区" in body
    street = client.get("/work/eldercare/dashboard/?region=320612001000")
    assert street.status_code == 200 and "金沙社区" in street.content.decode()
    export = client.get("/work/eldercare/dashboard/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert book.active.cell(1, 1).value == "区划" and book.active.cell(2, 1).value == "通州区"
    # out of the user's jurisdiction
    assert login(users[Role.CASEWORKER]).get("/work/eldercare/dashboard/?region=320613000000").status_code == 404


def test_overview_shows_eldercare_figures(city, users, login):
    response = login(users[Role.BUREAU_ADMIN]).get("/work/overview/")
    assert response.status_code == 200 and "护理型床位占比" in response.content.decode()


def test_person_360_and_household_rows(city, users, login, regions):
    resident = city["resident"]
    allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": "2026-11"}).pk)
    page = login(users[Role.CASEWORKER]).get(f"/work/people/{resident.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "尊老金" in body and "机构养老" in body and "通州福利院" in body
    # a community worker sees the stay but not the allowance money rows
    assert "尊老金" not in login(users[Role.COMMUNITY_WORKER]).get(f"/work/people/{resident.pk}/").content.decode()


def test_visit_list_without_n_plus_one(city, users, login):
    r = city["regions"]
    provider = Provider.objects.create(name="康乐", credit_code="C-1", region=r["jinsha"])
    from django.utils import timezone

    def make(n):
        for _ in range(n):
            household = HouseholdFactory(region=r["jinsha_1"])
            person = MemberFactory(household=household, person__id_number=id_number_born(D(1940, 3, 3))).person
            order = homecare.order_create(
                actor=users[Role.CASEWORKER], person=person, provider=provider, month=D(2026, 12, 1)
            )
            start = timezone.make_aware(dt.datetime(2026, 12, 2, 9))
            homecare.visit_plan(
                actor=users[Role.CASEWORKER], order=order, start=start, end=start + dt.timedelta(hours=1)
            )

    assert_no_n_plus_one(
        login(users[Role.CASEWORKER]), "/work/eldercare/visits/", make, rows=lambda resp: len(resp.context["visits"])
    )


def test_institution_list_without_n_plus_one(city, users, login):
    r = city["regions"]
    counter = iter(range(100, 200))

    def make(n):
        for _ in range(n):
            Institution.objects.create(
                name="机构", filing_number=f"N-{next(counter)}", operator="public", region=r["jinsha_1"]
            )

    assert_no_n_plus_one(
        login(users[Role.REVIEWER]),
        "/work/eldercare/institutions/",
        make,
        rows=lambda resp: len(resp.context["institutions"]) - 1,
    )
