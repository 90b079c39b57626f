"""Home adaptations and family care beds: the list with each case's deadline and
overdue flag, the counter application, the case page with its steps
(assess, order, complete with photos, accept, pay), the photos served after a
permission check, and the residents' requests for an ability assessment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs import clock
from civil_affairs.exports import xlsx_response
from civil_affairs.models import AuditEvent
from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.selectors import person_list_for_user
from civil_affairs.services import DomainError, audit_record, export_recorded, record_viewed

from ..models import AbilityLevel, Adaptation, AssessmentRequest
from ..selectors import adaptations as selectors
from ..services import adaptations as services

NEED_ROWS = 6  # blank lines of the needs list form
STEPS = {
    "assess": "adaptation_manage",
    "reject": "adaptation_manage",
    "order": "adaptation_manage",
    "complete": "adaptation_manage",
    "accept": "adaptation_accept",
    "send-back": "adaptation_accept",
    "pay": "adaptation_accept",
}


EXPORT_LIMIT = 50_000


def _export(request):
    """The filtered list as Excel (ID numbers masked, formulas escaped by the core, audited with the filters)."""
    qs = (
        selectors.adaptation_list_filtered(request.user, request.GET)
        .select_related("contractor")
        .order_by("-id")[:EXPORT_LIMIT]
    )
    export_recorded(
        actor=request.user,
        target_type="eldercare.adaptation",
        filters={k: request.GET.get(k, "") for k in ("kind", "state", "overdue")},
    )
    today = clock.today()
    headers = [
        _("申请时间"),
        _("老人"),
        _("公民身份号码"),
        _("类型"),
        _("所在社区/村"),
        _("状态"),
        _("本步期限"),
        _("是否逾期"),
        _("补助上限（元）"),
        _("施工单位"),
        _("工单预算（元）"),
        _("支付金额（元）"),
    ]
    rows = (
        [
            timezone.localtime(a.applied_at).strftime("%Y-%m-%d %H:%M"),
            a.person.name,
            mask_id_number(a.person.id_number),
            a.get_kind_display(),
            a.region.name,
            a.get_state_display(),
            a.due_on.isoformat() if a.due_on else "",
            _("是") if a.due_on and a.due_on < today else "",
            a.cap,
            a.contractor.name if a.contractor else "",
            a.budget,
            a.paid_amount,
        ]
        for a in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(filename="adaptations", sheet=_("适老化改造"), headers=headers, rows=rows)


@require("adaptation_view")
def adaptation_list(request):
    if request.GET.get("export") == "xlsx":
        return _export(request)
    # newest first by id (ids follow the application time; the primary key's index serves the order)
    rows = list(selectors.adaptation_list_filtered(request.user, request.GET).order_by("-id")[:200])
    today = clock.today()
    for row in rows:
        row.masked_id = mask_id_number(row.person.id_number)
        row.overdue = row.due_on is not None and row.due_on < today
    return render(
        request,
        "eldercare/adaptations.html",
        {
            "rows": rows,
            "kinds": Adaptation.Kind.choices,
            "states": Adaptation.State.choices,
            "filters": request.GET,
            "may_manage": has_capability(request.user, "adaptation_manage"),
            "requests_open": selectors.assessment_request_list_for_user(request.user)
            .filter(state=AssessmentRequest.State.REQUESTED)
            .count(),
        },
    )


@require("adaptation_manage")
def adaptation_new(request):
    """A caseworker takes an application at the counter (the elder found by ID number)."""
    form = {"id_number": "", "kind": "adaptation", "reason": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        # looked up within the user's jurisdiction: a number elsewhere reads as unknown (no oracle)
        person = person_list_for_user(request.user).filter(id_number=form["id_number"].upper()).first()
        try:
            if person is None:
                raise DomainError(_("未找到该身份证号码对应的人员，请先在户籍登记中录入。"))
            adaptation = services.adaptation_apply(
                actor=request.user, person=person, kind=form["kind"], reason=form["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已受理，请在 %(d)s 前上门评估。") % {"d": adaptation.assess_due})
            return redirect("eldercare:adaptation", pk=adaptation.pk)
    return render(request, "eldercare/adaptation_new.html", {"form": form, "kinds": Adaptation.Kind.choices})


@require("adaptation_view")
def adaptation_detail(request, pk: int):
    adaptation = selectors.adaptation_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=adaptation)
    full = has_capability(request.user, "full_id_number")
    return render(
        request,
        "eldercare/adaptation_detail.html",
        {
            "a": adaptation,
            "id_number": adaptation.person.id_number if full else mask_id_number(adaptation.person.id_number),
            "needs": list(adaptation.needs.all()),
            "photos": list(adaptation.photos.all()),
            "steps": selectors.steps(adaptation),
            "contractors": selectors.contractors_for(adaptation) if adaptation.state == "assessed" else [],
            "need_rows": range(1, NEED_ROWS + 1),
            "may_manage": has_capability(request.user, "adaptation_manage"),
            "may_accept": has_capability(request.user, "adaptation_accept")
            and adaptation.ordered_by_id != request.user.pk,
        },
    )


@require("adaptation_view")
@require_POST
def adaptation_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    adaptation = selectors.adaptation_get_for_user(request.user, pk)
    user, post = request.user, request.POST
    try:
        if step == "assess":
            needs = [
                (post.get(f"item_{n}", ""), post.get(f"qty_{n}", ""), post.get(f"cost_{n}", ""))
                for n in range(1, NEED_ROWS + 1)
            ]
            services.adaptation_assess(actor=user, adaptation=adaptation, needs=needs, note=post.get("note", ""))
        elif step == "reject":
            services.adaptation_reject(actor=user, adaptation=adaptation, reason=post.get("reason", ""))
        elif step == "order":
            contractor = selectors.contractor_offered(adaptation, post.get("contractor", ""))
            services.adaptation_order(
                actor=user, adaptation=adaptation, contractor=contractor, budget=post.get("budget", "")
            )
        elif step == "complete":
            services.adaptation_complete(
                actor=user,
                adaptation=adaptation,
                photos=request.FILES.getlist("photos"),
                actual_cost=post.get("actual_cost", ""),
                note=post.get("note", ""),
            )
        elif step == "accept":
            services.adaptation_accept(actor=user, adaptation=adaptation, note=post.get("note", ""))
        elif step == "send-back":
            services.adaptation_send_back(actor=user, adaptation=adaptation, note=post.get("note", ""))
        else:
            services.adaptation_pay(
                actor=user,
                adaptation=adaptation,
                amount=post.get("amount") or None,
                reference=post.get("reference", ""),
            )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理。"))
    return redirect("eldercare:adaptation", pk=adaptation.pk)


def _serve_photo(request, photo):
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        target=photo,
        region_code=photo.adaptation.region_id,
        changes={"adaptation": photo.adaptation_id, "photo": photo.original_name},
    )
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require("adaptation_view")
def adaptation_photo(request, pk: int):
    return _serve_photo(request, selectors.photo_get_for_user(request.user, pk))


@require("adaptation_view")
def assessment_requests(request):
    rows = list(selectors.assessment_request_list_for_user(request.user).order_by("state", "due", "id")[:200])
    today = clock.today()
    for row in rows:
        row.masked_id = mask_id_number(row.person.id_number)
        row.overdue = row.state == "requested" and row.due < today
    return render(
        request,
        "eldercare/adaptation_assessment_requests.html",
        {
            "rows": rows,
            "levels": AbilityLevel.choices,
            "may_manage": has_capability(request.user, "adaptation_manage"),
            "today": today,
        },
    )


@require("adaptation_manage")
@require_POST
def assessment_request_record(request, pk: int):
    found = selectors.assessment_request_get_for_user(request.user, pk)
    post = request.POST
    try:
        try:
            level = int(post.get("level", ""))
            assessed_on = dt.date.fromisoformat(post.get("assessed_on", ""))
            score = int(post["score"]) if post.get("score", "").strip() else None
        except ValueError:
            raise DomainError(_("请填写评估等级、评估日期（如 2026-12-15）和得分（整数）。")) from None
        services.assessment_request_done(
            actor=request.user,
            request=found,
            level=level,
            assessor=post.get("assessor", ""),
            assessed_on=assessed_on,
            score=score,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评估结果已登记。"))
    return redirect("eldercare:assessment_requests")
