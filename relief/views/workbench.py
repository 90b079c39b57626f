"""Caseworkers' and reviewers' relief pages: the queue, one page per
procedure step, the household's economic summary, the printable public
notice and the benefits roster.  Thin: check the role, read through
selectors, write through services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs import clock, listing
from civil_affairs import rules as core_rules
from civil_affairs import selectors as core_selectors
from civil_affairs.models import HouseholdMember
from civil_affairs.permissions import has_capability, require
from civil_affairs.services import DomainError, record_viewed

from .. import forms
from ..models import Application, Benefit, Kind, Payment
from ..selectors import applications as selectors
from ..services import applications as services
from ..services import benefits as benefit_services

State = Application.State


# ---------------------------------------------------------------- queue

QUEUE_SORTS = ("created_at", "number")


@require("relief_view")
def queue(request):
    form = forms.QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.queue_for_user(
        request.user,
        state=filters.get("state", ""),
        kind=filters.get("kind", ""),
        overdue=filters.get("overdue", False),
        query=filters.get("q", ""),
    )
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="relief.application",
            filename="relief-applications",
            sheet=_("救助申请"),
            rows=(
                (
                    a.number,
                    a.get_kind_display(),
                    a.get_state_display(),
                    a.applicant.name,
                    core_rules.mask_id_number(a.applicant.id_number),
                    a.region.name,
                    a.accepted_on,
                    a.deadline,
                    a.proposed_amount,
                )
                for a in selectors.with_countdown(list(qs.order_by("region_id", "pk")[:50000]))
            ),
            headers=[
                _("申请编号"),
                _("救助类别"),
                _("状态"),
                _("申请人"),
                _("身份证号"),
                _("受理地"),
                _("受理日期"),
                _("办结期限"),
                _("拟核定金额"),
            ],
        )
    # 急难 (emergency) cases are pinned above the others on the first page, and left out of the pages below.
    urgent = selectors.urgent_in_queue(qs)
    context = listing.list_page(
        request, qs.exclude(pk__in=[a.pk for a in urgent]), sorts=QUEUE_SORTS, default="created_at"
    )
    context["page"].items = selectors.with_countdown(
        ([] if request.GET.get("after") else urgent) + context["page"].items
    )
    context.update(
        form=form,
        counts=selectors.queue_counts(request.user),
        states=Application.OPEN_STATES,
        recheck_due=selectors.recheck_due_for_user(request.user).count(),
        visits_to_confirm=selectors.visits_awaiting_confirmation(request.user).count(),
    )
    return render(request, "relief/queue.html", context)


@require("relief_handle")
@require_http_methods(["GET", "POST"])
def application_new(request):
    """A counter application: the caseworker finds the household and opens a draft."""
    form = forms.ApplicationNewForm(request.POST or None, initial={"household_number": request.GET.get("household")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = (
            core_selectors.household_list_for_user(request.user)
            .filter(number=data["household_number"].strip().upper())
            .first()
        )
        if household is None:
            form.add_error("household_number", _("辖区内没有这个户编号。"))
        else:
            try:
                application = services.application_create(
                    actor=request.user,
                    household=household,
                    kind=data["kind"],
                    temporary_type=data["temporary_type"],
                    reason=data["reason"],
                    requested_amount=data["requested_amount"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("relief:application_step", pk=application.pk, step="submit")
    return render(request, "relief/application_new.html", {"form": form})


# ---------------------------------------------------------------- one page per step


@dataclass(frozen=True)
class Step:
    label: str
    capabilities: tuple[str, ...]
    states: tuple[str, ...]
    form: type
    run: Callable
    kinds: tuple[str, ...] = ()
    button: str = "btn-primary"

    def offered(self, user, application: Application) -> bool:
        return (
            application.state in self.states
            and any(has_capability(user, c) for c in self.capabilities)
            and (not self.kinds or application.kind in self.kinds)
        )


def _submit(user, a, d, form):
    services.application_details_update(
        actor=user,
        application=a,
        reason=d["reason"],
        requested_amount=d["requested_amount"],
        bank_name=d["bank_name"],
        bank_account=d["bank_account"].strip(),
        authorised_verification=d["authorised_verification"],
    )
    services.application_submit(actor=user, application=a)


HANDLE, DECIDE = ("relief_handle",), ("relief_handle", "relief_decide")  # the service decides who may decide
NOT_TEMPORARY = tuple(k for k in Kind.values if k != Kind.TEMPORARY)

STEPS: dict[str, Step] = {
    "submit": Step(gettext_lazy("完善并提交"), HANDLE, (State.DRAFT, State.RETURNED), forms.SubmitForm, _submit),
    "accept": Step(
        gettext_lazy("受理"),
        HANDLE,
        (State.SUBMITTED,),
        forms.ChecklistForm,
        lambda u, a, d, f: services.application_accept(actor=u, application=a, checklist=f.checklist()),
    ),
    "return": Step(
        gettext_lazy("退回补充材料"),
        HANDLE,
        (State.SUBMITTED,),
        forms.ReturnForm,
        lambda u, a, d, f: services.application_return(
            actor=u, application=a, reason=d["reason"], checklist=f.checklist()
        ),
        button="btn-outline-warning",
    ),
    "pay_first": Step(
        gettext_lazy("先行救助"),
        HANDLE,
        (State.SUBMITTED, State.ACCEPTED),
        forms.PayFirstForm,
        lambda u, a, d, f: services.application_pay_first(actor=u, application=a, amount=d["amount"]),
        kinds=(Kind.TEMPORARY,),
        button="btn-outline-danger",
    ),
    "visit": Step(
        gettext_lazy("入户调查"),
        HANDLE,
        (State.ACCEPTED, State.INVESTIGATING),
        forms.VisitForm,
        lambda u, a, d, f: services.application_visit_record(
            actor=u,
            application=a,
            second_visitor=d["second_visitor"],
            visited_on=d["visited_on"],
            living_conditions=d["living_conditions"],
            findings=d["findings"],
        ),
    ),
    "propose": Step(
        gettext_lazy("提出审核意见"),
        HANDLE,
        (State.ACCEPTED, State.INVESTIGATING),
        forms.ProposeForm,
        lambda u, a, d, f: services.application_propose(
            actor=u,
            application=a,
            note=d["note"],
            care_level=d["care_level"],
            support_mode=d["support_mode"],
            has_capable_supporter=d["has_capable_supporter"],
            amount=d["amount"],
        ),
    ),
    "notice": Step(
        gettext_lazy("发布公示"),
        HANDLE,
        (State.PROPOSED,),
        forms.EmptyForm,
        lambda u, a, d, f: services.application_notice_publish(actor=u, application=a),
        kinds=NOT_TEMPORARY,
    ),
    "objection": Step(
        gettext_lazy("登记异议"),
        HANDLE,
        (State.NOTICE,),
        forms.ObjectionForm,
        lambda u, a, d, f: services.application_objection_record(
            actor=u, application=a, received_on=d["received_on"], content=d["content"], raised_by=d["raised_by"]
        ),
        button="btn-outline-warning",
    ),
    "extend": Step(
        gettext_lazy("延长办理期限"),
        HANDLE,
        (State.ACCEPTED, State.INVESTIGATING, State.PROPOSED, State.NOTICE),
        forms.ExtendForm,
        lambda u, a, d, f: services.application_extend(actor=u, application=a, reason=d["reason"]),
        button="btn-outline-secondary",
    ),
    "confirm": Step(
        gettext_lazy("批准"),
        DECIDE,
        (State.PROPOSED, State.NOTICE),
        forms.ConfirmForm,
        lambda u, a, d, f: services.application_confirm(actor=u, application=a, note=d["note"]),
        button="btn-success",
    ),
    "reject": Step(
        gettext_lazy("不予批准"),
        DECIDE,
        (State.PROPOSED, State.NOTICE),
        forms.RejectForm,
        lambda u, a, d, f: services.application_reject(actor=u, application=a, reason=d["reason"]),
        button="btn-outline-danger",
    ),
    "withdraw": Step(
        gettext_lazy("撤回申请"),
        HANDLE,
        (State.DRAFT, State.SUBMITTED, State.RETURNED),
        forms.EmptyForm,
        lambda u, a, d, f: services.application_withdraw(actor=u, application=a),
        button="btn-outline-secondary",
    ),
}


def _step_form(step: str, request, application: Application):
    data = request.POST if request.method == "POST" else None
    spec = STEPS[step]
    if spec.form in (forms.ChecklistForm, forms.ReturnForm):
        kinds = services.REQUIRED_DOCUMENTS[application.kind]
        initial = {
            f"doc_{k}": v for k, v in (application.checklist or services.checklist_suggestion(application)).items()
        }
        return spec.form(data, required_kinds=kinds, initial=initial)
    if spec.form is forms.VisitForm:
        return spec.form(data, visitors=selectors.second_visitor_choices(request.user, application))
    if spec.form is forms.SubmitForm:
        return spec.form(data, initial={f: getattr(application, f) for f in services.DETAIL_FIELDS})
    if spec.form is forms.ProposeForm:
        return spec.form(
            data,
            kind=application.kind,
            initial={
                "care_level": application.care_level,
                "support_mode": application.support_mode,
                "amount": application.requested_amount,
            },
        )
    if spec.form is forms.ObjectionForm:
        return spec.form(data, initial={"received_on": clock.today()})
    return spec.form(data)


def _preview(application: Application, request) -> dict | None:
    """The amount and its working as the proposal would compute it now."""
    if application.kind == Kind.TEMPORARY and not application.requested_amount:
        return None
    try:
        return services.assess(
            application,
            on=clock.today(),
            care_level=request.GET.get("care_level", "self") if application.kind == Kind.TEKUN else "",
            amount=application.requested_amount,
        )["working"]
    except DomainError as exc:
        return {"error": str(exc)}


@require("relief_view")
def application_detail(request, pk: int):
    application = selectors.application_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=application)
    selectors.with_countdown([application])
    steps = [(name, spec) for name, spec in STEPS.items() if spec.offered(request.user, application)]
    confirm_blockers = (
        services.decision_blockers(request.user, application) if any(name == "confirm" for name, _spec in steps) else []
    )
    return render(
        request,
        "relief/application_detail.html",
        {
            "application": application,
            "steps": steps,
            "benefits": list(application.benefits.all()),
            "confirm_blockers": confirm_blockers,
            "visits": selectors.visits_with_status(application),
            "members": core_selectors.household_members(application.household),
        },
    )


@require("relief_view")
@require_http_methods(["GET", "POST"])
def application_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    spec = STEPS[step]
    application = selectors.application_get_for_user(request.user, pk)
    if not any(has_capability(request.user, c) for c in spec.capabilities):
        raise PermissionDenied
    form = _step_form(step, request, application)
    if request.method == "GET":  # the step page shows the case and its working
        record_viewed(actor=request.user, target=application, changes={"step": step})
    if request.method == "POST":
        if not spec.offered(request.user, application):
            form.is_valid()
            form.add_error(
                None, _("申请当前状态为“%(state)s”，不能进行此操作。") % {"state": application.get_state_display()}
            )
        elif form.is_valid():
            try:
                result = spec.run(request.user, application, form.cleaned_data, form)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if step == "confirm" and result.state != State.CONFIRMED:  # 一事一议: the first of two approvals
                    messages.info(request, services.FIRST_APPROVAL_RECORDED)
                else:
                    messages.success(request, _("%(step)s：已完成。") % {"step": spec.label})
                return redirect("relief:application_detail", pk=application.pk)
    selectors.with_countdown([application])
    context = {
        "application": application,
        "form": form,
        "step": step,
        "spec": spec,
        "offered": spec.offered(request.user, application),
    }
    if step == "propose":
        context["preview"] = _preview(application, request)
    if step == "confirm":  # the reasons the approval would be refused, beside a disabled button
        context["blockers"] = services.decision_blockers(request.user, application) if context["offered"] else []
    if step == "reject":
        context["decider_problem"] = services.decider_problem(request.user, application)
    if step in ("accept", "return"):  # what the resident uploaded, and their note on what is missing
        context["documents"] = list(application.household.documents.all())
    return render(request, "relief/application_step.html", context, status=200)


# ---------------------------------------------------------------- public notice and economic summary


@require("relief_view")
def notice_print(request):
    """The printable notice for the community board: names masked, no ID numbers."""
    region_code = request.GET.get("region") or request.user.region_id
    region = core_selectors.region_list_for_user(request.user).filter(code=region_code).first()
    if region is None:
        raise Http404
    cases = list(selectors.notice_list_for_user(request.user, region.code).select_related("household"))
    return render(request, "relief/notice_print.html", {"region": region, "cases": cases, "today": clock.today()})


@require("relief_view")
def household_economy(request, pk: int):
    """How the household's per-capita income and dibao amount come out today."""
    household = core_selectors.household_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=household, changes={"page": "relief_economy"})
    head = HouseholdMember.objects.filter(household=household, relation="head").select_related("person").first()
    probe = Application(
        household=household, region=household.region, kind=Kind.DIBAO, applicant=head.person if head else None
    )
    try:
        working = services.assess(probe, on=clock.today())["working"]
    except DomainError as exc:
        working = {"error": str(exc)}
    return render(request, "relief/household_economy.html", {"household": household, "working": working})


# ---------------------------------------------------------------- benefits

BENEFIT_SORTS = ("region", "start_month", "next_recheck", "monthly_amount")


@require("relief_view")
def benefit_list(request):
    qs = selectors.benefit_list_for_user(request.user)
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in Benefit.Status.values:
        qs = qs.filter(status=status)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if request.GET.get("recheck_due"):
        qs = qs.filter(pk__in=selectors.recheck_due_for_user(request.user).values("pk"))
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="relief.benefit",
            filename="relief-benefits",
            sheet=_("救助待遇"),
            qs=qs,
            row=lambda b: (
                b.household.number,
                b.recipient.name,
                core_rules.mask_id_number(b.recipient.id_number),
                b.get_kind_display(),
                b.monthly_amount,
                b.members,
                b.start_month,
                b.next_recheck,
                b.get_status_display(),
                b.region.name,
            ),
            headers=[
                _("户编号"),
                _("领取人"),
                _("身份证号"),
                _("救助类别"),
                _("月救助金额"),
                _("保障人数"),
                _("起始月份"),
                _("下次复核"),
                _("状态"),
                _("所在社区/村"),
            ],
        )
    # household, recipient and region fetched for the page's rows only: joined in the page query,
    # a sort by amount or recheck date joins every benefit of the district before cutting the page
    qs = qs.select_related(None).prefetch_related("household", "recipient", "region")
    context = listing.list_page(request, qs, sorts=BENEFIT_SORTS, default="region")
    context.update(statuses=Benefit.Status.choices, kinds=Kind.choices)
    return render(request, "relief/benefit_list.html", context)


@require("relief_view")
def benefit_detail(request, pk: int):
    benefit = selectors.benefit_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=benefit)
    payments = Payment.objects.filter(benefit=benefit).order_by("-month")[:24]
    return render(
        request,
        "relief/benefit_detail.html",
        {
            "benefit": benefit,
            "payments": payments,
            "rechecks": selectors.benefit_rechecks(benefit),
            "status_form": forms.BenefitStatusForm(),
        },
    )


BENEFIT_ACTIONS = {
    "recheck": "relief_handle",
    "suspend": "relief_decide",
    "resume": "relief_decide",
    "stop": "relief_decide",
}


@require("relief_view")
@require_POST
def benefit_action(request, pk: int, action: str):
    if action not in BENEFIT_ACTIONS:
        raise Http404
    benefit = selectors.benefit_get_for_user(request.user, pk)
    if not has_capability(request.user, BENEFIT_ACTIONS[action]):
        raise PermissionDenied
    try:
        if action == "recheck":
            application = benefit_services.benefit_recheck_start(actor=request.user, benefit=benefit)
            messages.success(request, _("已发起复核，请入户调查。"))
            return redirect("relief:application_detail", pk=application.pk)
        form = forms.BenefitStatusForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("请写明原因。"))
        status = {"suspend": Benefit.Status.SUSPENDED, "resume": Benefit.Status.ACTIVE, "stop": Benefit.Status.STOPPED}[
            action
        ]
        benefit_services.benefit_status_change(
            actor=request.user, benefit=benefit, status=status, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("待遇状态已更新。"))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("relief:benefit_detail", pk=benefit.pk)
