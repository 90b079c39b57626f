"""Residents apply online step by step (members, income, assets,
authorisation, documents, review), follow their case, answer a request for
documents and read the decision.  Every POST saves at once through a
service: nothing typed is lost by leaving a step, and bad input comes back
with the entered values and the reason beside it.  Every page fetches the
application with application_get_for_resident, so another household's case
is a 404; staff and anonymous users are turned away by resident_required."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civil_affairs import selectors as core_selectors
from civil_affairs.models import AssetRecord, Document, HouseholdMember, IncomeRecord, Source
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
    return render(
        request,
        "relief/portal/applications.html",
        {
            "applications": selectors.applications_for_resident(request.user)[:100],
            "benefits": selectors.benefits_for_resident(request.user)[:20],
        },
    )


@resident_required
@require_http_methods(["GET", "POST"])
def apply_start(request):
    user = request.user
    household = core_selectors.household_for_resident(user)
    initial = {"region": user.person.residence_region_id, "kind": request.GET.get("kind", Kind.DIBAO)}
    form = forms.ApplyStartForm(
        request.POST if request.method == "POST" else None, initial=initial, household=household
    )
    own_drafts = selectors.applications_for_resident(user).filter(state=State.DRAFT, created_by=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = own_drafts.filter(kind=data["kind"]).first()
        if draft is not None:
            messages.info(
                request, _("您有一份尚未提交的%(kind)s申请，请继续填写。") % {"kind": draft.get_kind_display()}
            )
            return redirect("relief_portal:apply_step", pk=draft.pk, step="members")
        duplicate = selectors.duplicate_application_reason(household, data["kind"])
        if duplicate:
            form.add_error("kind", duplicate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.resident_application_start(
                actor=user,
                kind=data["kind"],
                region=data["region"],
                address=data["address"],
                temporary_type=data["temporary_type"],
                reason=data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("申请已创建（编号 %(number)s），请逐步填写。") % {"number": application.number})
            return redirect("relief_portal:apply_step", pk=application.pk, step="members")
    # Said before anything is filled: which kinds this household cannot apply for, and why.
    refusals = {
        kind: reason
        for kind, _label in forms.ONLINE_KINDS
        if not own_drafts.filter(kind=kind).exists()
        and (reason := selectors.duplicate_application_reason(household, kind))
    }
    return render(
        request, "relief/portal/apply_start.html", {"form": form, "household": household, "refusals": refusals}
    )


@resident_required
def region_options(request):
    """The next select of the start page's district → street → community
    cascade: <option>s of the chosen region's children in the city's tree."""
    parent = request.GET.get("street") or request.GET.get("district") or ""
    return render(
        request, "relief/portal/_region_options.html", {"regions": selectors.region_options(parent.strip()[:12])}
    )


def _step_form(step: str, application: Application, members, data=None, files=None, editing=None):
    """The step's form: adding a line, or correcting `editing` (a member or a declared record)."""
    if step == "members":
        return forms.ApplyMemberEditForm(data, member=editing) if editing else forms.ApplyMemberForm(data)
    if step in ("income", "assets"):
        form_class = forms.ApplyIncomeForm if step == "income" else forms.ApplyAssetForm
        initial = {"person": application.applicant_id}
        if editing is not None:
            initial = {"person": editing.person_id, "kind": editing.kind, "amount": editing.amount}
            if step == "income":
                months = _declared_months(editing)
                initial.update(months=months, monthly_amount=(editing.amount / months).quantize(Decimal("0.01")))
        return form_class(data, members=members, initial=initial)
    if step == "authorisation":
        return forms.ApplyAuthorisationForm(
            data,
            kind=application.kind,
            initial={
                "authorised_verification": application.authorised_verification,
                "bank_name": application.bank_name,
                "bank_account": application.bank_account,
                "requested_amount": application.requested_amount,
            },
        )
    if step == "documents":
        return forms.ApplyDocumentForm(data, files)
    return None


def _save_step(step: str, request, application: Application, data: dict) -> str:
    """Run the step's service; returns the step to show next."""
    user = request.user
    if step == "members":
        services.application_member_add(
            actor=user,
            application=application,
            id_number=data["id_number"],
            name=data["name"],
            relation=data["relation"],
            disability_grade=data["disability_grade"],
            disability_type=data["disability_type"],
            labour_capacity=data["labour_capacity"],
            serious_illness=data["serious_illness"],
        )
        messages.success(request, _("已添加家庭成员 %(name)s。") % {"name": data["name"]})
        return step
    if step == "income":
        services.application_income_declare(
            actor=user,
            application=application,
            person=data["person"],
            kind=data["kind"],
            monthly_amount=data["monthly_amount"],
            months=data["months"],
        )
        messages.success(request, _("已申报 %(name)s 的收入。") % {"name": data["person"].name})
        return step
    if step == "assets":
        services.application_asset_declare(
            actor=user, application=application, person=data["person"], kind=data["kind"], amount=data["amount"]
        )
        messages.success(request, _("已申报 %(name)s 的财产。") % {"name": data["person"].name})
        return step
    if step == "authorisation":
        services.application_details_update(
            actor=user,
            application=application,
            authorised_verification=data["authorised_verification"],
            bank_name=data["bank_name"],
            bank_account=data["bank_account"],
            requested_amount=data["requested_amount"],
        )
        messages.success(request, _("已保存。"))
        return "documents"
    if step == "documents":
        document_upload(actor=user, kind=data["kind"], uploaded=data["file"], household=application.household)
        messages.success(request, _("材料已上传。"))
        return step
    raise Http404


def _update_item(step: str, request, application: Application, item, data: dict) -> None:
    """Save a corrected member or declared line through its service."""
    user = request.user
    if step == "members":
        services.application_member_update(
            actor=user,
            application=application,
            member_id=item.pk,
            relation=data.get("relation") or item.relation,
            disability_grade=data["disability_grade"],
            disability_type=data["disability_type"],
            labour_capacity=data["labour_capacity"],
            serious_illness=data["serious_illness"],
        )
        messages.success(request, _("已修改家庭成员 %(name)s 的信息。") % {"name": item.person.name})
    elif step == "income":
        services.application_income_update(
            actor=user,
            application=application,
            record_id=item.pk,
            person=data["person"],
            kind=data["kind"],
            monthly_amount=data["monthly_amount"],
            months=data["months"],
        )
        messages.success(request, _("已修改收入。"))
    else:
        services.application_asset_update(
            actor=user,
            application=application,
            record_id=item.pk,
            person=data["person"],
            kind=data["kind"],
            amount=data["amount"],
        )
        messages.success(request, _("已修改财产。"))


def _remove_item(step: str, request, application: Application, item) -> None:
    if step == "members":
        services.application_member_remove(actor=request.user, application=application, member_id=item.pk)
        messages.success(request, _("已删除家庭成员 %(name)s 及其申报的收入和财产。") % {"name": item.person.name})
    else:
        services.application_record_remove(
            actor=request.user, application=application, model=ITEM_MODELS[step], record_id=item.pk
        )
        messages.success(request, _("已删除。"))


# The lines a resident may correct or delete on each step (declared records only).
ITEM_MODELS = {"members": HouseholdMember, "income": IncomeRecord, "assets": AssetRecord}


def _item(step: str, application: Application, pk: int):
    qs = ITEM_MODELS[step].objects.select_related("person").filter(household=application.household, pk=pk)
    item = (qs if step == "members" else qs.filter(source=Source.DECLARED)).first()
    if item is None:
        raise Http404
    return item


def _declared_months(record: IncomeRecord) -> int:
    """How many months a declared income covers (declared as whole months up to yesterday)."""
    after = record.period_end + dt.timedelta(days=1)
    months = (after.year - record.period_start.year) * 12 + after.month - record.period_start.month
    return max(1, min(12, months))


@resident_required
@require_http_methods(["GET", "POST"])
def apply_step(request, pk: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    application = selectors.application_get_for_resident(request.user, pk)
    if application.state not in EDITABLE:
        return redirect("relief_portal:application", pk=application.pk)
    return _apply_page(request, application, step)


@resident_required
@require_http_methods(["GET", "POST"])
def apply_item(request, pk: int, step: str, item: int, action: str):
    """Correct (GET shows the form, POST saves) or delete (POST) a member, an
    income line or an asset line of a draft or returned application."""
    if step not in ITEM_MODELS or action not in ("edit", "delete"):
        raise Http404
    application = selectors.application_get_for_resident(request.user, pk)
    if application.state not in EDITABLE:
        return redirect("relief_portal:application", pk=application.pk)
    line = _item(step, application, item)
    if action == "edit":
        return _apply_page(request, application, step, editing=line)
    if request.method == "POST":
        try:
            _remove_item(step, request, application, line)
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("relief_portal:apply_step", pk=application.pk, step=step)


def _apply_page(request, application: Application, step: str, editing=None):
    members = core_selectors.household_members(application.household)
    posted = request.method == "POST"
    form = _step_form(
        step, application, members, request.POST if posted else None, request.FILES if posted else None, editing=editing
    )
    missing = services.missing_documents(application) if step == "review" else []
    note_form = forms.SubmitNoteForm(request.POST if posted else None) if missing else None
    submit_errors: list[str] = []
    if posted:
        try:
            if step == "review":
                note = note_form.cleaned_data["missing_documents_note"] if note_form and note_form.is_valid() else ""
                services.application_submit(actor=request.user, application=application, missing_documents_note=note)
                messages.success(request, _("申请已提交，请留意办理进度。"))
                return redirect("relief_portal:application", pk=application.pk)
            if form.is_valid():
                if editing is not None:
                    _update_item(step, request, application, editing, form.cleaned_data)
                    next_step = step
                else:
                    next_step = _save_step(step, request, application, form.cleaned_data)
                return redirect("relief_portal:apply_step", pk=application.pk, step=next_step)
        except DomainError as exc:
            if form is None:
                submit_errors.append(str(exc))
            else:
                form.add_error(None, str(exc))
    index = STEP_NAMES.index(step)
    return render(
        request,
        "relief/portal/apply_step.html",
        {
            "application": application,
            "step": step,
            "steps": STEPS,
            "form": form,
            "members": members,
            "editing": editing,
            "note_form": note_form,
            "missing_documents": [Document.Kind(k).label for k in missing],
            **core_selectors.household_finances(application.household),
            "documents": application.household.documents.all(),
            "required_documents": services.checklist_suggestion(application),
            "submit_errors": submit_errors,
            "authorisation_text": forms.AUTHORISATION_TEXT,
            "next_step": STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)],
            "previous_step": STEP_NAMES[max(index - 1, 0)],
        },
    )


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
    return render(
        request,
        "relief/portal/application.html",
        {
            "application": application,
            "progress": selectors.resident_progress(application),
            "benefits": benefits,
            "members": core_selectors.household_members(application.household),
            "can_withdraw": application.state in (State.DRAFT, State.SUBMITTED, State.RETURNED)
            and application.created_by_id == request.user.pk,
        },
    )


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
    missing = services.missing_documents(application)
    note_form = forms.SubmitNoteForm(request.POST if resubmit else None) if missing else None
    resubmit_errors: list[str] = []
    if resubmit:
        note = note_form.cleaned_data["missing_documents_note"] if note_form and note_form.is_valid() else ""
        try:
            services.application_submit(actor=request.user, application=application, missing_documents_note=note)
        except DomainError as exc:
            resubmit_errors.append(str(exc))
        else:
            messages.success(request, _("已重新提交，请留意办理进度。"))
            return redirect("relief_portal:application", pk=application.pk)
    elif upload and form.is_valid():
        try:
            document_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                household=application.household,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("relief_portal:application_documents", pk=application.pk)
    return render(
        request,
        "relief/portal/documents.html",
        {
            "application": application,
            "form": form,
            "resubmit_errors": resubmit_errors,
            "documents": application.household.documents.all(),
            "required_documents": services.checklist_suggestion(application),
            "note_form": note_form,
            "missing_documents": [Document.Kind(k).label for k in missing],
        },
    )
