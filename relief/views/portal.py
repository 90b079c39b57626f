"""Residents apply online step by step (members, income, assets,
authorisation, documents, review), follow their case, answer a request for
documents and read the decision.  Every POST saves at once through a
service: nothing typed is lost by leaving a step, and bad input comes back
with the entered values and the reason beside it.  Every page fetches the
application with application_get_for_resident, so another household's case
is a 404; staff and anonymous users are turned away by resident_required."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civil_affairs import selectors as core_selectors
from civil_affairs.permissions import resident_required
from civil_affairs.services import DomainError, document_upload

from .. import forms
from ..models import Application, Kind
from ..selectors import applications as selectors
from ..services import applications as services

State = Application.State
EDITABLE = (State.DRAFT, State.RETURNED)
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
        "applications": selectors.applications_for_resident(request.user)[:100],
        "benefits": selectors.benefits_for_resident(request.user)[:20],
    })


@resident_required
@require_http_methods(["GET", "POST"])
def apply_start(request):
    user = request.user
    household = core_selectors.household_for_resident(user)
    initial = {"region": household.region_id if household else user.person.residence_region_id,
               "kind": request.GET.get("kind", Kind.DIBAO)}
    form = forms.ApplyStartForm(request.POST if request.method == "POST" else None, initial=initial,
                                has_household=household is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = (selectors.applications_for_resident(user)
                 .filter(kind=data["kind"], state=State.DRAFT, created_by=user).first())
        if draft is not None:
            messages.info(request, _("您有一份尚未提交的%(kind)s申请，请继续填写。") % {"kind": draft.get_kind_display()})
            return redirect("relief_portal:apply_step", pk=draft.pk, step="members")
        try:
            application = services.resident_application_start(
                actor=user, kind=data["kind"], region=data["region"], address=data["address"],
                temporary_type=data["temporary_type"], reason=data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("申请已创建（编号 %(number)s），请逐步填写。") % {"number": application.number})
            return redirect("relief_portal:apply_step", pk=application.pk, step="members")
    return render(request, "relief/portal/apply_start.html", {"form": form, "household": household})


def _step_form(step: str, application: Application, members, data=None, files=None):
    if step == "members":
        return forms.ApplyMemberForm(data)
    if step == "income":
        return forms.ApplyIncomeForm(data, members=members, initial={"person": application.applicant_id})
    if step == "assets":
        return forms.ApplyAssetForm(data, members=members, initial={"person": application.applicant_id})
    if step == "authorisation":
        return forms.ApplyAuthorisationForm(data, kind=application.kind, initial={
            "authorised_verification": application.authorised_verification, "bank_name": application.bank_name,
            "bank_account": application.bank_account, "requested_amount": application.requested_amount})
    if step == "documents":
        return forms.ApplyDocumentForm(data, files)
    return None


def _save_step(step: str, request, application: Application, data: dict) -> str:
    """Run the step's service; returns the step to show next."""
    user = request.user
    if step == "members":
        services.application_member_add(
            actor=user, application=application, id_number=data["id_number"], name=data["name"],
            relation=data["relation"], disability_grade=data["disability_grade"],
            disability_type=data["disability_type"], labour_capacity=data["labour_capacity"],
            serious_illness=data["serious_illness"])
        messages.success(request, _("已添加家庭成员 %(name)s。") % {"name": data["name"]})
        return step
    if step == "income":
        services.application_income_declare(actor=user, application=application, person=data["person"],
                                            kind=data["kind"], monthly_amount=data["monthly_amount"],
                                            months=data["months"])
        messages.success(request, _("已申报 %(name)s 的收入。") % {"name": data["person"].name})
        return step
    if step == "assets":
        services.application_asset_declare(actor=user, application=application, person=data["person"],
                                           kind=data["kind"], amount=data["amount"])
        messages.success(request, _("已申报 %(name)s 的财产。") % {"name": data["person"].name})
        return step
    if step == "authorisation":
        services.application_details_update(
            actor=user, application=application, authorised_verification=data["authorised_verification"],
            bank_name=data["bank_name"], bank_account=data["bank_account"],
            requested_amount=data["requested_amount"])
        messages.success(request, _("已保存。"))
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
    if application.state not in EDITABLE:
        return redirect("relief_portal:application", pk=application.pk)
    members = core_selectors.household_members(application.household)
    posted = request.method == "POST"
    form = _step_form(step, application, members, request.POST if posted else None,
                      request.FILES if posted else None)
    submit_errors: list[str] = []
    if posted:
        try:
            if step == "review":
                services.application_submit(actor=request.user, application=application)
                messages.success(request, _("申请已提交，请留意办理进度。"))
                return redirect("relief_portal:application", pk=application.pk)
            if form.is_valid():
                next_step = _save_step(step, request, application, form.cleaned_data)
                return redirect("relief_portal:apply_step", pk=application.pk, step=next_step)
        except DomainError as exc:
            if form is None:
                submit_errors.append(str(exc))
            else:
                form.add_error(None, str(exc))
    index = STEP_NAMES.index(step)
    return render(request, "relief/portal/apply_step.html", {
        "application": application, "step": step, "steps": STEPS, "form": form, "members": members,
        **core_selectors.household_finances(application.household),
        "documents": application.household.documents.all(),
        "required_documents": services.checklist_suggestion(application),
        "submit_errors": submit_errors,
        "authorisation_text": forms.AUTHORISATION_TEXT,
        "next_step": STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)],
        "previous_step": STEP_NAMES[max(index - 1, 0)],
    })


@resident_required
@require_http_methods(["GET", "POST"])
def application_progress(request, pk: int):
    """Where the case is, the decision and its reason; POST withdraws it."""
    application = selectors.application_get_for_resident(request.user, pk)
    if request.method == "POST":
        try:
            services.application_withdraw(actor=request.user, application=application)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect("relief_portal:application", pk=application.pk)
    benefits = list(application.benefits.order_by("start_month", "id"))
    if not benefits and application.recheck_of_id and application.state == State.CONFIRMED:
        benefits = [application.recheck_of]
    return render(request, "relief/portal/application.html", {
        "application": application, "progress": selectors.resident_progress(application),
        "benefits": benefits, "members": core_selectors.household_members(application.household),
        "can_withdraw": application.state in (State.DRAFT, State.SUBMITTED, State.RETURNED)
        and application.created_by_id == request.user.pk,
    })


@resident_required
@require_http_methods(["GET", "POST"])
def application_documents(request, pk: int):
    """Answer a request for more documents: upload, then submit again."""
    application = selectors.application_get_for_resident(request.user, pk)
    if application.state != State.RETURNED:
        return redirect("relief_portal:application", pk=application.pk)
    resubmit = request.method == "POST" and "resubmit" in request.POST
    upload = request.method == "POST" and not resubmit
    form = forms.ApplyDocumentForm(request.POST if upload else None, request.FILES if upload else None)
    resubmit_errors: list[str] = []
    if resubmit:
        try:
            services.application_submit(actor=request.user, application=application)
        except DomainError as exc:
            resubmit_errors.append(str(exc))
        else:
            messages.success(request, _("已重新提交，请留意办理进度。"))
            return redirect("relief_portal:application", pk=application.pk)
    elif upload and form.is_valid():
        try:
            document_upload(actor=request.user, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"],
                            household=application.household)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("relief_portal:application_documents", pk=application.pk)
    return render(request, "relief/portal/documents.html", {
        "application": application, "form": form, "resubmit_errors": resubmit_errors,
        "documents": application.household.documents.all(),
        "required_documents": services.checklist_suggestion(application),
    })
