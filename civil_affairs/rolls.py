"""District payment rolls, shared by every area that pays people each month
through the banks of the districts (DESIGN.md "Shared building blocks").

An area declares each kind of roll once as a `RollKind`: its two concrete
models (`civil_affairs.models.DistrictRoll` and `RollLine`, one table each,
so the table is the kind), the batch that writes it, the capabilities to see
and approve it, and what its pages and bank file show of a line.  Every kind
then gets the same

- reads, scoped by jurisdiction: a district's reviewer sees their district's
  rolls, a street's caseworker their district's rolls with only their
  street's lines, the bureau and its auditors the whole city; totals and a
  month's summary by district (read through the month's rolls, so each GROUP
  BY touches only that month's lines through the (roll, region) index);
- approval (`roll_approve`): a reviewer of the district or the bureau, once,
  never an empty roll, never while the month's run is unfinished
  (`roll_approval_blocker`), the figures approved recorded on the roll;
- decisions on held lines (`roll_line_hold_decide`): release or withdraw;
- the bank file (xlsx/csv through civil_affairs.exports; ID numbers masked
  unless the role has `full_id_number`; audited), once approved;
- the pages (`RollViews`, templates/rolls/) and the API (`RollViewSet`).

The batch that writes a kind's lines (set-based SQL, the area's own) uses
`chunk_write` for each chunk: it reports the payable lines an approved roll kept out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case, Count, Q, QuerySet, Sum, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from . import rules
from .api import RecordViewMixin
from .areas import resolve
from .batches import is_interrupted
from .errors import DomainError
from .exports import csv_response, xlsx_response
from .models import AuditEvent, BatchRun, DistrictRoll
from .months import parse_month
from .pagination import KeysetPagination, keyset_page
from .permissions import HasCapability, has_capability, require
from .selectors import jurisdiction_prefix
from .services import audit_record, batchrun_progress, export_recorded, record_viewed

ZERO = Decimal("0.00")
APPROVED = DistrictRoll.Status.APPROVED


@dataclass(frozen=True)
class Column:
    """A column an area adds to its roll's lines, before the shared ones
    (person, ID number, category, community, bank account, amount)."""

    label: Any
    value: Callable[[Any], Any]  # line → cell text
    css: str = ""


@dataclass(frozen=True)
class RollKind:
    """One kind of district roll, as an area declares it."""

    key: str  # "<area>_<name>"; also the prefix of its pages' element ids
    label: Any  # e.g. 发放花名册
    roll_model: type  # a DistrictRoll
    line_model: type  # a RollLine with `roll` → roll_model
    run_kind: str  # BatchRun.kind of the run that writes a month's rolls
    view_capability: str
    approve_capability: str
    person: str  # the line's FK to the person paid
    beneficiary: str  # the field unique with the month (RollLine.once_per_month)
    category: str  # the line field totals are split by
    category_label: Any
    category_labels: Callable[[], dict]  # code → label, in the order shown
    count_unit: Any  # what a line counts: 人次, 人
    count_label: Any  # the month's count: 发放人次, 补贴人数
    url_names: dict[str, str]  # list, detail, approve, bank_file; hold (where lines can be held)
    bank_file_name: str  # file name prefix
    slug: str = "roll"  # element ids of the month chart: <slug>-chart, <slug>-data
    list_label: Any = ""  # the breadcrumb back to the area's month page
    run_label: Any = ""  # what the month's run is called on its progress card
    person_label: Any = _lazy("姓名")
    line_columns: tuple[Column, ...] = ()
    line_related: tuple[str, ...] = ()  # select_related for a page of lines (for line_columns)
    bank_columns: tuple[tuple[Any, str], ...] = ()  # (header, field path) after the shared ones
    totals_caption: Any = ""
    month_caption: Any = ""  # text, or a callable returning it (the template calls it)
    on_approved: str | Callable | None = None  # on_approved(roll=…) in the approval's transaction (tell residents)

    @property
    def lines_name(self) -> str:
        """The roll's reverse accessor of its lines ("payments")."""
        return self.line_model._meta.get_field("roll").remote_field.related_name


@dataclass(frozen=True)
class RunForm:
    """The month page's form that starts a month's run (templates/rolls/_header.html)."""

    capability: str  # who may start one
    start: Callable  # start(user=, month=) → BatchRun, queued
    started: Any  # the message once queued; %(m)s is the month
    month_label: Any
    button: Any
    help: Any
    testid: str
    prefill: bool = False  # the month shown is proposed in the field


# ---------------------------------------------------------------- reads


def roll_list_for_user(user, kind: RollKind) -> QuerySet:
    """Rolls of the districts that overlap the user's jurisdiction."""
    if not has_capability(user, kind.view_capability):
        return kind.roll_model.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return kind.roll_model.objects.none()
    # A district code's first 6 digits name it; a wider prefix (city, province) covers many.
    return kind.roll_model.objects.select_related("district", "approved_by").filter(
        district__code__startswith=prefix[:6]
    )


def roll_get_for_user(user, kind: RollKind, pk):
    roll = roll_list_for_user(user, kind).filter(pk=pk).first()
    if roll is None:
        raise Http404
    return roll


def roll_sees_whole_district(user, roll) -> bool:
    return roll.district_id.startswith(jurisdiction_prefix(user) or "")


def roll_lines_for_user(user, kind: RollKind, roll) -> QuerySet:
    """The roll's lines within the user's jurisdiction, ready for a page of lines."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return kind.line_model.objects.none()
    return kind.line_model.objects.filter(roll=roll, region__code__startswith=prefix).select_related(
        kind.person, "region", *kind.line_related
    )


def _categories(kind: RollKind, present) -> list[str]:
    """The categories present, in the kind's order (unknown codes last)."""
    order = list(kind.category_labels())
    return sorted(set(present), key=lambda c: (order.index(c) if c in order else len(order), c))


def roll_totals(kind: RollKind, lines: QuerySet) -> tuple[list[dict], dict]:
    """One GROUP BY of a set of lines: what the bank file pays by category
    (rows: category, label, lines, total), and the held lines in all
    ({"lines", "total"})."""
    rows = lines.order_by().values(kind.category, "held").annotate(lines=Count("id"), total=Sum("amount"))
    labels = kind.category_labels()
    paid, held = {}, {"lines": 0, "total": ZERO}
    for r in rows:
        if r["held"]:
            held = {"lines": held["lines"] + r["lines"], "total": held["total"] + (r["total"] or ZERO)}
        else:
            code = r[kind.category]
            paid[code] = {
                "category": code,
                "label": labels.get(code, code),
                "lines": r["lines"],
                "total": r["total"] or ZERO,
            }
    return [paid[c] for c in _categories(kind, paid)], held


def roll_figures(lines: QuerySet) -> dict:
    """What a roll pays (its lines not held: "lines", "total") and, when
    there are any, what it holds ("held", "held_total"): one aggregate."""
    held = Q(held=True)
    row = lines.aggregate(
        paid_lines=Count("id", filter=~held),
        paid_total=Sum("amount", filter=~held),
        held_lines=Count("id", filter=held),
        held_sum=Sum("amount", filter=held),
    )
    figures = {"lines": row["paid_lines"], "total": row["paid_total"] or ZERO}
    if row["held_lines"]:
        figures.update(held=row["held_lines"], held_total=row["held_sum"] or ZERO)
    return figures


def month_totals(kind: RollKind, *, month: dt.date) -> list[dict]:
    """A month's lines and money by district and category, city-wide (for
    services and commands).  Rows: district_id, district, <kind.category>,
    lines, total: one GROUP BY."""
    rows = (
        kind.line_model.objects.filter(roll__month=month)
        .order_by()
        .values("roll__district_id", "roll__district__name", kind.category)
        .annotate(lines=Count("id"), total=Sum("amount"))
        .order_by("roll__district_id", kind.category)
    )
    return [
        {
            "district_id": r["roll__district_id"],
            "district": r["roll__district__name"],
            kind.category: r[kind.category],
            "lines": r["lines"],
            "total": r["total"] or ZERO,
        }
        for r in rows
    ]


def roll_months_for_user(user, kind: RollKind, *, limit: int = 36) -> list[dt.date]:
    """Months with rolls in the user's jurisdiction, newest first."""
    return list(roll_list_for_user(user, kind).order_by("-month").values_list("month", flat=True).distinct()[:limit])


def month_summary_for_user(user, kind: RollKind, month: dt.date) -> dict:
    """A month across the user's jurisdiction: one row per district roll with
    lines and money per category ("cells"), the categories present, and the
    totals.  Two queries: the month's rolls, and one GROUP BY of their lines."""
    rolls = list(roll_list_for_user(user, kind).filter(month=month).order_by("district_id"))
    prefix = jurisdiction_prefix(user) or ""
    rows = []
    if rolls:
        lines = kind.line_model.objects.filter(roll__in=[r.pk for r in rolls])
        if len(prefix) > 6:  # a street's view of its district's rolls; a district or wider sees them whole
            lines = lines.filter(region__code__startswith=prefix)
        rows = [
            {"roll_id": r["roll_id"], "category": r[kind.category], "lines": r["lines"], "total": r["total"] or ZERO}
            for r in lines.order_by().values("roll_id", kind.category).annotate(lines=Count("id"), total=Sum("amount"))
        ]
    categories = _categories(kind, (r["category"] for r in rows))
    labels = kind.category_labels()
    cells: dict[int, dict[str, dict]] = {}
    for r in rows:
        cells.setdefault(r["roll_id"], {})[r["category"]] = r
    districts = []
    for roll in rolls:
        mine = cells.get(roll.pk, {})
        districts.append(
            {
                "roll": roll,
                "cells": [mine.get(c, {"lines": 0, "total": ZERO}) for c in categories],
                "lines": sum(c["lines"] for c in mine.values()),
                "total": sum((c["total"] for c in mine.values()), ZERO),
            }
        )
    category_totals = [
        {
            "category": c,
            "label": labels.get(c, c),
            "lines": sum(r["lines"] for r in rows if r["category"] == c),
            "total": sum((r["total"] for r in rows if r["category"] == c), ZERO),
        }
        for c in categories
    ]
    return {
        "month": month,
        "districts": districts,
        "categories": categories,
        "category_totals": category_totals,
        "lines": sum(d["lines"] for d in districts),
        "total": sum((d["total"] for d in districts), ZERO),
        "rolls": len(rolls),
        "approved": sum(1 for r in rolls if r.status == APPROVED),
    }


def month_chart(summary: dict | None) -> dict | None:
    """Money per district (bars) and category (stacks) for the month's chart;
    amounts travel as decimal strings, only the chart turns them into numbers."""
    if not summary or not summary["districts"]:
        return None
    districts = summary["districts"]
    return {
        "labels": [d["roll"].district.name for d in districts],
        "datasets": [
            {"label": str(t["label"]), "data": [str(d["cells"][i]["total"]) for d in districts]}
            for i, t in enumerate(summary["category_totals"])
        ],
    }


def roll_bank_rows(user, kind: RollKind, roll) -> Iterator[tuple]:
    """The bank file's rows for the user's part of the roll, streamed: name,
    ID number (full only for roles with `full_id_number`), bank account,
    amount, category, community, then the kind's own columns.  Held lines
    are not paid."""
    full = has_capability(user, "full_id_number")
    labels = kind.category_labels()
    paths = (
        f"{kind.person}__name",
        f"{kind.person}__id_number",
        "bank_account",
        "amount",
        kind.category,
        "region__name",
        *(path for _header, path in kind.bank_columns),
    )
    rows = (
        roll_lines_for_user(user, kind, roll)
        .filter(held=False)
        .order_by("region_id", "id")
        .values_list(*paths)
        .iterator(chunk_size=5000)
    )
    for name, id_number, account, amount, category, community, *own in rows:
        yield (
            name,
            id_number if full else rules.mask_id_number(id_number),
            account,
            amount,
            str(labels.get(category, category)),
            community,
            *own,
        )


def month_run_unfinished(*, run_kind: str, month: dt.date) -> BatchRun | None:
    """The run of the month (BatchRun `run_kind`, params month) that keeps the
    month's rolls from approval: one pending or running, else the latest run
    when it did not succeed.  None when the latest run succeeded, or when the
    month has no run at all (lines written without a run, as tests and the
    bench do: nothing recorded says they are partial).  A start refused
    because the month was already running (failed, never started) is not counted."""
    unfinished = (BatchRun.Status.PENDING, BatchRun.Status.RUNNING)
    run = (
        BatchRun.objects.filter(kind=run_kind, params__month=month.strftime("%Y-%m"))
        .exclude(status=BatchRun.Status.FAILED, started_at__isnull=True)
        # one query: any unfinished run first, else the latest
        .order_by(Case(When(status__in=unfinished, then=0), default=1), "-pk")
        .first()
    )
    return run if run is not None and run.status != BatchRun.Status.SUCCEEDED else None


def roll_approval_blocker(*, run_kind: str, month: dt.date) -> str:
    """Why the month's rolls cannot be approved yet ("" when they can): its
    run is unfinished, so a roll may lack lines the run has not written."""
    run = month_run_unfinished(run_kind=run_kind, month=month)
    if run is None:
        return ""
    status = _("已中断（工作进程无响应）") if is_interrupted(run) else run.get_status_display()
    return _(
        "本月的生成任务 #%(id)d 尚未完成（%(status)s，已处理 %(done)d/%(total)d），花名册可能缺少明细；"
        "须等该任务成功完成后才能审核。"
    ) % {"id": run.pk, "status": status, "done": run.done, "total": run.total}


# ---------------------------------------------------------------- writes

# What a run reports for a payable line its approved district roll could not take.
BLOCKED_REASON = _lazy("所在区县花名册已审核，未能加入本月发放，请补发或撤销审核")


def chunk_write(
    *, statements: tuple[str, ...], lines_sql: str, blocked_sql: str, params: dict, run_id: int | None, what: str
) -> dict[str, int]:
    """One chunk of a batch writing a kind's lines, inside the engine's chunk
    transaction: the `statements` first (locks), then the INSERT of the lines,
    then the payable ones an approved roll kept out (`blocked_sql` returns
    (id, ID number) rows).  Returns the counts: the lines added (0 when
    redone) and "blocked", which also go to the run's errors, whose (masked)
    and why."""
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
        cursor.execute(lines_sql, params)
        added = cursor.rowcount
        cursor.execute(blocked_sql, params)
        blocked = cursor.fetchall()
    counts = {"added": added}
    if blocked:
        counts["blocked"] = len(blocked)
        if run_id is not None:
            batchrun_progress(
                run_id=run_id,
                done=0,
                errors=[
                    {"row": None, "reason": f"{what} #{pk}（{rules.mask_id_number(id_number)}）：{BLOCKED_REASON}"}
                    for pk, id_number in blocked
                ],
            )
    return counts


def blocked_message(blocked: int) -> str:
    return _("另有 %(b)d 人应发未发：所在区县花名册已审核，未能加入本月发放，请补发或撤销审核（见错误明细）。") % {
        "b": blocked
    }


def roll_approvable_by(user, kind: RollKind, roll) -> bool:
    """The approver's role and jurisdiction (the roll's district inside it);
    used by the service and by pages to decide whether to offer the button."""
    return (
        has_capability(user, kind.approve_capability)
        and user.region_id is not None
        and roll.district_id.startswith(user.region.prefix)
    )


def _locked_roll(actor, kind: RollKind, roll):
    """The roll under FOR UPDATE (no approval, no line decision meanwhile), in the actor's jurisdiction."""
    roll = kind.roll_model.objects.select_for_update().select_related("district").get(pk=roll.pk)
    if not roll_approvable_by(actor, kind, roll):
        raise DomainError(_("该花名册（%(d)s）不在您的管辖范围内。") % {"d": roll.district.name})
    return roll


@transaction.atomic
def roll_approve(*, actor, kind: RollKind, roll):
    """Approve a district roll: a reviewer of the district or the bureau,
    once, never an empty roll, and never while the month's run is unfinished
    (the roll would keep only the lines written so far, and no later run adds
    to it).  Records what the bank file pays (held lines are not paid and can
    no longer be released) as approved_lines / approved_total."""
    if not has_capability(actor, kind.approve_capability):
        raise DomainError(_("您没有审核发放花名册的权限。"))
    roll = _locked_roll(actor, kind, roll)
    if roll.status == APPROVED:
        raise DomainError(_("该花名册已审核，不能重复审核。"))
    lines = kind.line_model.objects.filter(roll=roll)
    if not lines.exists():
        raise DomainError(_("花名册没有发放明细，不能审核。"))
    # Under the roll's lock: a run created after this point finds the roll approved
    # and reports the lines it cannot add ("blocked") instead of dropping them.
    blocker = roll_approval_blocker(run_kind=kind.run_kind, month=roll.month)
    if blocker:
        raise DomainError(blocker)
    figures = roll_figures(lines)
    roll.status, roll.approved_by, roll.approved_at = APPROVED, actor, timezone.now()
    roll.approved_lines, roll.approved_total = figures["lines"], figures["total"]
    roll.save(update_fields=["status", "approved_by", "approved_at", "approved_lines", "approved_total"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=roll,
        region_code=roll.district_id,
        changes={"step": "approve", "month": roll.month.strftime("%Y-%m"), **figures},
    )
    if kind.on_approved:
        resolve(kind.on_approved)(roll=roll)
    return roll


class HoldDecision:
    RELEASE = "release"  # pay it: the amount is right
    WITHDRAW = "withdraw"  # take it off this roll: what it pays for is to be corrected first


@transaction.atomic
def roll_line_hold_decide(*, actor, kind: RollKind, line, decision: str, reason: str):
    """A reviewer's decision on a held line, before the roll is approved:
    release it into the bank file, or withdraw it from the roll (the line is
    removed; once corrected, a rerun adds it again, held once more if it
    still should be).  Returns the released line, or None when withdrawn."""
    if not has_capability(actor, kind.approve_capability):
        raise DomainError(_("您没有复核发放明细的权限。"))
    reason = (reason or "").strip()
    if decision not in (HoldDecision.RELEASE, HoldDecision.WITHDRAW):
        raise DomainError(_("请选择放行或撤回。"))
    if not reason:
        raise DomainError(_("请填写复核理由。"))
    roll = _locked_roll(actor, kind, kind.roll_model(pk=line.roll_id))
    if roll.status == APPROVED:
        raise DomainError(_("花名册已审核，不能再放行或撤回明细。"))
    line = kind.line_model.objects.select_for_update().filter(pk=line.pk, roll=roll).first()
    if line is None or not line.held:
        raise DomainError(_("该明细未被暂停发放，无需复核。"))
    changes = {
        "held_line": line.pk,
        "decision": decision,
        "reason": reason[:500],
        "amount": line.amount,
        kind.beneficiary: getattr(line, f"{kind.beneficiary}_id"),
        "month": line.month.strftime("%Y-%m"),
    }
    if decision == HoldDecision.RELEASE:
        line.held = False
        line.save(update_fields=["held"])
        kept, audit_action = line, AuditEvent.Action.UPDATE
    else:
        line.delete()
        kept, audit_action = None, AuditEvent.Action.DELETE
    audit_record(actor=actor, action=audit_action, target=roll, region_code=line.region_id, changes=changes)
    return kept


def roll_bank_file(*, user, kind: RollKind, roll, fmt: str):
    """An approved roll's bank file (the user's part of it), as an audited export."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if roll.status != APPROVED:
        raise DomainError(_("花名册审核通过后才能下载银行代发文件。"))
    export_recorded(
        actor=user,
        target_type=roll._meta.label_lower,
        target=roll,
        filters={
            "roll": roll.pk,
            "month": roll.month.strftime("%Y-%m"),
            "district": roll.district_id,
            "format": fmt,
            "full_id_number": has_capability(user, "full_id_number"),
        },
    )
    headers = [
        str(h)
        for h in (
            _lazy("姓名"),
            _lazy("身份证号"),
            _lazy("银行账号"),
            _lazy("金额（元）"),
            kind.category_label,
            _lazy("所在社区/村"),
            *(h for h, _path in kind.bank_columns),
        )
    ]
    rows = roll_bank_rows(user, kind, roll)
    name = f"{kind.bank_file_name}-{roll.month:%Y%m}-{roll.district_id[:6]}"
    if fmt == "xlsx":
        return xlsx_response(filename=name, sheet=_("银行代发"), headers=headers, rows=rows)
    return csv_response(filename=name, headers=headers, rows=rows)


def month_summary_xlsx(*, user, kind: RollKind, summary: dict):
    """The month's summary by district and category, as an audited export."""
    export_recorded(
        actor=user,
        target_type=kind.roll_model._meta.label_lower,
        filters={"month": summary["month"].strftime("%Y-%m"), "summary": True},
    )
    rows = []
    for d in summary["districts"]:
        status = str(d["roll"].get_status_display())
        for t, cell in zip(summary["category_totals"], d["cells"], strict=True):
            rows.append((d["roll"].district.name, str(t["label"]), cell["lines"], cell["total"], status))
        rows.append((d["roll"].district.name, _("小计"), d["lines"], d["total"], status))
    rows.append((_("合计"), "", summary["lines"], summary["total"], ""))
    headers = [
        str(h) for h in (_lazy("区县"), kind.category_label, kind.count_label, _lazy("金额（元）"), _lazy("花名册状态"))
    ]
    return xlsx_response(
        filename=f"{kind.bank_file_name}-{summary['month']:%Y%m}", sheet=str(kind.label), headers=headers, rows=rows
    )


# ---------------------------------------------------------------- pages


class RollViews:
    """The roll pages of one kind: a month's rolls (`month_page`, inside the
    area's own month view), a roll with its lines, its approval, held-line
    decisions and its bank file.  An area mounts `detail`, `approve`, `hold`
    and `bank_file` in its URLconf under the names in `kind.url_names`."""

    def __init__(self, kind: RollKind):
        self.kind = kind
        view, approve = require(kind.view_capability), require(kind.approve_capability)
        self.detail = view(self._detail)
        self.approve = approve(require_POST(self._approve))
        self.hold = approve(require_POST(self._hold))
        self.bank_file = view(self._bank_file)
        self.month_page = view(require_http_methods(["GET", "POST"])(self._month_page))

    def _detail_url(self, roll, **query) -> str:
        url = reverse(self.kind.url_names["detail"], args=[roll.pk])
        return f"{url}?{urlencode(query)}" if query else url

    def list_url(self, month: str, run: BatchRun | None = None) -> str:
        query = {"month": month, **({"run": run.pk} if run else {})}
        return f"{reverse(self.kind.url_names['list'])}?{urlencode(query)}"

    def _month_page(
        self,
        request,
        *,
        template: str,
        run_form: RunForm,
        fallback: Callable | None = None,
        extra: Callable | None = None,
    ):
        """A month's rolls of the user's jurisdiction (with an Excel export),
        and POST: start the month's run (`run_form`), then back here with its progress.  Without a month
        asked for, the newest with rolls, else `fallback()`; `extra(request,
        context)` adds the area's own parts of the page."""
        kind = self.kind
        if request.method == "POST":
            if not has_capability(request.user, run_form.capability):
                raise PermissionDenied
            try:
                month = parse_month(request.POST.get("month"))
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect(kind.url_names["list"])
            try:
                run = run_form.start(user=request.user, month=month)
            except DomainError as exc:  # the service says why (no index yet, the month's figures…)
                messages.error(request, str(exc))
                return redirect(self.list_url(month.strftime("%Y-%m")))
            messages.success(request, run_form.started % {"m": run.params["month"]})
            return redirect(self.list_url(run.params["month"], run))
        months = roll_months_for_user(request.user, kind)
        month = None
        if request.GET.get("month"):
            try:
                month = parse_month(request.GET["month"])
            except DomainError as exc:
                messages.error(request, str(exc))
        month = month or (months[0] if months else (fallback() if fallback else None))
        summary = month_summary_for_user(request.user, kind, month) if month else None
        if summary and request.GET.get("export") == "xlsx":
            return month_summary_xlsx(user=request.user, kind=kind, summary=summary)
        context = {
            "kind": kind,
            "months": months,
            "month": month,
            "summary": summary,
            "chart": month_chart(summary),
            "run_form": run_form,
            "may_run": has_capability(request.user, run_form.capability),
        }
        return render(request, template, {**context, **(extra(request, context) if extra else {})})

    def _detail(self, request, pk: int):
        kind = self.kind
        roll = roll_get_for_user(request.user, kind, pk)
        record_viewed(actor=request.user, target=roll)
        lines = roll_lines_for_user(request.user, kind, roll)
        totals, held = roll_totals(kind, lines)  # totals: what the bank file pays
        category = request.GET.get(kind.category, "")
        category = category if any(t["category"] == category for t in totals) else ""
        held_only = request.GET.get("held") == "1"
        shown = lines.filter(**{kind.category: category}) if category else lines
        shown = shown.filter(held=True) if held_only else shown
        page = keyset_page(
            shown,
            sort=request.GET.get("sort", "region"),
            allowed=("region", "amount", kind.category),
            default="region",
            cursor=request.GET.get("after"),
            size=100,
        )
        may_approve = (
            roll.status != APPROVED and bool(totals or held["lines"]) and roll_approvable_by(request.user, kind, roll)
        )
        # The service refuses too; the page says why beside a disabled button.
        blocker = roll_approval_blocker(run_kind=kind.run_kind, month=roll.month) if may_approve else ""
        labels = kind.category_labels()
        rows = [
            {
                "line": line,
                "own": [(c, c.value(line)) for c in kind.line_columns],
                "person": getattr(line, kind.person),
                "category": labels.get(getattr(line, kind.category)),
            }
            for line in page.items
        ]
        return render(
            request,
            "rolls/roll_detail.html",
            {
                "kind": kind,
                "roll": roll,
                "page": page,
                "rows": rows,
                "totals": totals,
                "held": held,
                "held_only": held_only,
                "lines": sum(t["lines"] for t in totals),
                "total": sum((t["total"] for t in totals), ZERO),
                "category": category,
                "base_query": urlencode(
                    {**({kind.category: category} if category else {}), **({"held": 1} if held_only else {})}
                ),
                "whole_district": roll_sees_whole_district(request.user, roll),
                "can_approve": may_approve and not blocker,
                "approve_blocker": blocker,
                "can_review_held": may_approve and held["lines"] > 0 and "hold" in kind.url_names,
            },
        )

    def _approve(self, request, pk: int):
        roll = roll_get_for_user(request.user, self.kind, pk)
        try:
            roll_approve(actor=request.user, kind=self.kind, roll=roll)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("花名册已审核，可以下载银行代发文件。"))
        return redirect(self._detail_url(roll))

    def _hold(self, request, pk: int, line: int):
        """A reviewer releases a held line into the bank file, or withdraws it from the roll."""
        roll = roll_get_for_user(request.user, self.kind, pk)
        found = roll_lines_for_user(request.user, self.kind, roll).filter(pk=line).first()
        if found is None:
            raise Http404
        try:
            kept = roll_line_hold_decide(
                actor=request.user,
                kind=self.kind,
                line=found,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已放行该明细，将列入银行代发文件。")
                if kept is not None
                else _("已将该明细撤回，不在本月花名册中发放。"),
            )
        return redirect(self._detail_url(roll, held=1))

    def _bank_file(self, request, pk: int, fmt: str):
        roll = roll_get_for_user(request.user, self.kind, pk)
        try:
            return roll_bank_file(user=request.user, kind=self.kind, roll=roll, fmt=fmt)
        except DomainError as exc:  # not approved yet: back to the roll, saying so
            messages.error(request, str(exc))
            return redirect(self._detail_url(roll))


# ---------------------------------------------------------------- API


class RollSerializer(serializers.ModelSerializer):
    """A district roll with its line count and total (an area subclasses it with its model)."""

    lines = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        fields = ["id", "month", "district", "status", "approved_by", "approved_at", "lines", "total"]


class _EmptyInput(serializers.Serializer):
    pass


class RollViewSet(RecordViewMixin, viewsets.ReadOnlyModelViewSet):
    """District rolls of one kind (`roll_kind`) in the caller's jurisdiction:
    list, retrieve, approve by POST, and the bank file once approved."""

    roll_kind: RollKind
    pagination_class = KeysetPagination
    permission_classes = [HasCapability]

    @property
    def capability(self) -> str:  # read by HasCapability
        return self.roll_kind.view_capability

    def get_queryset(self):
        lines = self.roll_kind.lines_name
        return roll_list_for_user(self.request.user, self.roll_kind).annotate(
            lines=Count(lines), total=Sum(f"{lines}__amount")
        )

    @extend_schema(request=_EmptyInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        roll = self.get_object()
        if not has_capability(request.user, self.roll_kind.approve_capability):
            raise ApiPermissionDenied(_("您的角色不能审核花名册。"))
        roll_approve(actor=request.user, kind=self.roll_kind, roll=roll)
        return Response(self.get_serializer(self.get_queryset().get(pk=roll.pk)).data)

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    @action(detail=True, url_path=r"bank-file/(?P<fmt>xlsx|csv)", url_name="bank-file")
    def bank_file(self, request, pk=None, fmt="csv"):
        """The approved roll's bank file (xlsx or csv); refused (400) before approval."""
        return roll_bank_file(user=request.user, kind=self.roll_kind, roll=self.get_object(), fmt=fmt)
