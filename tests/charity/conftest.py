"""Charity fixtures: a recognised foundation with public-fundraising status in
通州区 (the charity_staff user and a second staff member bound to it), another
organisation in 崇川区, a named fund, a project and a drive with its plan filed."""

import datetime as dt
from decimal import Decimal

import pytest

from charity import services
from charity.models import Organisation
from civil_affairs.models import Role
from tests.civil_affairs.factories import UserFactory

TODAY = dt.date(2026, 11, 20)
ALL_GOVERNANCE = {
    "board_related_third": True,
    "no_close_relatives": True,
    "non_mainland_third": True,
    "legal_rep_mainland": True,
    "secretary_full_time": True,
    "full_time_staff": True,
    "supervisors": True,
    "rules_complete": True,
    "no_penalty": True,
}


@pytest.fixture
def today(settings):
    settings.MINZHENG_TODAY = TODAY
    return TODAY


@pytest.fixture
def charity(regions, users, today):
    admin = users[Role.BUREAU_ADMIN]
    org = services.organisation_create(
        actor=admin,
        name="通州区慈善总会",
        region=regions["tongzhou"],
        org_type=Organisation.Type.FOUNDATION,
        registered_on=dt.date(2015, 3, 1),
        rating=4,
        recognition=Organisation.Recognition.RECOGNISED,
        recognised_on=dt.date(2017, 1, 10),
        public_fundraising=True,
        public_fundraising_on=dt.date(2018, 1, 10),
        governance=ALL_GOVERNANCE,
        net_assets_last_year=Decimal("5000000"),
    )
    other = services.organisation_create(
        actor=admin,
        name="崇川区慈善基金会",
        region=regions["chongchuan"],
        org_type=Organisation.Type.FOUNDATION,
        registered_on=dt.date(2016, 5, 1),
        recognition=Organisation.Recognition.RECOGNISED,
        recognised_on=dt.date(2017, 2, 1),
    )
    maker = users[Role.CHARITY_STAFF]
    checker = UserFactory(
        username="charity_checker", role=Role.CHARITY_STAFF, region=regions["tongzhou"], first_name="复核人"
    )
    outsider = UserFactory(username="charity_outsider", role=Role.CHARITY_STAFF, region=regions["chongchuan"])
    for user, o in ((maker, org), (checker, org), (outsider, other)):
        services.staff_bind(actor=admin, user=user, organisation=o)
    fund = services.fund_create(actor=admin, org=org, name="张謇慈善基金", is_named=True)
    project = services.project_create(actor=admin, org=org, name="困难家庭助学", starts_on=dt.date(2026, 1, 1))
    drive = services.campaign_create(
        actor=admin, org=org, name="2026年慈善一日捐", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 12, 31)
    )
    services.plan_file(actor=admin, campaign=drive, filed_on=dt.date(2026, 2, 20), record_number="53320612MJ0001")
    return {
        "org": org,
        "other": other,
        "maker": maker,
        "checker": checker,
        "outsider": outsider,
        "fund": fund,
        "project": project,
        "drive": drive,
        "admin": admin,
    }


@pytest.fixture
def donor(charity):
    return services.donor_get_or_create(org=charity["org"], kind="person", name="张三")
