"""Childcare's workbench pages (/work/childcare/): thin views over the
selectors and services.  Every page checks a capability (require) and the
record's scope (the selectors' getters: 404 outside the jurisdiction, 403
inside it without the assignment); every full record shown is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from civil_affairs import clock, listing
from civil_affairs.exports import xlsx_response
from civil_affairs.models import Region
from civil_affairs.permissions import has_capability, require
from civil_affairs.rolls import RollViews, RunForm
from civil_affairs.rules import mask_id_number, mask_name
from civil_affairs.selectors import batchrun_list_for_user, jurisdiction_prefix
from civil_affairs.services import DomainError, export_recorded, record_viewed

from . import payroll, selectors, services, stats
from .forms import (
    CaseForm,
    CheckForm,
    ChildForm,
    CloseForm,
    DecideForm,
    ReferralForm,
    ResolveForm,
    ReviewForm,
    RiskForm,
    StopForm,
    VisitForm,
)
from .models import Allowance, AllowancePayment, Case, Child


def _error(request, exc: DomainError) -> None:
    messages.error(request, str(exc))


# ---------------------------------------------------------------- the queue


@require("childcare_view")
def index(request):
    """Each person's work: cases to check or decide, the director's children
    (overdue visits first) and discovery tasks, reviews falling due."""
    user = request.user
    today = clock.today()
    queue = list(selectors.director_queue(user)[:50])
    return render(
        request,
        "childcare/index.html",
        {
            "cases": selectors.case_queue_for_user(user).select_related("child", "region")[:50],
            "children": [{"child": c, "overdue": c.next_visit_due < today} for c in queue],
            "tasks": selectors.discovery_tasks_for_user(user)[:50],
            "reviews": selectors.reviews_due_for_user(user)[:20],
            "today": today,
            "may_open_any": selectors.child_scope_q(user) is not None,
        },
    )


# ---------------------------------------------------------------- recognition cases


@require("childcare_view")
def case_list(request):
    qs = selectors.case_list_for_user(request.user)
    state = request.GET.get("state", "")
    if state in Case.State.values:
        qs = qs.filter(state=state)
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="childcare.case",
            filename="childcare-cases",
            sheet=_("认定申请"),
            qs=qs,
            row=lambda c: (
                c.number,
                c.child.name,
                mask_id_number(c.child.id_number),
                c.get_category_display(),
                c.get_state_display(),
                c.submitted_on,
                c.check_due,
                c.region.name,
            ),
            headers=[
                _("申请编号"),
                _("儿童"),
                _("身份证号"),
                _("类别"),
                _("状态"),
                _("申请日期"),
                _("审核期限"),
                _("村/社区"),
            ],
        )
    context = listing.list_page(request, qs, sorts=("id", "check_due", "region"), default="id")
    return render(request, "childcare/case_list.html", {**context, "states": Case.State.choices})


@require("childcare_check")
def case_new(request):
    """An application taken at the street (the caseworker enters the guardian)."""
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            child = services.person_by_id_number(d["child_id_number"])
            guardian = services.person_by_id_number(d["guardian_id_number"]) if d.get("guardian_id_number") else None
            case = services.case_submit(
                actor=request.user,
                child=child,
                guardian=guardian,
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
            messages.success(request, _("已受理认定申请 %(n)s。") % {"n": case.number})
            return redirect("childcare:case_detail", case.pk)
    return render(request, "childcare/case_new.html", {"form": form})


@require("childcare_view")
def case_detail(request, pk: int):
    case = selectors.case_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=case)
    user = request.user
    today = clock.today()
    return render(
        request,
        "childcare/case_detail.html",
        {
            "case": case,
            "parents": case.parents.select_related("parent").order_by("which"),
            "documents": case.documents.all(),
            "assessment": services.case_assessment(case, today) if case.state in Case.OPEN else None,
            "reasons": services.REASONS,
            "check_form": CheckForm()
            if case.state == Case.State.SUBMITTED and has_capability(user, "childcare_check")
            else None,
            "decide_form": DecideForm()
            if case.state == Case.State.CHECKED
            and has_capability(user, "childcare_decide")
            and case.checked_by_id != user.pk
            else None,
        },
    )


@require("childcare_check")
@require_POST
def case_check(request, pk: int):
    case = selectors.case_get_for_user(request.user, pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论并填写审核意见。"))
        return redirect("childcare:case_detail", case.pk)
    try:
        services.case_check(
            actor=request.user,
            case=case,
            recommend=form.cleaned_data["recommend"],
            opinion=form.cleaned_data["opinion"],
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已完成街道审核。"))
    return redirect("childcare:case_detail", case.pk)


@require("childcare_decide")
@require_POST
def case_decide(request, pk: int):
    case = selectors.case_get_for_user(request.user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审批结论。"))
        return redirect("childcare:case_detail", case.pk)
    try:
        services.case_decide(
            actor=request.user, case=case, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已审批。"))
    return redirect("childcare:case_detail", case.pk)


# ---------------------------------------------------------------- allowances


@require("childcare_view")
def allowance_list(request):
    qs = selectors.allowance_list_for_user(request.user)
    status = request.GET.get("status", "")
    if status in Allowance.Status.values:
        qs = qs.filter(status=status)
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="childcare.allowance",
            filename="childcare-allowances",
            sheet=_("基本生活费"),
            qs=qs,
            row=lambda a: (
                a.child.name,
                mask_id_number(a.child.id_number),
                a.get_category_display(),
                a.get_setting_display(),
                a.start_month,
                a.last_month,
                a.get_status_display(),
                a.region.name,
            ),
            headers=[
                _("儿童"),
                _("身份证号"),
                _("类别"),
                _("养育方式"),
                _("起始月份"),
                _("最后发放月份"),
                _("状态"),
                _("村/社区"),
            ],
        )
    context = listing.list_page(request, qs, sorts=("id", "next_review", "region"), default="id")
    return render(request, "childcare/allowance_list.html", {**context, "statuses": Allowance.Status.choices})


@require("childcare_view")
def allowance_detail(request, pk: int):
    allowance = selectors.allowance_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=allowance)
    may = allowance.status == Allowance.Status.ACTIVE and has_capability(request.user, "childcare_decide")
    return render(
        request,
        "childcare/allowance_detail.html",
        {
            "allowance": allowance,
            "payments": AllowancePayment.objects.filter(child_id=allowance.child_id)
            .select_related("roll")
            .order_by("-month")[:24],
            "stop_form": StopForm(initial={"on": clock.today()}) if may else None,
            "review_form": ReviewForm() if may else None,
        },
    )


@require("childcare_decide")
@require_POST
def allowance_action(request, pk: int, action: str):
    allowance = selectors.allowance_get_for_user(request.user, pk)
    try:
        if action == "stop":
            form = StopForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请选择停发原因并填写情形发生日期。"))
            d = form.cleaned_data
            services.allowance_stop(
                actor=request.user, allowance=allowance, reason=d["reason"], on=d["on"], note=d["note"]
            )
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请选择复核结论并填写复核情况。"))
            d = form.cleaned_data
            services.allowance_review(
                actor=request.user, allowance=allowance, still_eligible=d["still_eligible"], note=d["note"]
            )
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("childcare:allowance_detail", allowance.pk)


# ---------------------------------------------------------------- registry


@require("childcare_view")
def child_list(request):
    """The registry of the jurisdiction; names masked, no link, where the user may not open the record."""
    qs = selectors.child_list_for_user(request.user)
    kind, risk = request.GET.get("kind", ""), request.GET.get("risk", "")
    if kind in Child.Kind.values:
        qs = qs.filter(kind=kind)
    if risk in ("high", "medium", "low"):
        qs = qs.filter(risk=risk)
    if request.GET.get("overdue"):
        qs = qs.filter(next_visit_due__lt=clock.today())
    if listing.export_requested(request):
        scope = selectors.child_scope_q(request.user)
        open_ids = set(qs.filter(scope).values_list("pk", flat=True)) if scope is not None else set()
        return listing.xlsx_export(
            request,
            target_type="childcare.child",
            filename="childcare-children",
            sheet=_("困境和留守儿童"),
            qs=qs,
            row=lambda c: (
                c.person.name if c.pk in open_ids else mask_name(c.person.name),
                mask_id_number(c.person.id_number),
                c.get_kind_display(),
                c.get_risk_display(),
                c.next_visit_due,
                c.region.name,
            ),
            headers=[_("姓名"), _("身份证号"), _("类别"), _("风险等级"), _("下次走访期限"), _("村/社区")],
        )
    context = listing.list_page(request, qs, sorts=("region", "next_visit_due", "id"), default="region")
    rows = selectors.masked_rows(request.user, context["page"].items)
    return render(
        request,
        "childcare/child_list.html",
        {
            **context,
            "rows": rows,
            "kinds": Child.Kind.choices,
            "risks": (("high", _("高")), ("medium", _("中")), ("low", _("低"))),
        },
    )


@require("childcare_registry")
def child_new(request):
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.person_by_id_number(d["id_number"])
            child = services.child_register(
                actor=request.user,
                person=person,
                kind=d["kind"],
                risk=d["risk"],
                guardian_name=d["guardian_name"],
                guardian_situation=d["guardian_situation"],
                school=d["school"],
            )
        except PermissionDenied:
            form.add_error(None, _("该儿童不在您负责的村（社区）或街道，不能登记。"))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记，首次走访期限 %(d)s。") % {"d": child.first_visit_due})
            return redirect("childcare:child_detail", child.pk)
    return render(request, "childcare/child_new.html", {"form": form})


@require("childcare_view")
def child_detail(request, pk: int):
    child = selectors.child_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=child)
    may_edit = has_capability(request.user, "childcare_registry")
    return render(
        request,
        "childcare/child_detail.html",
        {
            "child": child,
            "overdue": child.next_visit_due < clock.today(),
            "visits": selectors.visits_of(child)[:50],
            "referrals": selectors.referrals_of(child),
            "risk_changes": child.risk_changes.select_related("by"),
            "director": services.director_of(child.region_id),
            "supervisor": services.supervisor_of(child.region_id),
            "visit_form": VisitForm(initial={"visited_on": clock.today(), "seen": True}) if may_edit else None,
            "risk_form": RiskForm(initial={"version": child.version, "risk": child.risk}) if may_edit else None,
            "referral_form": ReferralForm() if may_edit else None,
            "close_form": CloseForm() if may_edit else None,
        },
    )


@require("childcare_registry")
@require_POST
def child_action(request, pk: int, action: str):
    child = selectors.child_get_for_user(request.user, pk)
    forms_by_action = {"visit": VisitForm, "risk": RiskForm, "refer": ReferralForm}
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("childcare:child_detail", child.pk)
    d = form.cleaned_data
    try:
        if action == "visit":
            services.visit_record(
                actor=request.user, child=child, visited_on=d["visited_on"], seen=d["seen"], notes=d["notes"]
            )
            messages.success(request, _("已记录走访。"))
        elif action == "risk":
            services.child_risk_change(
                actor=request.user, child=child, risk=d["risk"], reason=d["reason"], version=d["version"]
            )
            messages.success(request, _("已调整风险等级。"))
        else:
            referral = services.referral_open(actor=request.user, child=child, service=d["service"], reason=d["reason"])
            messages.success(
                request,
                _("已转介，临时救助申请 %(n)s 已建立。") % {"n": referral.relief_application}
                if referral.relief_application
                else _("已转介。"),
            )
    except DomainError as exc:
        _error(request, exc)
    return redirect("childcare:child_detail", child.pk)


@require("childcare_registry")
@require_POST
def referral_close(request, pk: int):
    referral = selectors.referral_get_for_user(request.user, pk)
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写办理结果。"))
        services.referral_close(actor=request.user, referral=referral, outcome=form.cleaned_data["outcome"])
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("转介已办结。"))
    return redirect("childcare:child_detail", referral.child_id)


@require("childcare_registry")
@require_POST
def discovery_resolve(request, pk: int):
    task = selectors.discovery_get_for_user(request.user, pk)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写核实结果。"))
        services.discovery_resolve(actor=request.user, task=task, note=form.cleaned_data["note"])
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已处理主动发现任务。"))
    return redirect("childcare:index")


# ---------------------------------------------------------------- payroll

roll_views = RollViews(payroll.ALLOWANCE_ROLL)
roll_detail, roll_approve, roll_bank_file = roll_views.detail, roll_views.approve, roll_views.bank_file

GENERATE = RunForm(
    capability="childcare_payroll_run",
    start=payroll.allowance_start,
    started=_lazy("已开始生成 %(m)s 儿童基本生活费花名册。"),
    month_label=_lazy("发放月份"),
    button=_lazy("生成花名册"),
    testid="generate-form",
    help=_lazy("可重复运行：已生成的明细不会重复，已审核的花名册不会改变；生成后由各区县审核人审核。"),
)


def _run(request, context: dict) -> dict:
    run = None
    if request.GET.get("run", "").isdigit():
        run = batchrun_list_for_user(request.user).filter(pk=request.GET["run"], kind=payroll.KIND).first()
    return {"run": run, "run_confirm": _("确认生成所选月份的儿童基本生活费花名册？")}


def payroll_month(request):
    return roll_views.month_page(request, template="childcare/payroll.html", run_form=GENERATE, extra=_run)


# ---------------------------------------------------------------- coverage and dashboard


def _region_for(request) -> Region:
    """The subtree asked for (?region=), inside the user's jurisdiction."""
    prefix = jurisdiction_prefix(request.user)
    if prefix is None:
        raise PermissionDenied
    code = request.GET.get("region") or request.user.region_id
    region = Region.objects.filter(code=code, code__startswith=prefix).first()
    if region is None:
        raise Http404
    return region


@require("childcare_dashboard")
def coverage(request):
    region = _region_for(request)
    prefix = region.prefix
    if listing.export_requested(request):
        export_recorded(actor=request.user, target_type="childcare.coverage", filters=request.GET.dict())
        rows = [
            (_("缺儿童主任的村（社区）"), r.code, r.name, r.parent.name if r.parent else "")
            for r in stats.villages_without_director(prefix, limit=None)
        ]
        rows += [
            (_("缺儿童督导员的街道（乡镇）"), r.code, r.name, "")
            for r in stats.streets_without_supervisor(prefix, limit=None)
        ]
        rows += [
            (_("未成年人保护工作站"), s["region"].code, s["region"].name, s["n"])
            for s in stats.stations_by_town(prefix, 5000)
        ]
        return xlsx_response(
            filename="childcare-coverage",
            sheet=_("覆盖情况"),
            headers=[_("项目"), _("区划代码"), _("名称"), _("备注")],
            rows=rows,
        )
    return render(
        request,
        "childcare/coverage.html",
        {
            "region": region,
            "figures": stats.coverage(prefix),
            "villages": stats.villages_without_director(prefix),
            "streets": stats.streets_without_supervisor(prefix),
            "stations": stats.stations_by_town(prefix),
        },
    )


@require("childcare_dashboard")
def dashboard(request):
    region = _region_for(request)
    figures = stats.dashboard(region, clock.today())
    if listing.export_requested(request):
        export_recorded(actor=request.user, target_type="childcare.dashboard", filters=request.GET.dict())
        cov = figures["coverage"]
        rows = [
            (_("孤儿（机构集中养育）"), figures["orphans_institutional"]),
            (_("孤儿（社会散居）"), figures["orphans_dispersed"]),
            (_("事实无人抚养儿童"), figures["unsupported"]),
            *((_("困境儿童（%(r)s风险）") % {"r": r}, n) for r, n in figures["by_risk"]["distress"].items()),
            *((_("留守儿童（%(r)s风险）") % {"r": r}, n) for r, n in figures["by_risk"]["left_behind"].items()),
            (_("本月已发放人数"), figures["paid_lines"]),
            (_("本月已发放金额（元）"), figures["paid_total"]),
            (_("本月按标准应发金额（元）"), figures["expected_total"]),
            (_("村（社区）儿童主任覆盖"), f"{cov['villages_covered']}/{cov['villages']}"),
            (_("街道（乡镇）儿童督导员覆盖"), f"{cov['streets_covered']}/{cov['streets']}"),
            (_("未成年人保护工作站"), cov["stations"]),
            (_("近12个月走访次数"), figures["visits"]),
            (_("按期走访次数"), figures["visits_on_time"]),
            (_("走访逾期儿童"), figures["overdue"]),
            (_("转介办理中"), figures["referrals_open"]),
            (_("转介已办结"), figures["referrals_closed"]),
        ]
        return xlsx_response(
            filename="childcare-dashboard", sheet=_("儿童福利"), headers=[_("指标"), _("数值")], rows=rows
        )
    return render(request, "childcare/dashboard.html", {"f": figures, "chart": stats.chart(figures)})
