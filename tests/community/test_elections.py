"""Elections end to end on PostgreSQL: the voter roll from the registry in one
statement, additions and removals with reasons, the 20-day rule, results that
must add up, validity computed, handover flagged when late, new terms."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, Person, Role
from community import rules, services
from community.models import Committee, Election, Voter

from . import factories as f

DAY = f.DAY


@pytest.fixture
def jinsha(regions, users):
    """A community of 金沙街道 with nobody registered in it yet."""
    from tests.factories import RegionFactory

    return RegionFactory(code="320612001002", name="金沙二社区", parent=regions["jinsha"])


@pytest.fixture
def already(jinsha):
    """Adults already registered in 金沙社区 by the shared fixtures (the resident 赵居民)."""
    from civil_affairs.models import Person

    return set(Person.objects.filter(hukou_region=jinsha).values_list("pk", flat=True))


def test_voter_roll_from_the_registry(regions, worker, jinsha, already):
    adults = f.voters(jinsha, 3)
    eighteen_on_the_day = f.person(jinsha, birth=dt.date(2008, 6, 20))
    eighteen_the_day_after = f.person(jinsha, birth=dt.date(2008, 6, 21))
    dead = f.person(jinsha, dead=dt.date(2025, 1, 1))
    elsewhere = f.person(regions["wenfeng_1"])
    election = f.election(worker, jinsha)

    counts = services.voter_roll_build(actor=worker, elections=[election])

    on_roll = set(Voter.objects.filter(election=election).values_list("person_id", flat=True))
    assert on_roll - already == {p.pk for p in adults} | {eighteen_on_the_day.pk}
    assert eighteen_the_day_after.pk not in on_roll
    assert dead.pk not in on_roll and elsewhere.pk not in on_roll
    assert counts == {"added": 4 + len(already), "dropped": 0}
    election.refresh_from_db()
    assert election.state == Election.State.ROLL
    assert AuditEvent.objects.filter(target_type="community.election", changes__step="roll_build").count() == 1


def test_voter_roll_is_one_statement_for_many_communities(regions, users, worker, already):
    bureau = users[Role.BUREAU_ADMIN]
    for key in ("jinsha_1", "wenfeng_1", "xingren_1"):
        f.voters(regions[key], 2)
    elections = [f.election(bureau, regions[k]) for k in ("jinsha_1", "wenfeng_1", "xingren_1")]
    with CaptureQueriesContext(connection) as ctx:
        services.voter_roll_build(actor=bureau, elections=elections)
    inserts = [
        q
        for q in ctx.captured_queries
        if 'INSERT INTO "community_voter"' in q["sql"] or "INSERT INTO community_voter" in q["sql"]
    ]
    assert len(inserts) == 1
    adults = Person.objects.filter(hukou_region__in=[e.region_id for e in elections], death_date=None).count()
    assert adults >= 6 and Voter.objects.count() == adults
    # rerun: idempotent
    assert services.voter_roll_build(actor=bureau, elections=elections) == {"added": 0, "dropped": 0}
    assert Voter.objects.count() == adults


def test_rebuild_keeps_removals_and_additions(regions, worker, jinsha, already):
    people = f.voters(jinsha, 3)
    outsider = f.person(regions["wenfeng_1"])
    election = f.election(worker, jinsha, to=Election.State.ROLL)
    voter = election.voters.get(person=people[0])
    services.voter_remove(actor=worker, election=election, voter=voter, reason="已迁出户籍")
    services.voter_add(
        actor=worker, election=election, person=outsider, reason="户籍不在本村但在本村居住一年以上，本人申请"
    )
    services.voter_roll_build(actor=worker, elections=[election])
    assert election.voters.get(person=people[0]).removed
    assert election.voters.get(person=outsider).source == Voter.Source.ADDED
    assert election.voters.filter(removed=False).count() == 3 + len(already)


def test_additions_and_removals_need_reasons(worker, jinsha):
    f.voters(jinsha, 3)
    election = f.election(worker, jinsha, to=Election.State.ROLL)
    with pytest.raises(DomainError, match="原因"):
        services.voter_remove(actor=worker, election=election, voter=election.voters.first(), reason=" ")
    minor = f.person(jinsha, birth=dt.date(2008, 6, 21))
    with pytest.raises(DomainError, match="未满 18 周岁"):
        services.voter_add(actor=worker, election=election, person=minor, reason="本人申请")


def test_publication_20_days_ahead_at_the_edge(worker, jinsha):
    f.voters(jinsha, 3)
    election = f.election(worker, jinsha, to=Election.State.ROLL)
    with pytest.raises(DomainError) as refused:
        services.roll_publish(actor=worker, election=election, published_on=DAY - dt.timedelta(days=19))
    assert "至少 20 天" in str(refused.value) and "只提前了 19 天" in str(refused.value)
    election.refresh_from_db()
    assert election.state == Election.State.ROLL and election.roll_published_on is None
    services.roll_publish(actor=worker, election=election, published_on=DAY - dt.timedelta(days=20))
    election.refresh_from_db()
    assert election.state == Election.State.PUBLISHED
    # an earlier election day is refused once the list is out
    with pytest.raises(DomainError, match="最早为 2026-06-20"):
        services.election_reschedule(actor=worker, election=election, election_day=DAY - dt.timedelta(days=1))


def _boxes(election, *, registered, returned, votes, invalid=0):
    """One box; `registered` counts the voters added by the test (the shared fixtures' adults on top)."""
    ids = [c.pk for c in election.candidates.order_by("id")]

    return [
        {
            "name": "第一票箱",
            "registered": registered,
            "issued": returned,
            "returned": returned,
            "valid": returned - invalid,
            "invalid": invalid,
            "votes": dict(zip(ids, votes, strict=False)),
        }
    ]


def test_results_that_do_not_add_up_are_refused_with_the_numbers(worker, jinsha):
    f.voters(jinsha, 10)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    boxes = _boxes(election, registered=10, returned=8, votes=[6, 5, 4, 2])
    boxes[0]["valid"] = 7  # 7 + 0 ≠ 8
    with pytest.raises(DomainError) as refused:
        services.results_enter(actor=worker, election=election, boxes=boxes)
    assert "有效票 7 + 无效票 0 = 7，与收回选票 8 不符" in str(refused.value)
    assert not election.boxes.exists()
    boxes = _boxes(election, registered=9, returned=8, votes=[6, 5, 4, 2])
    with pytest.raises(DomainError, match="各票箱登记选民合计 9，与选民名单人数 10 不符"):
        services.results_enter(actor=worker, election=election, boxes=boxes)


def test_turnout_exactly_half_is_invalid(worker, jinsha):
    f.voters(jinsha, 10)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    outcome = services.results_enter(
        actor=worker, election=election, boxes=_boxes(election, registered=10, returned=5, votes=[5, 5, 5, 0])
    )
    election.refresh_from_db()
    assert outcome.valid is False and election.valid is False and election.runoff_required
    assert election.turnout == rules.Decimal("50.00")
    with pytest.raises(DomainError):
        services.results_announce(actor=worker, election=election, announced_on=DAY)  # allowed states only
        services.handover_record(actor=worker, election=election, handed_over_on=DAY)


def test_valid_election_to_handover_and_new_terms(worker, jinsha):
    f.voters(jinsha, 10)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    # 6 of 10 voted (valid); 4, 4 and 4 of 6 are over half, 3 is exactly half: not elected
    outcome = services.results_enter(
        actor=worker, election=election, boxes=_boxes(election, registered=10, returned=6, votes=[4, 4, 4, 3])
    )
    assert outcome.valid and len(outcome.elected) == 3 and not outcome.runoff_required
    services.results_announce(actor=worker, election=election, announced_on=DAY)
    committee = services.handover_record(actor=worker, election=election, handed_over_on=DAY + dt.timedelta(days=11))
    election.refresh_from_db()
    assert election.handover_late is True and election.handover_due == DAY + dt.timedelta(days=10)
    assert committee.term_end == dt.date(2031, 6, 20)
    assert committee.members.count() == 3 and committee.members.filter(post="chair").count() == 1
    assert Committee.objects.filter(region=jinsha, current=True).get() == committee


def test_handover_on_the_tenth_day_is_on_time(worker, jinsha):
    f.voters(jinsha, 10)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    services.results_enter(
        actor=worker, election=election, boxes=_boxes(election, registered=10, returned=6, votes=[4, 4, 4, 3])
    )
    services.results_announce(actor=worker, election=election, announced_on=DAY)
    services.handover_record(actor=worker, election=election, handed_over_on=DAY + dt.timedelta(days=10))
    election.refresh_from_db()
    assert election.handover_late is False


def test_candidates_must_be_on_the_roll_and_more_than_seats(regions, worker, jinsha):
    f.voters(jinsha, 5)
    election = f.election(worker, jinsha, to=Election.State.PUBLISHED)
    people = [v.person for v in election.voters.all()]
    with pytest.raises(DomainError, match="差额"):
        services.candidates_set(actor=worker, election=election, people=people[:3])
    outsider = f.person(regions["wenfeng_1"], name="外来人")
    with pytest.raises(DomainError, match="外来人 不在选民名单中"):
        services.candidates_set(actor=worker, election=election, people=[*people[:3], outsider])


def test_overdue_committees_and_calendar(regions, users, worker, jinsha):
    from community import selectors

    f.voters(jinsha, 3)
    services.committee_seat(
        actor=worker,
        region=jinsha,
        term_start=dt.date(2021, 5, 1),
        members=[(p, "chair" if i == 0 else "member") for i, p in enumerate(f.voters(jinsha, 3))],
    )
    bureau = users[Role.BUREAU_ADMIN]
    assert [c.region_id for c in selectors.overdue_committees(bureau, on=dt.date(2026, 6, 1))] == [jinsha.code]
    f.election(worker, jinsha)
    assert list(selectors.overdue_committees(bureau, on=dt.date(2026, 6, 1))) == []
    assert [
        e.region_id for e in selectors.election_calendar(bureau, start=dt.date(2026, 6, 1), end=dt.date(2026, 12, 31))
    ] == [jinsha.code]


def test_build_voter_rolls_command_is_idempotent(regions, worker, jinsha):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    f.voters(jinsha, 4)
    election = f.election(worker, jinsha)
    out = StringIO()
    call_command("build_voter_rolls", "--region", "320612000000", stdout=out)
    assert "新增选民 4 人" in out.getvalue()
    out = StringIO()
    call_command("build_voter_rolls", stdout=out)
    assert "新增选民 0 人" in out.getvalue()
    assert election.voters.count() == 4
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("build_voter_rolls", "--region", "999999999999")
