"""Visits to the vulnerable elderly (探访关爱): the community worker's queue
(overdue visits flagged), an elder's page (why listed, the visits, a form to
record one), a referral to relief's temporary assistance from a visit, and the
bureau's button that builds the list now (it also runs nightly)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs import clock
from civil_affairs.exports import xlsx_response
from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.services import DomainError, export_recorded, record_viewed

from ..models import VulnerableReason, VulnerableVisit
from ..selectors import vulnerable as selectors
from ..services import vulnerable as services


def _reasons(entry) -> list[str]:
    labels = dict(VulnerableReason.choices)
    return [str(labels.get(r, r)) for r in entry.reasons]


@require("visit_list_view")
def queue(request):
    today = clock.today()
    overdue_only = request.GET.get("overdue") == "1"
    if request.GET.get("export") == "xlsx":
        return _export(request, overdue_only=overdue_only, today=today)
    entries = selectors.queue_for_user(request.user, overdue_only=overdue_only, today=today)
    for entry in entries:
        entry.masked_id = mask_id_number(entry.person.id_number)
        entry.reason_labels = _reasons(entry)
    return render(
        request,
        "eldercare/vulnerable.html",
        {
            "entries": entries,
            "counts": selectors.queue_counts(request.user, today=today),
            "overdue_only": overdue_only,
            "today": today,
            "limit": selectors.QUEUE_LIMIT,
            "may_build": has_capability(request.user, "visit_list_build"),
        },
    )


def _export(request, *, overdue_only: bool, today):
    """The whole queue of the jurisdiction (the core's export cap), ID numbers masked, audited."""
    export_recorded(actor=request.user, target_type="eldercare.vulnerableelder", filters={"overdue": overdue_only})
    entries = selectors.entry_list_for_user(request.user).filter(ended_on__isnull=True)
    if overdue_only:
        entries = entries.filter(next_due__lt=today)
    labels = dict(VulnerableReason.choices)
    rows = (
        [
            e.person.name,
            mask_id_number(e.person.id_number),
            e.region.name,
            "、".join(str(labels.get(r, r)) for r in e.reasons),
            e.listed_on,
            e.last_visit_on,
            e.next_due,
            max((today - e.next_due).days, 0),
        ]
        for e in entries.order_by("next_due", "id").iterator(chunk_size=2000)
    )
    headers = [
        _("老人"),
        _("公民身份号码"),
        _("社区/村"),
        _("列入原因"),
        _("列入日期"),
        _("最近探访"),
        _("下次探访截止"),
        _("逾期天数"),
    ]
    return xlsx_response(filename="vulnerable-elders", sheet=_("探访关爱"), headers=headers, rows=rows)


@require("visit_list_build")
@require_POST
def build(request):
    try:
        run = services.visit_list_build_start(user=request.user)
        messages.success(request, _("已开始生成今天的探访关爱名单（任务 #%(id)d），完成后刷新本页。") % {"id": run.pk})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:vulnerable")


def _entry_page(request, entry, *, typed=None, status=200):
    """The elder's page; `typed` (a refused visit's form) is shown again so nothing typed is lost."""
    today = clock.today()
    visits = list(selectors.visits_of(entry))
    labels = dict(VulnerableVisit.Check.choices)
    for visit in visits:
        visit.check_rows = [(str(services.CHECK_ITEMS[k]), labels.get(v, v), v) for k, v in visit.checks.items()]
    typed = typed or {}
    return render(
        request,
        "eldercare/vulnerable_entry.html",
        {
            "entry": entry,
            "masked_id": mask_id_number(entry.person.id_number),
            "reason_labels": _reasons(entry),
            "overdue": entry.ended_on is None and entry.next_due < today,
            "visits": visits,
            "today": today,
            "typed": typed,
            "check_items": [(k, str(v), typed.get(f"check_{k}", "")) for k, v in services.CHECK_ITEMS.items()],
            "check_choices": VulnerableVisit.Check.choices,
            "may_record": entry.ended_on is None and has_capability(request.user, "visit_record"),
        },
        status=status,
    )


@require("visit_list_view")
def entry_detail(request, pk: int):
    entry = selectors.entry_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=entry)
    return _entry_page(request, entry)


@require("visit_record")
@require_POST
def visit_create(request, pk: int):
    entry = selectors.entry_get_for_user(request.user, pk)
    post = request.POST
    try:
        try:
            visited_on = dt.date.fromisoformat(post.get("visited_on", "").strip())
        except ValueError:
            raise DomainError(_("请填写探访日期（YYYY-MM-DD）。")) from None
        services.visit_record(
            actor=request.user,
            entry=entry,
            visited_on=visited_on,
            seen=post.get("seen") == "yes",
            checks={k: post.get(f"check_{k}", "") for k in services.CHECK_ITEMS},
            notes=post.get("notes", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return _entry_page(request, entry, typed=post, status=400)
    messages.success(request, _("探访记录已保存。"))
    return redirect("eldercare:vulnerable_entry", pk=entry.pk)


@require("visit_record")
@require_POST
def visit_refer(request, pk: int):
    visit = selectors.visit_get_for_user(request.user, pk)
    try:
        application = services.visit_refer_relief(
            actor=request.user,
            visit=visit,
            reason=request.POST.get("reason", ""),
            temporary_type=request.POST.get("temporary_type", "expenditure"),
        )
        messages.success(
            request, _("已转介临时救助，救助申请 %(n)s 已建立（草稿），由街道受理。") % {"n": application.number}
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:vulnerable_entry", pk=visit.entry_id)
