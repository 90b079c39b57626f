"""Reads for institutions: staff bound to an institution see only their own;
other staff their jurisdiction's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from civil_affairs.models import Role
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import scoped

from ..models import Bed, Institution, Stay


def institution_list_for_user(user) -> QuerySet[Institution]:
    if not has_capability(user, "institution_view"):
        return Institution.objects.none()
    qs = Institution.objects.select_related("region").annotate(
        beds_total=Count("beds"),
        beds_occupied=Count("beds", filter=Q(beds__status=Bed.Status.OCCUPIED)),
        beds_nursing=Count("beds", filter=Q(beds__kind=Bed.Kind.NURSING)),
    )
    if user.role == Role.INSTITUTION_STAFF:
        member = getattr(user, "eldercare_institution", None)
        return qs.filter(pk=member.institution_id) if member is not None else qs.none()
    return scoped(qs, user, "region__code")


def institution_get_for_user(user, pk) -> Institution:
    found = institution_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def beds_with_residents(institution: Institution) -> list[Bed]:
    """Every bed with its current stay and resident: two queries."""
    beds = list(Bed.objects.filter(institution=institution).order_by("room", "number"))
    stays = {
        s.bed_id: s
        for s in Stay.objects.filter(institution=institution, state=Stay.State.ADMITTED).select_related("person")
    }
    for bed in beds:
        bed.current = stays.get(bed.pk)
    return beds


def occupancy(institution: Institution) -> float | None:
    total = getattr(institution, "beds_total", None)
    if total is None:
        total = institution.beds.count()
    occupied = getattr(institution, "beds_occupied", None)
    if occupied is None:
        occupied = institution.beds.filter(status=Bed.Status.OCCUPIED).count()
    return round(occupied * 100 / total, 1) if total else None
