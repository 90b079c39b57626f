"""Another area refers a person to relief's temporary assistance: a draft for
the person's registered household, or a clear refusal without one."""

import pytest

from civil_affairs.models import Role
from civil_affairs.services import DomainError
from tests.factories import MemberFactory


def test_a_referral_from_another_area_opens_a_temporary_draft_for_the_household(relief_standards, users):
    from civil_affairs.models import Person
    from relief.services.applications import temporary_referral
    from tests.factories import PersonFactory

    member = MemberFactory(household__region=relief_standards["jinsha_1"])
    draft = temporary_referral(
        actor=users[Role.CASEWORKER],
        person=member.person,
        region=relief_standards["jinsha_1"],
        reason="探访关爱转介：独居老人住院",
        temporary_type="expenditure",
    )
    assert (draft.kind, draft.temporary_type, draft.household_id, draft.state) == (
        "temporary",
        "expenditure",
        member.household_id,
        "draft",
    )
    loner: Person = PersonFactory(name="无户老人")
    with pytest.raises(DomainError, match="无户老人 没有户籍家庭记录"):
        temporary_referral(
            actor=users[Role.CASEWORKER],
            person=loner,
            region=relief_standards["jinsha_1"],
            reason="x",
            temporary_type="expenditure",
        )
