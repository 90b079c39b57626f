"""Issue 12 defect 2: members live where their household is registered, so
the street's caseworker finds a new online applicant and exports them."""

import pytest

from civil_affairs import selectors, services
from civil_affairs.models import AuditEvent, Person, Role
from tests.factories import valid_id_number


@pytest.fixture
def newcomer(regions):
    """A person new to the registry, placed by their ID's address code (the county)."""
    person = services.person_create(actor=None, id_number=valid_id_number(address_code="320612"), name="甄新来")
    assert person.residence_region_id == "320612000000"
    return person


def test_creating_a_household_moves_its_head_into_the_community(regions, users, newcomer):
    caseworker = users[Role.CASEWORKER]  # 金沙街道
    assert not selectors.registry_search(selectors.person_list_for_user(caseworker), "甄新来", user=caseworker).exists()
    household = services.household_create(actor=newcomer, region=regions["jinsha_1"], head=newcomer)
    newcomer.refresh_from_db()
    assert newcomer.residence_region_id == regions["jinsha_1"].code
    found = selectors.registry_search(selectors.person_list_for_user(caseworker), "甄新来", user=caseworker)
    assert list(found) == [newcomer]
    event = AuditEvent.objects.get(target_type="civil_affairs.person", target_id=str(newcomer.pk), action="update")
    assert event.changes["residence_region"] == ["320612000000", regions["jinsha_1"].code]
    assert event.changes["household"] == household.number


def test_added_member_and_moved_household_follow(regions, users, newcomer):
    head = services.person_create(
        actor=None, id_number=valid_id_number(), name="户主", hukou_region=regions["jinsha_1"]
    )
    household = services.household_create(actor=users[Role.CASEWORKER], region=regions["jinsha_1"], head=head)
    services.household_member_add(actor=users[Role.CASEWORKER], household=household, person=newcomer, relation="spouse")
    assert Person.objects.get(pk=newcomer.pk).residence_region_id == regions["jinsha_1"].code
    services.household_move(
        actor=users[Role.BUREAU_ADMIN], household=household, region=regions["wenfeng_1"], address="文峰路1号"
    )
    assert set(Person.objects.filter(pk__in=[head.pk, newcomer.pk]).values_list("residence_region_id", flat=True)) == {
        regions["wenfeng_1"].code
    }
    # now the 文峰 caseworker finds them, the 金沙 one no longer does
    for who, finds in ((users["other_caseworker"], True), (users[Role.CASEWORKER], False)):
        assert selectors.registry_search(selectors.person_list_for_user(who), "甄新来", user=who).exists() is finds
    with pytest.raises(services.DomainError, match="社区或村"):
        services.household_move(actor=None, household=household, region=regions["wenfeng"])


def test_my_household_page_shows_the_community(client, regions, newcomer):
    from tests.factories import UserFactory

    user = UserFactory(username="13900000077", phone="13900000077", role=Role.RESIDENT, person=newcomer)
    if hasattr(user, "verified_at") and user.verified_at is None:
        from django.utils import timezone

        user.verified_at = timezone.now()
        user.save(update_fields=["verified_at"])
    services.household_create(actor=user, region=regions["jinsha_1"], head=newcomer)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/my/household/").content.decode()
    assert "金沙社区" in page
