"""Residents' portal (/my/eldercare/): my senior-allowance payments.  A
resident sees only their own records (the selector filters by their person)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.permissions import resident_required
from civil_affairs.services import DomainError

from .. import rules
from ..models import Visit
from ..selectors import allowance as allowance_selectors
from ..services import homecare


@resident_required
def home(request):
    payments = list(allowance_selectors.allowance_list_for_resident(request.user)[:60])
    person = request.user.person
    first = rules.first_paid_month(person.birth_date) if person is not None else None
    visits = list(
        Visit.objects.filter(order__person_id=request.user.person_id)
        .select_related("provider")
        .order_by("-planned_start")[:30]
    )
    return render(
        request,
        "eldercare/portal/home.html",
        {"payments": payments, "person": person, "first_paid_month": first, "visits": visits},
    )


@resident_required
@require_POST
def visit_report(request, pk: int):
    """The elder reports a visit that did not happen as recorded (their own visits only)."""
    visit = Visit.objects.filter(pk=pk, order__person_id=request.user.person_id).first()
    if visit is None:
        raise Http404
    try:
        homecare.visit_report_by_elder(resident=request.user, visit=visit, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已收到您的反映，街道工作人员将核实。"))
    return redirect("eldercare_portal:home")
