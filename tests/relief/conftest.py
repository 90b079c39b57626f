"""Relief fixtures: the demo standards at city level, a 3-member household
on wages in 金沙社区, and the staff who work its case."""

import datetime as dt
from decimal import Decimal

import pytest

from civil_affairs.models import HouseholdMember, IncomeRecord, Role
from relief.services.standards import standards_load_demo
from tests.civil_affairs.factories import IncomeFactory, MemberFactory, UserFactory, valid_id_number
from tests.relief.factories import TODAY


@pytest.fixture
def relief_standards(regions):
    standards_load_demo(actor=None, region=regions["city"])
    return regions


@pytest.fixture
def today(settings):
    settings.MINZHENG_TODAY = TODAY
    return TODAY


@pytest.fixture
def family(relief_standards, today):
    """3 members in 金沙社区, aged 30–50; the head earns 1 200 yuan a month."""
    regions = relief_standards
    head = MemberFactory(
        household__region=regions["jinsha_1"],
        person__id_number=valid_id_number(birth=dt.date(1980, 1, 1)),
        person__name="王一",
    )
    household = head.household
    for name, birth in (("李二", dt.date(1982, 3, 3)), ("王三", dt.date(1996, 6, 6))):
        MemberFactory(
            household=household,
            relation=HouseholdMember.Relation.CHILD if name == "王三" else HouseholdMember.Relation.SPOUSE,
            person__name=name,
            person__id_number=valid_id_number(birth=birth),
        )
    IncomeFactory(
        household=household,
        person=head.person,
        kind=IncomeRecord.Kind.WAGES,
        amount=Decimal("14400"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    return household


@pytest.fixture
def staff(users, regions):
    """A second caseworker of 金沙街道 to co-sign visits, a caseworker of the
    neighbouring street (兴仁镇, same district), and a second bureau
    administrator for the cases the bureau decides with two approvals."""
    return {
        "caseworker": users[Role.CASEWORKER],
        "colleague": UserFactory(
            username="colleague", role=Role.CASEWORKER, region=regions["jinsha"], first_name="陈同事"
        ),
        "neighbour": UserFactory(
            username="neighbour", role=Role.CASEWORKER, region=regions["xingren"], first_name="兴仁经办人"
        ),
        "reviewer": users[Role.REVIEWER],
        "admin": users[Role.BUREAU_ADMIN],
        "admin2": UserFactory(
            username="admin2", role=Role.BUREAU_ADMIN, region=regions["city"], first_name="第二审批人"
        ),
    }
