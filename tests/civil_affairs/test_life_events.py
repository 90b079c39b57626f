"""Life events (issue 11 item 4) on the real PostgreSQL: a caseworker records a
death on the person page; the core records Person.death_date and calls every
registered area's handler once, in the same transaction; relief's handler
stops or suspends benefits with the same SQL as the nightly feed path."""

import datetime as dt
from decimal import Decimal

import pytest

from civil_affairs import areas
from civil_affairs.life_events import LifeEvent, life_event_record
from civil_affairs.models import AuditEvent, HouseholdMember, Role
from civil_affairs.services import DomainError
from relief.models import Benefit, FeedRecord, Payment, ReviewTask
from relief.services import payroll, recheck
from tests.civil_affairs.factories import MemberFactory, valid_id_number

TODAY = dt.date(2026, 11, 2)
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


@pytest.fixture
def setup(regions, users, settings):
    from relief.services.standards import standards_load_demo

    settings.MINZHENG_TODAY = TODAY
    standards_load_demo(actor=None, region=regions["city"])
    return regions


@pytest.fixture
def probe():
    """A throw-away area whose death handler counts its calls (and may refuse)."""
    calls = []

    def on_death(event):
        if event.evidence.get("refuse"):
            raise DomainError("probe refuses")
        calls.append((event.person.pk, event.date, event.source, event.actor))
        return "probed"

    areas.register(areas.Area(key="probe", label="探针", order=999, life_events={"death": on_death}))
    yield calls
    areas.unregister("probe")


def _household(regions, *, size=1):
    head = MemberFactory(
        household__region=regions["jinsha_1"], person__id_number=valid_id_number(birth=dt.date(1950, 1, 1))
    )
    for _n in range(size - 1):
        MemberFactory(
            household=head.household,
            relation=HouseholdMember.Relation.SPOUSE,
            person__id_number=valid_id_number(birth=dt.date(1952, 1, 1)),
        )
    return head.household, head.person


def _benefit(household, recipient, **fields):
    return Benefit.objects.create(
        **{
            "household": household,
            "recipient": recipient,
            "kind": "dibao",
            "region": household.region,
            "monthly_amount": Decimal("780.00"),
            "members": household.members.count(),
            "start_month": dt.date(2026, 1, 1),
            "bank_account": "6228480012345678901",
            **fields,
        }
    )


def test_a_caseworker_records_a_death_on_the_person_page(setup, users, login, probe):
    household, person = _household(setup)
    benefit = _benefit(household, person)
    payroll.payroll_generate(month=NOV)
    payroll.payroll_generate(month=DEC)  # generated ahead, nobody approved it
    worker = users[Role.CASEWORKER]
    client = login(worker)

    page = client.get(f"/work/people/{person.pk}/")
    assert 'data-testid="death-form"' in page.content.decode()
    response = client.post(f"/work/people/{person.pk}/death/", {"death_date": "2026-11-01", "note": "死亡证明"})

    assert response.status_code == 302 and response.url == f"/work/people/{person.pk}/"
    person.refresh_from_db()
    benefit.refresh_from_db()
    assert person.death_date == NOV
    # The same decision as the feed's: the only member died, stopped after the month of death.
    assert (benefit.status, benefit.last_month, benefit.status_reason) == ("stopped", NOV, "登记死亡（2026-11-01）")
    assert list(Payment.objects.filter(benefit=benefit).values_list("month", flat=True)) == [NOV]
    task = ReviewTask.objects.get(benefit=benefit)
    assert (task.kind, task.key, task.feed_record, task.person, task.status) == (
        "death",
        f"p{person.pk}:2026-11-01",
        None,
        person,
        "open",
    )
    assert task.evidence["action"] == "stopped" and task.evidence["payments_removed"] == 1
    # Each write audited as the caseworker: the person's fact, then relief's own row.
    fact = AuditEvent.objects.get(target_type="civil_affairs.person", target_id=str(person.pk), action="update")
    assert fact.actor == worker and fact.changes == {"death_date": [None, "2026-11-01"]}
    change = AuditEvent.objects.get(target_type="relief.benefit", target_id=str(benefit.pk))
    assert change.actor == worker and change.actor_label == worker.username
    assert change.changes["step"] == "death" and change.changes["status"] == ["active", "stopped"]
    assert change.changes["payments_removed"] == [{"month": "2026-12-01", "amount": "780.00"}]
    # Every other registered area heard it once, with who recorded it: the test-only sample area wrote its own row.
    assert probe == [(person.pk, NOV, "caseworker", worker)]
    sample = AuditEvent.objects.get(target_type="sample.case", target_id=str(person.pk))
    assert sample.actor == worker and sample.changes == {
        "life_event": "death",
        "date": "2026-11-01",
        "source": "caseworker",
    }


def test_recording_the_same_death_twice_calls_the_handlers_once(setup, users, probe):
    household, person = _household(setup, size=2)
    benefit = _benefit(household, person)
    event = LifeEvent(kind="death", person=person, date=dt.date(2026, 10, 20))
    worker = users[Role.CASEWORKER]

    first = life_event_record(actor=worker, event=event)
    audits = AuditEvent.objects.count()
    second = life_event_record(actor=worker, event=event)

    assert first["probe"] == "probed" and first["relief"]["suspended"] == 1  # the payee died, the spouse lives on
    assert first["sample"] == "closed"
    assert second is None
    assert len(probe) == 1 and AuditEvent.objects.count() == audits
    assert AuditEvent.objects.filter(target_type="sample.case").count() == 1
    assert ReviewTask.objects.filter(benefit=benefit).count() == 1
    benefit.refresh_from_db()
    assert benefit.status == "suspended"
    assert benefit.status_reason == "领取人死亡（2026-10-20），需变更领取人"


def test_the_nightly_feed_does_not_end_a_benefit_again(setup, users):
    """The caseworker recorded the death first; the feed's row of it next night changes nothing."""
    household, person = _household(setup)
    benefit = _benefit(household, person)
    life_event_record(actor=users[Role.CASEWORKER], event=LifeEvent(kind="death", person=person, date=NOV))
    FeedRecord.objects.create(kind="death", id_number=person.id_number, name=person.name, key="d1", event_date=NOV)

    summary = recheck.recheck_eligibility(day=TODAY)

    assert (summary["stopped"], summary["suspended"], summary["counts"]["deaths_recorded"]) == (0, 0, 0)
    assert Benefit.objects.get(pk=benefit.pk).status == "stopped"


def test_a_handler_that_refuses_undoes_the_fact(setup, users, probe):
    household, person = _household(setup)
    benefit = _benefit(household, person)
    with pytest.raises(DomainError):
        life_event_record(
            actor=users[Role.CASEWORKER],
            event=LifeEvent(kind="death", person=person, date=NOV, evidence={"refuse": True}),
        )
    person.refresh_from_db()
    benefit.refresh_from_db()
    assert person.death_date is None and benefit.status == "active"
    assert not ReviewTask.objects.exists()


def test_another_date_for_a_recorded_death_is_refused(setup, users):
    household, person = _household(setup)
    worker = users[Role.CASEWORKER]
    life_event_record(actor=worker, event=LifeEvent(kind="death", person=person, date=NOV))
    with pytest.raises(DomainError, match="已登记死亡日期 2026-11-01"):
        life_event_record(actor=worker, event=LifeEvent(kind="death", person=person, date=dt.date(2026, 10, 1)))


@pytest.mark.parametrize(
    "day, message",
    [
        ("2026-11-03", "死亡日期不能晚于今天。"),
        ("1949-12-31", "死亡日期不能早于出生日期。"),
        ("", "死亡日期：该字段是必填项。"),
    ],
)
def test_the_page_refuses_a_future_or_impossible_date(setup, users, login, probe, day, message):
    household, person = _household(setup)
    client = login(users[Role.CASEWORKER])
    response = client.post(f"/work/people/{person.pk}/death/", {"death_date": day}, follow=True)
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.death_date is None and probe == []


def test_only_roles_that_edit_the_registry_see_the_form(setup, users, login):
    household, person = _household(setup)
    for role, shown in (
        (Role.CASEWORKER, True),
        (Role.BUREAU_ADMIN, True),
        (Role.REVIEWER, False),
        (Role.COMMUNITY_WORKER, False),
        (Role.AUDITOR, False),
    ):
        page = login(users[role]).get(f"/work/people/{person.pk}/").content.decode()
        assert ('data-testid="death-form"' in page) is shown, role
