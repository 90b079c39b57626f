"""Institutions and beds: admissions and discharges through a state machine
(admitted → discharged); a bed's status follows its resident and is set
only here; the database refuses a second resident in a bed.  The nightly
check reports beds and residents that disagree."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.models import AuditEvent, Person, Role
from civil_affairs.permissions import has_capability
from civil_affairs.services import DomainError, audit_record

from ..models import Bed, Institution, Stay
from .homecare import assessment_in_force


def institution_of(user) -> Institution | None:
    member = getattr(user, "eldercare_institution", None) if getattr(user, "is_authenticated", False) else None
    return member.institution if member is not None else None


def _may_manage(actor, institution: Institution) -> bool:
    if not has_capability(actor, "institution_manage"):
        return False
    if actor.role == Role.INSTITUTION_STAFF:
        own = institution_of(actor)
        return own is not None and own.pk == institution.pk
    return actor.region_id is not None and institution.region_id.startswith(actor.region.prefix)


@transaction.atomic
def admission(*, actor, bed: Bed, person: Person, on: dt.date | None = None) -> Stay:
    on = on or clock.today()
    bed = Bed.objects.select_for_update().select_related("institution").get(pk=bed.pk)
    if not _may_manage(actor, bed.institution):
        raise DomainError(_("您不能办理该机构的入住。"))
    if person.death_date is not None:
        raise DomainError(_("该人员已登记死亡，不能办理入住。"))
    if bed.status == Bed.Status.OCCUPIED:
        raise DomainError(_("床位 %(b)s 已有老人入住。") % {"b": bed})
    assessment = assessment_in_force(person.pk, on)
    try:
        with transaction.atomic():
            stay = Stay.objects.create(
                institution=bed.institution,
                bed=bed,
                person=person,
                admitted_on=on,
                level=assessment.level if assessment else None,
            )
    except IntegrityError:
        raise DomainError(_("该老人已在其他床位入住，请先办理离院。")) from None
    bed.status = Bed.Status.OCCUPIED
    bed.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=stay,
        region_code=bed.institution.region_id,
        changes={"step": "admit", "bed": str(bed), "on": on},
    )
    return stay


@transaction.atomic
def discharge(*, actor, stay: Stay, reason: str, on: dt.date | None = None) -> Stay:
    on = on or clock.today()
    stay = Stay.objects.select_for_update().select_related("institution", "bed").get(pk=stay.pk)
    if not _may_manage(actor, stay.institution):
        raise DomainError(_("您不能办理该机构的离院。"))
    if stay.state != Stay.State.ADMITTED:
        raise DomainError(_("该老人已离院。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写离院原因。"))
    if on < stay.admitted_on:
        raise DomainError(_("离院日期不能早于入住日期。"))
    stay.state, stay.discharged_on, stay.discharge_reason = Stay.State.DISCHARGED, on, reason[:200]
    stay.save(update_fields=["state", "discharged_on", "discharge_reason"])
    Bed.objects.filter(pk=stay.bed_id).update(status=Bed.Status.FREE)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=stay,
        region_code=stay.institution.region_id,
        changes={"step": "discharge", "on": on, "reason": reason[:200]},
    )
    return stay


_MISMATCH_SQL = f"""
SELECT b.id, b.institution_id, b.status, s.id
FROM {Bed._meta.db_table} b
LEFT JOIN {Stay._meta.db_table} s ON s.bed_id = b.id AND s.state = 'admitted'
WHERE (b.status = 'occupied') <> (s.id IS NOT NULL)
ORDER BY b.institution_id, b.id"""


def beds_check() -> list[dict]:
    """Beds whose status disagrees with their residents (one query): the nightly check's findings."""
    with connection.cursor() as cursor:
        cursor.execute(_MISMATCH_SQL)
        return [
            {"bed": bed, "institution": inst, "status": status, "stay": stay}
            for bed, inst, status, stay in cursor.fetchall()
        ]


def beds_check_nightly() -> int:
    """Celery beat: record the night's findings in the audit log (one event; none when all agree)."""
    found = beds_check()
    if found:
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            target_type=Bed._meta.label_lower,
            target_id="consistency",
            changes={"step": "beds_check", "mismatches": found[:500], "count": len(found)},
        )
    return len(found)
