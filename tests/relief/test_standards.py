"""Standards are dated data per region: the value in force for a community on
a day comes from the nearest region up the tree, newest effective date first."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from civil_affairs.models import Parameter
from civil_affairs.parameters import parameter_set
from civil_affairs.rules import region_ancestors
from civil_affairs.services import DomainError
from relief.models import Application, Benefit
from relief.selectors.standards import standards_in_force
from relief.services import applications as svc
from tests.relief.factories import investigated, submitted


def test_region_ancestors_nearest_first():
    assert region_ancestors("320612001001") == [
        "320612001001",
        "320612001000",
        "320612000000",
        "320600000000",
        "320000000000",
    ]


def test_value_in_force_walks_up_the_tree_and_respects_dates(relief_standards):
    regions = relief_standards
    community = regions["jinsha_1"].code
    assert standards_in_force(community, dt.date(2026, 1, 1)).dibao_standard == Decimal("780")
    # The district raises its standard from 2027; the city's stays for everyone else.
    parameter_set(
        actor=None,
        region=regions["tongzhou"],
        key="dibao_standard",
        value=Decimal("820"),
        effective_from=dt.date(2027, 1, 1),
    )
    assert standards_in_force(community, dt.date(2026, 12, 31)).dibao_standard == Decimal("780")
    assert standards_in_force(community, dt.date(2027, 1, 1)).dibao_standard == Decimal("820")
    assert standards_in_force(regions["wenfeng_1"].code, dt.date(2027, 1, 1)).dibao_standard == Decimal("780")
    # A newer city row does not override the nearer district's.
    parameter_set(
        actor=None,
        region=regions["city"],
        key="dibao_standard",
        value=Decimal("850"),
        effective_from=dt.date(2027, 6, 1),
    )
    assert standards_in_force(community, dt.date(2027, 7, 1)).dibao_standard == Decimal("820")
    assert standards_in_force(regions["wenfeng_1"].code, dt.date(2027, 7, 1)).dibao_standard == Decimal("850")


def test_missing_standards_are_named(regions):
    with pytest.raises(DomainError, match="低保标准"):
        standards_in_force(regions["jinsha_1"].code, dt.date(2026, 1, 1))


def test_a_standard_change_changes_the_next_proposal(family, staff, relief_standards):
    parameter_set(
        actor=None,
        region=relief_standards["city"],
        key="dibao_standard",
        value=Decimal("800"),
        effective_from=dt.date(2026, 11, 1),
    )
    app = investigated(submitted(family, staff), staff)
    app = svc.application_propose(actor=staff["caseworker"], application=app)
    assert app.proposed_amount == Decimal("1440.00")  # (800 − 320) × 3
    assert Parameter.objects.filter(key="dibao_standard").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_confirming_at_once_grant_one_benefit(family, staff, settings):
    """Row locks serialise the two decisions: one confirms, the other is told the state changed."""
    from civil_affairs.models import Role
    from tests.factories import UserFactory

    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    reviewers = [
        staff["reviewer"],
        UserFactory(username="reviewer2", role=Role.REVIEWER, region=staff["reviewer"].region),
    ]
    outcomes, barrier = [], threading.Barrier(2)

    def decide(reviewer):
        try:
            barrier.wait()
            svc.application_confirm(actor=reviewer, application=app)
            outcomes.append("confirmed")
        except DomainError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "confirmed" and "已批准" in sorted(outcomes)[1]
    assert Benefit.objects.filter(household=family).count() == 1
    assert Application.objects.get(pk=app.pk).state == "confirmed"


def test_standards_by_region_matches_the_walk_up_the_tree(relief_standards):
    """The batches' bulk lookup agrees with standards_in_force for every region."""
    import datetime as dt
    from decimal import Decimal

    from relief.selectors.standards import standards_by_region, standards_in_force

    regions = relief_standards
    Parameter.objects.create(
        region=regions["tongzhou"], key="dibao_standard", value=Decimal("800"), effective_from=dt.date(2026, 1, 1)
    )
    Parameter.objects.create(
        region=regions["jinsha_1"], key="dibao_standard", value=Decimal("820"), effective_from=dt.date(2027, 1, 1)
    )  # not yet
    on = dt.date(2026, 11, 2)
    bulk = standards_by_region(on)
    assert bulk["320612001001"].dibao_standard == Decimal("800")
    assert bulk["320613001001"].dibao_standard == Decimal("780")
    assert "320000000000" not in bulk  # the province has no standards of its own
    for code, standards in bulk.items():
        assert standards == standards_in_force(code, on)


def test_relief_registers_one_parameter_key_per_standard_with_a_label_and_kind():
    """rules.Standards is built from the core's values for exactly the keys relief registers."""
    from civil_affairs.parameters import parameter_keys
    from relief import rules
    from relief.parameters import KEYS

    assert sorted(KEYS) == sorted(rules.Standards.keys())
    registered = parameter_keys()
    assert all(registered[key].label and registered[key].kind in ("amount", "rate", "int", "percent") for key in KEYS)
    assert str(registered["dibao_standard"].unit) == "元/人·月"
