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


# ---------------------------------------------------------------- home adaptations and ability assessments


@resident_required
def adaptations(request):
    """Apply for a home adaptation or a family care bed (for oneself or an elder of one's
    household), ask for an ability assessment, and follow each case's progress."""
    from civil_affairs.models import Person

    from ..models import Adaptation
    from ..selectors import adaptations as selectors
    from ..services import adaptations as services

    elders = list(selectors.household_elders(request.user))
    if request.method == "POST":
        person = Person.objects.filter(pk=request.POST.get("person") or None).first()
        try:
            if person is None or person.pk not in {p.pk for p in elders}:
                raise DomainError(_("只能为本人或本户的老人申请。"))
            if request.POST.get("what") == "assessment":
                services.assessment_request(resident=request.user, person=person)
                messages.success(request, _("已提交能力评估申请，工作人员将联系您上门评估。"))
            else:
                services.adaptation_apply(
                    actor=request.user,
                    person=person,
                    kind=request.POST.get("kind", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("申请已提交，街道工作人员将在10个工作日内上门评估。"))
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("eldercare_portal:adaptations")
    cases = list(selectors.adaptation_list_for_resident(request.user)[:20])
    for case in cases:
        case.steps = selectors.steps(case)
    return render(
        request,
        "eldercare/portal/adaptations.html",
        {
            "elders": elders,
            "kinds": Adaptation.Kind.choices,
            "cases": cases,
            "requests": list(selectors.assessment_requests_for_resident(request.user)[:20]),
        },
    )


@resident_required
def adaptation_photo(request, pk: int):
    """A completion photo of a case of the resident's household."""
    from ..selectors import adaptations as selectors
    from .adaptations import _serve_photo

    return _serve_photo(request, selectors.photo_get_for_user(request.user, pk))
