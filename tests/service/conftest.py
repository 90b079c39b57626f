"""The relief case fixtures (a 3-member household in 金沙社区 and its staff),
shared with tests/relief, plus the head's own resident account."""

import pytest

from civil_affairs.models import Role
from tests.civil_affairs.factories import UserFactory
from tests.relief.conftest import family, relief_standards, staff, today  # noqa: F401 - fixtures


@pytest.fixture
def head_account(family):
    head = family.members.get(relation="head").person
    return UserFactory(
        username="13800000009", phone="13800000009", role=Role.RESIDENT, person=head, first_name=head.name
    )
