"""The households list in number order for a district, street or community
(issue 11 item 10): the extra equality on the region code's leading digits
that lets PostgreSQL read the household_*_number indexes keeps exactly the
jurisdiction's households, whatever street a household's number names."""

import pytest

from civil_affairs.models import Household, Role
from civil_affairs.selectors import household_list_for_user, households_for_ordered_list, jurisdiction_prefix
from tests.civil_affairs.factories import HouseholdFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "where", "level_sql"),
    [
        (Role.REVIEWER, "tongzhou", "LEFT("),
        (Role.CASEWORKER, "jinsha", "LEFT("),
        (Role.COMMUNITY_WORKER, "jinsha_1", None),
        (Role.BUREAU_ADMIN, "city", None),
    ],
)
def test_number_order_keeps_the_jurisdiction(regions, role, where, level_sql):
    # numbered in another street (moved in later) and numbered here but moved away
    moved_in = HouseholdFactory(region=regions["jinsha_1"], number="H320613001" + "00000001")
    stayed = HouseholdFactory(region=regions["jinsha_1"], number="H320612001" + "00000002")
    moved_out = HouseholdFactory(region=regions["wenfeng_1"], number="H320612001" + "00000003")
    elsewhere = HouseholdFactory(region=regions["xingren_1"], number="H320612002" + "00000004")
    user = UserFactory(role=role, region=regions[where])

    qs = households_for_ordered_list(household_list_for_user(user), user).order_by("number", "id")
    plain = Household.objects.filter(region__code__startswith=jurisdiction_prefix(user)).order_by("number", "id")
    assert list(qs.values_list("number", flat=True)) == list(plain.values_list("number", flat=True))
    newest = households_for_ordered_list(household_list_for_user(user), user).order_by("-created_at", "-id")
    assert list(newest.values_list("pk", flat=True)) == list(
        plain.order_by("-created_at", "-id").values_list("pk", flat=True)
    )

    sql = str(qs.query)
    if level_sql:
        assert level_sql in sql
    else:
        assert "LEFT(" not in sql
    shown = set(qs.values_list("pk", flat=True))
    assert "LEFT(" not in str(household_list_for_user(user).query)  # other orders (the API's region, id) as before
    assert {moved_in.pk, stayed.pk} <= shown
    assert moved_out.pk not in shown or where == "city"
    assert (elsewhere.pk in shown) == (where in ("tongzhou", "city"))
