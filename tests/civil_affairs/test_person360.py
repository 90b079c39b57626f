"""Person 360 and the household page (issue 11 item 5): every registered
area's rows through the registry, scoped by role, audited as full-record
views; relief's rows (benefits, applications, 12 months of payments and price
subsidies) without N+1; the household's links and 受理新申请.

Role policy: rows are for roles with the area's read capability in the
user's jurisdiction; money (amounts, payments, subsidies) only for roles
that see the payroll (payroll_view) — a community worker sees that a person
is on dibao and has a case, not how much is paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs.models import AuditEvent, HouseholdMember, Role
from relief.models import Application, Benefit, PriceSubsidy, PriceSubsidyRoll
from relief.services import payroll
from tests.civil_affairs.factories import MemberFactory, valid_id_number

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def family(regions, users, settings):
    """Head (the payee) and spouse in 金沙社区 on dibao since January, paid in October and November."""
    settings.MINZHENG_TODAY = TODAY
    head = MemberFactory(
        household__region=regions["jinsha_1"],
        household__number="H320612001777777",
        person__name="周大海",
        person__id_number=valid_id_number(birth=dt.date(1960, 1, 1)),
    )
    spouse = MemberFactory(
        household=head.household,
        relation=HouseholdMember.Relation.SPOUSE,
        person__name="吴小梅",
        person__id_number=valid_id_number(birth=dt.date(1962, 1, 1)),
    )
    household = head.household
    benefit = Benefit.objects.create(
        household=household,
        recipient=head.person,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("780.00"),
        members=2,
        start_month=dt.date(2026, 1, 1),
        bank_account="6228480012345678901",
    )
    for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        payroll.payroll_generate(month=month)
    application = _application(household, head.person, "A1", state="submitted")
    roll = PriceSubsidyRoll.objects.create(month=dt.date(2026, 10, 1), district_id="320612000000")
    PriceSubsidy.objects.create(
        roll=roll,
        person=spouse.person,
        month=roll.month,
        group="dibao",
        region=household.region,
        amount=Decimal("28.08"),
    )
    return {
        "household": household,
        "head": head.person,
        "spouse": spouse.person,
        "benefit": benefit,
        "application": application,
    }


def _application(household, applicant, number, *, state="confirmed"):
    return Application.objects.create(
        number=f"T{number}",
        kind="temporary",
        temporary_type="emergency",
        household=household,
        applicant=applicant,
        region=household.region,
        state=state,
        requested_amount=Decimal("500"),
    )


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_person_page_lists_relief_rows_for_the_payee_and_a_member(family, users, login):
    client = login(users[Role.CASEWORKER])
    head = _page(client, f"/work/people/{family['head'].pk}/")
    assert 'data-testid="area-relief"' in head
    assert "最低生活保障" in head and "正常享受" in head and "780.00" in head
    assert f"/work/relief/benefits/{family['benefit'].pk}/" in head
    assert "TA1 临时救助" in head and f"/work/relief/applications/{family['application'].pk}/" in head
    assert "救助金发放" in head and "近12个月 2 笔" in head and "¥1,560.00" in head
    # The spouse lives on the household's benefit: the same benefit, and their own price subsidy.
    spouse = _page(client, f"/work/people/{family['spouse'].pk}/")
    assert f"/work/relief/benefits/{family['benefit'].pk}/" in spouse
    assert "物价补贴" in spouse and "28.08" in spouse


def test_a_community_worker_sees_cases_without_money(family, users, login):
    page = _page(login(users[Role.COMMUNITY_WORKER]), f"/work/people/{family['head'].pk}/")
    assert "最低生活保障" in page and "TA1" in page
    assert "780.00" not in page and "救助金发放" not in page and "1560.00" not in page


def test_rows_of_another_area_and_only_for_its_roles(family, users, login):
    """The test-only sample area shows its row to the roles of its capability (the bureau here)."""
    url = f"/work/people/{family['head'].pk}/"
    assert "示例记录" in _page(login(users[Role.BUREAU_ADMIN]), url)
    assert 'data-testid="area-sample"' in _page(login(users[Role.BUREAU_ADMIN]), url)
    assert "示例记录" not in _page(login(users[Role.CASEWORKER]), url)
    assert "示例家庭记录" in _page(login(users[Role.BUREAU_ADMIN]), f"/work/households/{family['household'].pk}/")


def test_another_street_gets_404(family, users, login):
    client = login(users["other_caseworker"])
    assert client.get(f"/work/people/{family['head'].pk}/").status_code == 404
    assert client.get(f"/work/households/{family['household'].pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COMMUNITY_WORKER, Role.AUDITOR])
def test_every_role_leaves_a_view_event(family, users, login, role):
    client = login(users[role])
    client.get(f"/work/people/{family['head'].pk}/")
    client.get(f"/work/households/{family['household'].pk}/")
    assert (
        AuditEvent.objects.filter(
            actor=users[role], action="view", target_type="civil_affairs.person", target_id=str(family["head"].pk)
        ).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            actor=users[role],
            action="view",
            target_type="civil_affairs.household",
            target_id=str(family["household"].pk),
        ).count()
        == 1
    )


def test_the_household_page_links_to_relief_and_starts_an_application(family, users, login):
    household = family["household"]
    page = _page(login(users[Role.CASEWORKER]), f"/work/households/{household.pk}/")
    assert 'data-testid="area-links-relief"' in page
    assert f"/work/relief/households/{household.pk}/economy/" in page
    assert f"/work/relief/?q={household.number}" in page
    assert f"/work/relief/benefits/{family['benefit'].pk}/" in page and "¥1,560.00" in page
    new = f"/work/relief/applications/new/?household={household.number}"
    assert new in page and "受理新申请" in page
    # the button opens the existing counter form with the household filled in
    form = login(users[Role.CASEWORKER]).get(new)
    assert form.status_code == 200 and f'value="{household.number}"' in form.content.decode()
    # reviewers read the case but do not take applications in
    assert "受理新申请" not in _page(login(users[Role.REVIEWER]), f"/work/households/{household.pk}/")


def _person_with(regions, n):
    head = MemberFactory(
        household__region=regions["jinsha_1"], person__id_number=valid_id_number(birth=dt.date(1970, 1, 1))
    )
    household = head.household
    for i in range(n):
        Benefit.objects.create(
            household=household,
            recipient=head.person,
            kind="temporary",
            region=household.region,
            monthly_amount=Decimal("300.00"),
            start_month=dt.date(2026, 1 + i, 1),
            last_month=dt.date(2026, 1 + i, 1),
        )
        _application(household, head.person, f"{head.person.pk}-{i}")
    return head.person, household


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COMMUNITY_WORKER])
def test_no_n_plus_one_for_a_person_with_more_records(regions, users, login, settings, role):
    settings.MINZHENG_TODAY = TODAY
    client = login(users[role])
    counts = {}
    for n in (1, 5):
        person, household = _person_with(regions, n)
        for url in (f"/work/people/{person.pk}/", f"/work/households/{household.pk}/"):
            with CaptureQueriesContext(connection) as queries:
                page = _page(client, url)
            assert page.count("临时救助") >= n
            counts[(n, url.split("/")[2])] = len(queries)
    assert counts[(1, "people")] == counts[(5, "people")]
    assert counts[(1, "households")] == counts[(5, "households")]
