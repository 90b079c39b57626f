"""Institutions and beds: admission and discharge as a state machine, the
bed's status following its resident, the database refusing two residents
in one bed, the nightly consistency check, occupancy, and institution staff
seeing only their own institution."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from civil_affairs.models import AuditEvent, Role
from civil_affairs.services import DomainError
from eldercare.models import Bed, Institution, InstitutionMember, Stay
from eldercare.selectors import institutions as selectors
from eldercare.services import institutions as services
from tests.civil_affairs.factories import UserFactory
from tests.eldercare.factories import elder

D = dt.date


@pytest.fixture
def homes(elder_params, users, today):
    r = elder_params
    ours = Institution.objects.create(
        name="通州区福利院",
        filing_number="320612-0001",
        operator="public",
        star_grade=4,
        grade_score=860,
        region=r["jinsha"],
    )
    theirs = Institution.objects.create(
        name="崇川颐养院", filing_number="320613-0001", operator="private", region=r["wenfeng"]
    )
    beds = [
        Bed.objects.create(institution=ours, room="101", number=str(n), kind="nursing" if n < 3 else "ordinary")
        for n in range(1, 5)
    ]
    other_bed = Bed.objects.create(institution=theirs, room="201", number="1")
    staff = users[Role.INSTITUTION_STAFF]
    InstitutionMember.objects.create(user=staff, institution=ours)
    rival = UserFactory(username="rival_home", role=Role.INSTITUTION_STAFF, region=r["chongchuan"])
    InstitutionMember.objects.create(user=rival, institution=theirs)
    a = elder(D(1938, 1, 1), r["jinsha_1"])
    b = elder(D(1939, 2, 2), r["jinsha_1"])
    return {
        "ours": ours,
        "theirs": theirs,
        "beds": beds,
        "other_bed": other_bed,
        "staff": staff,
        "rival": rival,
        "a": a,
        "b": b,
    }


def test_admission_and_discharge_move_the_bed(homes):
    bed = homes["beds"][0]
    stay = services.admission(actor=homes["staff"], bed=bed, person=homes["a"], on=D(2026, 12, 1))
    bed.refresh_from_db()
    assert bed.status == "occupied" and stay.state == "admitted"
    with pytest.raises(DomainError, match="已有老人入住"):
        services.admission(actor=homes["staff"], bed=bed, person=homes["b"])
    with pytest.raises(DomainError, match="其他床位"):
        services.admission(actor=homes["staff"], bed=homes["beds"][1], person=homes["a"])
    with pytest.raises(DomainError, match="离院原因"):
        services.discharge(actor=homes["staff"], stay=stay, reason="")
    services.discharge(actor=homes["staff"], stay=stay, reason="回家休养", on=D(2026, 12, 10))
    bed.refresh_from_db()
    stay.refresh_from_db()
    assert bed.status == "free" and stay.state == "discharged" and stay.discharged_on == D(2026, 12, 10)
    with pytest.raises(DomainError, match="已离院"):
        services.discharge(actor=homes["staff"], stay=stay, reason="x")
    steps = set(AuditEvent.objects.filter(target_type="eldercare.stay").values_list("changes__step", flat=True))
    assert steps == {"admit", "discharge"}


def test_a_bed_cannot_hold_two_residents_in_the_database(homes):
    bed = homes["beds"][0]
    services.admission(actor=homes["staff"], bed=bed, person=homes["a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(institution=homes["ours"], bed=bed, person=homes["b"], admitted_on=D(2026, 12, 2))


def test_staff_of_another_institution_cannot_admit_or_see(homes, login):
    with pytest.raises(DomainError, match="不能办理"):
        services.admission(actor=homes["rival"], bed=homes["beds"][0], person=homes["a"])
    assert list(selectors.institution_list_for_user(homes["staff"])) == [homes["ours"]]
    assert list(selectors.institution_list_for_user(homes["rival"])) == [homes["theirs"]]
    assert login(homes["rival"]).get(f"/work/eldercare/institutions/{homes['ours'].pk}/").status_code == 404
    client = login(homes["staff"])
    assert client.get(f"/work/eldercare/institutions/{homes['theirs'].pk}/").status_code == 404
    assert client.get(f"/work/eldercare/institutions/{homes['ours'].pk}/").status_code == 200


def test_admit_and_discharge_through_the_page(homes, login):
    client = login(homes["staff"])
    bed = homes["beds"][2]
    url = f"/work/eldercare/institutions/{homes['ours'].pk}/admit/"
    assert client.post(url, {"bed": bed.pk, "id_number": homes["b"].id_number}).status_code == 302
    stay = Stay.objects.get(bed=bed, state="admitted")
    page = client.get(f"/work/eldercare/institutions/{homes['ours'].pk}/").content.decode()
    assert homes["b"].name in page and homes["b"].id_number not in page  # masked
    assert "25.0%" in page  # 1 of 4 beds
    rival = login(homes["rival"])
    assert (
        rival.post(
            f"/work/eldercare/institutions/{homes['ours'].pk}/stays/{stay.pk}/discharge/", {"reason": "x"}
        ).status_code
        == 404
    )
    client = login(homes["staff"])
    client.post(f"/work/eldercare/institutions/{homes['ours'].pk}/stays/{stay.pk}/discharge/", {"reason": "转院"})
    stay.refresh_from_db()
    assert stay.state == "discharged"


def test_nightly_check_reports_disagreeing_beds(homes):
    services.admission(actor=homes["staff"], bed=homes["beds"][0], person=homes["a"])
    assert services.beds_check() == []
    Bed.objects.filter(pk=homes["beds"][1].pk).update(status="occupied")  # set by hand, behind the services' back
    Bed.objects.filter(pk=homes["beds"][0].pk).update(status="free")
    found = services.beds_check()
    assert {f["bed"] for f in found} == {homes["beds"][0].pk, homes["beds"][1].pk}
    assert services.beds_check_nightly() == 2
    assert AuditEvent.objects.filter(target_type="eldercare.bed", changes__count=2).exists()


def test_occupancy(homes):
    services.admission(actor=homes["staff"], bed=homes["beds"][0], person=homes["a"])
    row = selectors.institution_list_for_user(homes["staff"]).get()
    assert (row.beds_total, row.beds_occupied, row.beds_nursing) == (4, 1, 2)
    assert selectors.occupancy(row) == 25.0
