"""The residents' portal of childcare (/my/childcare/): a guardian applies for
the allowance with uploads, follows the case and sees the payments."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.models import HouseholdMember
from civil_affairs.permissions import resident_required
from civil_affairs.services import DomainError

from . import selectors, services
from .forms import CaseForm
from .models import AllowancePayment


def _children_of(user):
    """Minors in the resident's household (whom they may apply for)."""
    membership = HouseholdMember.objects.filter(person_id=user.person_id).first()
    if membership is None:
        return []
    return [
        m.person
        for m in HouseholdMember.objects.filter(household_id=membership.household_id)
        .exclude(person_id=user.person_id)
        .select_related("person")
    ]


@resident_required
def index(request):
    allowances = list(selectors.allowances_for_resident(request.user))
    payments = (
        AllowancePayment.objects.filter(child_id__in=[a.child_id for a in allowances], roll__status="approved")
        .select_related("child")
        .order_by("-month")[:24]
    )
    return render(
        request,
        "childcare/portal/index.html",
        {"cases": selectors.cases_for_resident(request.user), "allowances": allowances, "payments": payments},
    )


@resident_required
def apply(request):
    form = CaseForm(request.POST or None, request.FILES or None, online=True)
    children = _children_of(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            child = services.person_by_id_number(d["child_id_number"])
            case = services.case_submit(
                actor=request.user,
                child=child,
                guardian_relation=d["guardian_relation"],
                category=d["category"],
                setting=d["setting"],
                school_until=d["school_until"],
                bank_account=d["bank_account"],
                bank_name=d["bank_name"],
                parents=form.parents(),
                uploads=d["documents"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("申请已提交，编号 %(n)s；街道将在15个工作日内审核。") % {"n": case.number})
            return redirect("childcare_portal:case", case.pk)
    return render(request, "childcare/portal/apply.html", {"form": form, "children": children})


@resident_required
def case(request, pk: int):
    found = selectors.case_get_for_resident(request.user, pk)
    steps = [
        (_("提交申请"), found.submitted_on, True),
        (_("街道审核"), found.checked_on, found.checked_on is not None),
        (_("区县审批"), found.decided_on, found.decided_on is not None),
    ]
    return render(request, "childcare/portal/case.html", {"case": found, "steps": steps})


@resident_required
@require_POST
def withdraw(request, pk: int):
    found = selectors.case_get_for_resident(request.user, pk)
    try:
        services.case_withdraw(actor=request.user, case=found)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("childcare_portal:case", found.pk)
