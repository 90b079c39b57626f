"""Relief's list pages and API lists cost the same queries for 1 row as for a
full page (no N+1), on the real database."""

import datetime as dt

import pytest

from civil_affairs.models import HouseholdMember
from relief.models import FeedRecord, PayrollRoll, ReviewTask
from relief.services import payroll
from tests.civil_affairs.factories import MemberFactory
from tests.queries import assert_no_n_plus_one
from tests.relief.factories import benefit_for, investigated, submitted

DEC = dt.date(2026, 12, 1)


@pytest.fixture
def new_household(relief_standards, today):
    """A household of 2 in 金沙社区 (the caseworker's street), a new one each call."""

    def make():
        head = MemberFactory(household__region=relief_standards["jinsha_1"])
        MemberFactory(household=head.household, relation=HouseholdMember.Relation.SPOUSE)
        return head.household

    return make


@pytest.fixture
def make_applications(new_household, staff):
    """`n` applications being investigated (visited, co-signed): each row has an applicant, visits, deadline."""

    def make(n):
        for _ in range(n):
            investigated(submitted(new_household(), staff), staff)

    return make


@pytest.fixture
def make_benefits(new_household):
    def make(n):
        for _ in range(n):
            benefit_for(new_household())

    return make


@pytest.fixture
def make_tasks(new_household):
    """`n` open vehicle tasks, each with its benefit, person and feed row."""

    def make(n):
        for _ in range(n):
            benefit = benefit_for(new_household())
            feed = FeedRecord.objects.create(
                kind="vehicle",
                id_number=benefit.recipient.id_number,
                name=benefit.recipient.name,
                key=f"苏F{benefit.pk:05d}",
                event_date=dt.date(2026, 10, 1),
                detail={"plate": f"苏F{benefit.pk:05d}"},
            )
            ReviewTask.objects.create(
                kind="vehicle",
                benefit=benefit,
                person=benefit.recipient,
                region=benefit.region,
                key=feed.key,
                feed_record=feed,
                evidence={"plate": feed.key},
                due=dt.date(2026, 12, 1),
            )

    return make


def test_queue(make_applications, staff, login):
    assert_no_n_plus_one(login(staff["caseworker"]), "/work/relief/", make_applications)


def test_benefits_list(make_benefits, staff, login):
    assert_no_n_plus_one(login(staff["caseworker"]), "/work/relief/benefits/", make_benefits)


def test_review_tasks_list(make_tasks, staff, login):
    assert_no_n_plus_one(login(staff["caseworker"]), "/work/relief/tasks/", make_tasks)


def test_payroll_roll_detail(make_benefits, staff, login):
    def make(n):
        make_benefits(n)
        payroll.payroll_generate(month=DEC)  # completes the month's roll with the new benefits

    def roll_url():
        return f"/work/relief/payroll/{PayrollRoll.objects.get(month=DEC, district_id='320612000000').pk}/"

    assert_no_n_plus_one(login(staff["reviewer"]), roll_url, make)


def test_api_lists(make_applications, make_benefits, make_tasks, staff, login):
    client = login(staff["caseworker"])
    assert_no_n_plus_one(client, "/api/relief/applications/", make_applications)
    assert_no_n_plus_one(client, "/api/relief/benefits/", make_benefits)
    assert_no_n_plus_one(client, "/api/relief/tasks/", make_tasks)
