"""Institution pages: the list (with beds and occupancy), an institution's
beds and residents, admission and discharge."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.selectors import person_list_for_user
from civil_affairs.services import DomainError, record_viewed

from ..models import Bed, Stay
from ..selectors import institutions as selectors
from ..services import institutions as services


@require("institution_view")
def institution_list(request):
    rows = list(selectors.institution_list_for_user(request.user).order_by("region_id", "name")[:300])
    for row in rows:
        row.occupancy = selectors.occupancy(row)
    return render(request, "eldercare/institutions.html", {"institutions": rows})


@require("institution_view")
def institution_detail(request, pk: int):
    institution = selectors.institution_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=institution)
    beds = selectors.beds_with_residents(institution)
    for bed in beds:
        bed.masked = mask_id_number(bed.current.person.id_number) if bed.current else ""
    return render(
        request,
        "eldercare/institution_detail.html",
        {
            "institution": institution,
            "beds": beds,
            "occupancy": selectors.occupancy(institution),
            "may_manage": has_capability(request.user, "institution_manage"),
        },
    )


@require("institution_manage")
@require_POST
def admit(request, pk: int):
    institution = selectors.institution_get_for_user(request.user, pk)
    bed_id = request.POST.get("bed", "")
    bed = Bed.objects.filter(institution=institution, pk=bed_id).first() if bed_id.isdigit() else None
    if bed is None:
        messages.error(request, _("请选择本机构的床位。"))
        return redirect("eldercare:institution", pk=institution.pk)
    id_number = (request.POST.get("id_number") or "").strip().upper()
    person = _person_lookup(request.user, id_number)
    try:
        if person is None:
            raise DomainError(_("未找到身份证号为 %(n)s 的人员，请先在人员库登记。") % {"n": mask_id_number(id_number)})
        services.admission(actor=request.user, bed=bed, person=person)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理入住。"))
    return redirect("eldercare:institution", pk=institution.pk)


def _person_lookup(user, id_number: str):
    from civil_affairs.models import Person

    if not id_number:
        return None
    found = person_list_for_user(user).filter(id_number=id_number).first()
    if found is None and user.role == "institution_staff":
        found = Person.objects.filter(id_number=id_number).first()  # the institution admits from anywhere
    return found


@require("institution_manage")
@require_POST
def discharge(request, pk: int, stay: int):
    institution = selectors.institution_get_for_user(request.user, pk)
    found = Stay.objects.filter(institution=institution, pk=stay).first()
    if found is None:
        raise Http404
    try:
        services.discharge(actor=request.user, stay=found, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理离院。"))
    return redirect("eldercare:institution", pk=institution.pk)
