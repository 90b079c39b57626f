"""The review tasks of the nightly recheck: the caseworker's queue (tabs by
kind, keyset pages, Excel), one task with its evidence, resolving it or
opening a recheck from it, and the bureau's "run the recheck now" form.
Thin: check the role, read through selectors, write through services."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs import clock, listing
from civil_affairs import rules as core_rules
from civil_affairs.feeds import feed_kinds
from civil_affairs.forms import BootstrapMixin
from civil_affairs.models import HouseholdMember
from civil_affairs.permissions import has_capability, require
from civil_affairs.services import DomainError, record_viewed

from ..models import Benefit, ReviewTask
from ..selectors import applications as application_selectors
from ..selectors import tasks as selectors
from ..services import applications as application_services
from ..services import recheck as services

TASK_SORTS = ("due", "created_at")


class TaskResolveForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("处理结果"),
        choices=[
            (ReviewTask.Status.DONE, ReviewTask.Status.DONE.label),
            (ReviewTask.Status.DISMISSED, ReviewTask.Status.DISMISSED.label),
        ],
    )
    note = forms.CharField(label=gettext_lazy("处理说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class VisitDeclineForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("拒绝理由"), max_length=500)


# ---------------------------------------------------------------- evidence in words

# In the order they are shown (the database keeps JSON keys in its own order).
EVIDENCE_LABELS = {
    "person": gettext_lazy("涉及人员"),
    "relation": gettext_lazy("与户主关系"),
    "is_recipient": gettext_lazy("是否领取人"),
    "death_date": gettext_lazy("死亡日期"),
    "action": gettext_lazy("系统处理"),
    "status_before": gettext_lazy("原待遇状态"),
    "living_members": gettext_lazy("在世成员数"),
    "last_month": gettext_lazy("最后发放月份"),
    "payments_removed": gettext_lazy("撤回未审核发放明细（条）"),
    "feed_kind": gettext_lazy("数据类别"),
    "key": gettext_lazy("记录标识"),
    "event_date": gettext_lazy("发生日期/月份"),
    "amount": gettext_lazy("金额（元）"),
    "plate": gettext_lazy("车牌号"),
    "vehicle_type": gettext_lazy("车辆类型"),
    "certificate": gettext_lazy("不动产权证号"),
    "address": gettext_lazy("坐落"),
    "area": gettext_lazy("面积（㎡）"),
    "company": gettext_lazy("企业名称"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "capital": gettext_lazy("注册资本（元）"),
    "capital_limit": gettext_lazy("注册资本上限（元）"),
    "over_limit": gettext_lazy("超过上限"),
    "to_region_code": gettext_lazy("迁入地区划代码"),
    "to_address": gettext_lazy("迁入地址"),
    "city_code": gettext_lazy("本市区划代码前缀"),
    "employer": gettext_lazy("工作单位"),
    "proposal": gettext_lazy("建议"),
    "per_capita": gettext_lazy("重算人均月收入（元）"),
    "standard": gettext_lazy("低保标准（元/人·月）"),
    "members": gettext_lazy("在世成员数"),
    "window": gettext_lazy("计算期间"),
    "wages": gettext_lazy("工资性收入（期间合计，元）"),
    "other_income": gettext_lazy("其他计入收入（期间合计，元）"),
    "employment_cost": gettext_lazy("就业成本扣减（元）"),
    "monthly_total": gettext_lazy("家庭月均收入（元）"),
    "wages_by_person": gettext_lazy("各成员工资（期间合计）"),
    "next_recheck": gettext_lazy("复核日期"),
    "stable": gettext_lazy("稳定家庭（12个月复核）"),
    "start_month": gettext_lazy("起始月份"),
    "status": gettext_lazy("待遇状态"),
    "monthly_amount": gettext_lazy("月救助金额（元）"),
}
ACTION_LABELS = {
    "stopped": gettext_lazy("已停发（自下月起不再发放）"),
    "suspended": gettext_lazy("已暂停发放（领取人死亡，需变更领取人）"),
    "unchanged": gettext_lazy("待遇继续（请核减家庭人数并复核金额）"),
}
VEHICLE_LABELS = {
    "car": gettext_lazy("汽车"),
    "truck": gettext_lazy("货车"),
    "motorcycle": gettext_lazy("摩托车"),
    "mobility": gettext_lazy("残疾人代步车"),
}
SOURCE_LABELS = {"feed": gettext_lazy("数据比对"), "record": gettext_lazy("申报/核实")}
PROPOSAL_LABELS = {"gradual_exit": gettext_lazy("收入超过低保标准，建议发起复核并按规定渐退")}


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = {
        "action": ACTION_LABELS,
        "vehicle_type": VEHICLE_LABELS,
        "proposal": PROPOSAL_LABELS,
        "status_before": dict(Benefit.Status.choices),
        "status": dict(Benefit.Status.choices),
        "relation": dict(HouseholdMember.Relation.choices),
        "feed_kind": {k: kind.label for k, kind in feed_kinds().items()},
    }
    if key in choices and isinstance(value, str):
        return str(choices[key].get(value, value))
    if key == "window" and isinstance(value, list) and len(value) == 2:
        return f"{value[0]} — {value[1]}"
    if key == "wages_by_person" and isinstance(value, list):
        return (
            "；".join(
                f"{row.get('name', '')}（{SOURCE_LABELS.get(row.get('source'), row.get('source', ''))}）"
                f" {row.get('wages', '')}"
                for row in value
                if isinstance(row, dict)
            )
            or "—"
        )
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """The evidence as (label, value) lines a caseworker can read."""
    if not isinstance(evidence, dict):
        return [(_("比对依据"), str(evidence))]
    order = {key: n for n, key in enumerate(EVIDENCE_LABELS)}
    keys = sorted(evidence, key=lambda k: (order.get(k, len(order)), k))
    return [(str(EVIDENCE_LABELS.get(key, key)), _value(key, evidence[key])) for key in keys]


def evidence_summary(task: ReviewTask) -> str:
    """One line for the queue and the export."""
    e = task.evidence if isinstance(task.evidence, dict) else {}
    if task.kind == ReviewTask.Kind.DEATH:
        return f"{e.get('person', '')} {e.get('death_date', '')} · {_value('action', e.get('action'))}"
    if task.kind == ReviewTask.Kind.INCOME:
        return _("人均月收入 %(pc)s 元 ≥ 标准 %(s)s 元") % {"pc": e.get("per_capita", "—"), "s": e.get("standard", "—")}
    if task.kind == ReviewTask.Kind.RECHECK_DUE:
        return _("复核日期 %(d)s") % {"d": e.get("next_recheck", task.key)}
    if task.kind == ReviewTask.Kind.MOVED_OUT:
        return f"{e.get('event_date', '')} → {e.get('to_region_code') or '—'} {e.get('to_address') or ''}".strip()
    if task.kind == ReviewTask.Kind.BUSINESS:
        over = _("，超过上限") if e.get("over_limit") else ""
        return f"{e.get('company', '')} {_('注册资本')} {e.get('capital', '—')}{over}"
    if task.kind == ReviewTask.Kind.VEHICLE:
        return f"{e.get('plate', '')} {_value('vehicle_type', e.get('vehicle_type'))}".strip()
    if task.kind == ReviewTask.Kind.PROPERTY:
        return f"{e.get('certificate', '')} {e.get('address', '')}".strip()
    return "；".join(f"{label}：{value}" for label, value in evidence_rows(e)[:3])


# ---------------------------------------------------------------- the queue


@require("relief_view")
def task_list(request):
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    qs = selectors.task_list_for_user(request.user, kind=kind, status=status)
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="relief.reviewtask",
            filename="relief-review-tasks",
            sheet=_("核查任务"),
            qs=qs,
            row=lambda t: (
                t.pk,
                t.get_kind_display(),
                t.get_status_display(),
                t.person.name if t.person else "",
                core_rules.mask_id_number(t.person.id_number) if t.person else "",
                t.benefit.household.number,
                t.benefit.get_kind_display(),
                t.region.name,
                t.due,
                t.created_at.date(),
                evidence_summary(t),
                t.resolution,
            ),
            headers=[
                _("任务编号"),
                _("任务类型"),
                _("状态"),
                _("涉及人员"),
                _("身份证号"),
                _("户编号"),
                _("救助类别"),
                _("所在社区/村"),
                _("处理期限"),
                _("生成日期"),
                _("比对依据"),
                _("处理说明"),
            ],
        )
    context = listing.list_page(request, qs, sorts=TASK_SORTS, default="due")
    for task in context["page"].items:
        task.summary = evidence_summary(task)
    can_run = has_capability(request.user, "recheck_run")
    return render(
        request,
        "relief/task_list.html",
        {
            **context,
            "counts": selectors.task_open_counts(request.user),
            "kinds": ReviewTask.Kind.choices,
            "statuses": ReviewTask.Status.choices,
            "kind": kind,
            "status": status,
            "today": clock.today(),
            "can_run": can_run,
            "runs": selectors.recheck_runs_for_user(request.user) if can_run else [],
            "can_confirm_visits": has_capability(request.user, "relief_handle"),
            "pending_visits": list(application_selectors.visits_awaiting_confirmation(request.user)),
        },
    )


# ---------------------------------------------------------------- home visits awaiting my co-signature


def _my_visit(request, pk: int):
    """A visit on a case in the user's jurisdiction (else 404), named to them (else 403)."""
    visit = application_selectors.visit_get_for_user(request.user, pk)
    if visit.second_visitor_id != request.user.pk:
        raise PermissionDenied
    return visit


@require("relief_handle")
@require_POST
def visit_confirm(request, pk: int):
    """The second visitor signs the home visit, in their own session."""
    visit = _my_visit(request, pk)
    try:
        application_services.visit_confirm(actor=request.user, visit=visit)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认 %(n)s 的入户调查。") % {"n": visit.application.number})
    return redirect(reverse("relief:tasks") + "#visits")


@require("relief_handle")
@require_POST
def visit_decline(request, pk: int):
    """The second visitor refuses to sign, with a reason: the visit is void."""
    visit = _my_visit(request, pk)
    form = VisitDeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("拒绝确认须写明理由。"))
        application_services.visit_decline(actor=request.user, visit=visit, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已拒绝确认 %(n)s 的入户调查，经办人须重新入户调查。") % {"n": visit.application.number}
        )
    return redirect(reverse("relief:tasks") + "#visits")


# ---------------------------------------------------------------- one task


@require("relief_view")
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    task = selectors.task_get_for_user(request.user, pk)
    if request.method == "GET":
        record_viewed(actor=request.user, target=task)
    form = TaskResolveForm()
    if request.method == "POST":
        if not has_capability(request.user, "relief_handle"):
            raise PermissionDenied
        if request.POST.get("action") == "recheck":
            try:
                application = services.task_recheck_start(actor=request.user, task=task)
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect("relief:task_detail", pk=task.pk)
            messages.success(
                request, _("已发起复核（%(n)s），核查任务已办结。请入户调查。") % {"n": application.number}
            )
            return redirect("relief:application_detail", pk=application.pk)
        form = TaskResolveForm(request.POST)
        if form.is_valid():
            try:
                services.task_resolve(
                    actor=request.user, task=task, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("核查任务已处理。"))
                return redirect("relief:task_detail", pk=task.pk)
    benefit = task.benefit
    return render(
        request,
        "relief/task_detail.html",
        {
            "task": task,
            "benefit": benefit,
            "evidence": evidence_rows(task.evidence),
            "form": form,
            "rechecks": selectors.task_rechecks(task),
            "today": clock.today(),
            "can_handle": has_capability(request.user, "relief_handle") and task.status == ReviewTask.Status.OPEN,
            "can_recheck": benefit.status in Benefit.PAYABLE,
        },
    )


# ---------------------------------------------------------------- the bureau runs it now


@require("recheck_run")
@require_POST
def recheck_start(request):
    try:
        day = services.parse_day(request.POST.get("date"))
        run = services.recheck_start(user=request.user, day=day)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("relief:tasks")
    messages.success(request, _("已开始 %(d)s 资格复核。") % {"d": day.isoformat()})
    return redirect("workbench:batch_detail", pk=run.pk)
