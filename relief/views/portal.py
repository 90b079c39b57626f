"""Residents apply online step by step (members, income, assets,
authorisation, documents, review), follow their case, answer a request for
documents and read the decision.  Every POST saves at once: nothing typed is
lost by leaving a step, and bad input comes back with the reason beside it."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civil_affairs import selectors as core_selectors
from civil_affairs.models import AssetRecord, Document, IncomeRecord
from civil_affairs.permissions import resident_required
from civil_affairs.services import DomainError, document_upload

from .. import forms
from ..models import Application, Kind
from ..selectors import applications as selectors
from ..services import applications as services

State = Application.State
STEPS = [
    ("members", gettext_lazy("家庭成员")),
    ("income", gettext_lazy("收入")),
    ("assets", gettext_lazy("财产")),
    ("authorisation", gettext_lazy("核对授权与收款账号")),
    ("documents", gettext_lazy("上传材料")),
    ("review", gettext_lazy("确认提交")),
]
STEP_NAMES = [name for name, _label in STEPS]


@resident_required
def application_list(request):
    return render(request, "relief/portal/applications.html", {
        "applications": selectors.applications_for_resident(request.user),
        "benefits": selectors.benefits_for_resident(request.user),
    })


@resident_required
@require_http_methods(["GET", "POST"])
def apply_start(request):
    household = core_selectors.household_for_resident(request.user)
    person = request.user.person
    initial = {"region": household.region_id if household else person.residence_region_id,
               "kind": request.GET.get("kind", Kind.DIBAO)}
    form = forms.ApplyStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = selectors.applications_for_resident(request.user).filter(kind=data["kind"], state=State.DRAFT).first()
        if draft is not None and data["kind"] != Kind.TEMPORARY:
            return redirect("relief_portal:apply_step", pk=draft.pk, step="members")
        try:
            household = household or services.resident_household_ensure(
                actor=request.user, region=data["region"], address=data["address"])
            application = services.application_create(
                actor=request.user, household=household, kind=data["kind"],
                temporary_type=data["temporary_type"], reason=data["reason"],
                region=data["region"] if data["kind"] == Kind.TEMPORARY else None)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("relief_portal:apply_step", pk=application.pk, step="members")
    return render(request, "relief/portal/apply_start.html", {"form": form, "household": household})


def _step_forms(step: str, application: Application, members, data=None, files=None) -> dict:
    if step == "members":
        return {"form": forms.ApplyMemberForm(data)}
    if step == "income":
        return {"form": forms.ApplyIncomeForm(data, members=members)}
    if step == "assets":
        return {"form": forms.ApplyAssetForm(data, members=members)}
    if step == "authorisation":
        return {"form": forms.ApplyAuthorisationForm(data, initial={
            "authorised_verification": application.authorised_verification, "bank_name": application.bank_name,
            "bank_account": application.bank_account, "requested_amount": application.requested_amount})}
    if step == "documents":
        return {"form": forms.ApplyDocumentForm(data, files)}
    return {"form": None}


def _save_step(step: str, request, application: Application, form) -> str:
    """Run the step's service; returns the step to show next."""
    data, user = form.cleaned_data, request.user
    if step == "members":
        services.application_member_add(actor=user, application=application, id_number=data["id_number"],
                                        name=data["name"], relation=data["relation"],
                                        disability_grade=data["disability_grade"],
                                        disability_type=data["disability_type"],
                                        labour_capacity=data["labour_capacity"],
                                        serious_illness=data["serious_illness"])
        messages.success(request, _("已添加家庭成员 %(name)s。") % {"name": data["name"]})
        return step
    if step == "income":
        services.application_income_declare(actor=user, application=application, person=data["person"],
                                            kind=data["kind"], monthly_amount=data["monthly_amount"],
                                            months=data["months"])
        return step
    if step == "assets":
        services.application_asset_declare(actor=user, application=application, person=data["person"],
                                           kind=data["kind"], amount=data["amount"])
        return step
    if step == "authorisation":
        services.application_details_update(actor=user, application=application,
                                            authorised_verification=data["authorised_verification"],
                                            bank_name=data["bank_name"], bank_account=data["bank_account"],
                                            requested_amount=data["requested_amount"])
        return "documents"
    if step == "documents":
        document_upload(actor=user, kind=data["kind"], uploaded=data["file"], household=application.household)
        messages.success(request, _("材料已上传。"))
        return step
    raise Http404


@resident_required
@require_http_methods(["GET", "POST"])
def apply_step(request, pk: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    application = selectors.application_get_for_resident(request.user, pk)
    if application.state not in (State.DRAFT, State.RETURNED):
        return redirect("relief_portal:application", pk=application.pk)
    members = core_selectors.household_members(application.household)
    context = _step_forms(step, application, members, request.POST or None, request.FILES or None)
    form = context["form"]
    if request.method == "POST":
        try:
            if step == "review":
                services.application_submit(actor=request.user, application=application)
                messages.success(request, _("申请已提交，请留意办理进度。"))
                return redirect("relief_portal:application", pk=application.pk)
            if form.is_valid():
                next_step = _save_step(step, request, application, form)
                return redirect("relief_portal:apply_step", pk=application.pk, step=next_step)
        except DomainError as exc:
            if form is None:
                messages.error(request, str(exc))
            else:
                form.add_error(None, str(exc))
    household = application.household
    context.update({
        "application": application, "step": step, "steps": STEPS, "members": members,
        "incomes": IncomeRecord.objects.filter(household=household).select_related("person"),
        "assets": AssetRecord.objects.filter(household=household).select_related("person"),
        "documents": Document.objects.filter(household=household),
        "authorisation_text": forms.AUTHORISATION_TEXT,
        "next_step": STEP_NAMES[min(STEP_NAMES.index(step) + 1, len(STEP_NAMES) - 1)],
        "previous_step": STEP_NAMES[max(STEP_NAMES.index(step) - 1, 0)],
    })
    return render(request, "relief/portal/apply_step.html", context)


@resident_required
def application_progress(request, pk: int):
    application = selectors.application_get_for_resident(request.user, pk)
    return render(request, "relief/portal/application.html", {
        "application": application, "progress": selectors.resident_progress(application),
        "benefits": list(application.benefits.order_by("start_month")),
    })


@resident_required
@require_http_methods(["GET", "POST"])
def application_documents(request, pk: int):
    """Answer a request for more documents: upload, then submit again."""
    application = selectors.application_get_for_resident(request.user, pk)
    if application.state != State.RETURNED:
        return redirect("relief_portal:application", pk=application.pk)
    form = forms.ApplyDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            if "resubmit" in request.POST:
                services.application_submit(actor=request.user, application=application)
                messages.success(request, _("已重新提交，请留意办理进度。"))
                return redirect("relief_portal:application", pk=application.pk)
            if form.is_valid():
                document_upload(actor=request.user, kind=form.cleaned_data["kind"],
                                uploaded=form.cleaned_data["file"], household=application.household)
                messages.success(request, _("材料已上传。"))
                return redirect("relief_portal:application_documents", pk=application.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return render(request, "relief/portal/documents.html", {
        "application": application, "form": form,
        "documents": Document.objects.filter(household=application.household),
    })
