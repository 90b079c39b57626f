"""Home-care pages: visits (the provider's worker checks in and out with the
elder's confirmation, or reports a missed visit with a reason; a caseworker
reviews flagged visits) and the monthly settlements (run, approve, bank file)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.services import DomainError, record_viewed

from ..models import ServiceItem
from ..selectors import homecare as selectors
from ..services import homecare as services
from ..services import settlement as settlement_services
from .settlement_pages import SettlementPages


@require("homecare_view")
def visit_list(request):
    visits = selectors.visit_list_for_user(request.user)
    if request.GET.get("flagged") == "1":
        visits = visits.filter(flagged=True)
    visits = list(visits.order_by("-planned_start", "-id")[:100])
    return render(
        request,
        "eldercare/visits.html",
        {
            "visits": visits,
            "flagged_only": request.GET.get("flagged") == "1",
            "provider": services.provider_of(request.user),
        },
    )


@require("homecare_view")
def visit_detail(request, pk: int):
    visit = selectors.visit_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=visit)
    provider = services.provider_of(request.user)
    is_worker = provider is not None and provider.pk == visit.provider_id
    return render(
        request,
        "eldercare/visit_detail.html",
        {
            "visit": visit,
            "masked_id": mask_id_number(visit.order.person.id_number),
            "usage": selectors.usage_for_order(visit.order),
            "items": ServiceItem.objects.filter(provider_id=visit.provider_id).order_by("code"),
            "is_worker": is_worker,
            "may_review": has_capability(request.user, "homecare_manage") and visit.flagged,
            "flag_labels": [services.FLAG_LABELS.get(f, f) for f in visit.flag_reasons],
        },
    )


@require("homecare_view")
@require_POST
def visit_action(request, pk: int, action: str):
    visit = selectors.visit_get_for_user(request.user, pk)
    user, post = request.user, request.POST
    try:
        if action == "check-in":
            services.visit_check_in(actor=user, visit=visit)
            messages.success(request, _("已签到。"))
        elif action == "check-out":
            quantities = {}
            for key, value in post.items():
                if key.startswith("qty_") and value.strip():
                    try:
                        quantities[key[4:]] = Decimal(value)
                    except InvalidOperation:
                        raise DomainError(_("数量应为数字。")) from None
            services.visit_check_out(
                actor=user, visit=visit, quantities=quantities, elder_confirmed=post.get("elder_confirmed") == "on"
            )
            messages.success(request, _("已签退，服务记录已保存。"))
        elif action == "missed":
            services.visit_missed(actor=user, visit=visit, reason=post.get("reason", ""))
            messages.success(request, _("已登记未上门。"))
        elif action in ("accept", "reject"):
            services.visit_review(actor=user, visit=visit, accept=action == "accept", note=post.get("note", ""))
            messages.success(request, _("核查意见已保存。"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:visit", pk=visit.pk)


settlement_pages = SettlementPages(
    list_for_user=selectors.settlement_list_for_user,
    get_for_user=selectors.settlement_get_for_user,
    elders=selectors.settlement_elders,
    start=settlement_services.settlement_start,
    approve_service=settlement_services.settlement_approve,
    bank_file_service=settlement_services.settlement_bank_file,
    order=("-month", "district_id", "provider_id"),
    list_url="eldercare:settlements",
    detail_url="eldercare:settlement",
    list_template="eldercare/settlements.html",
    detail_template="eldercare/settlement_detail.html",
    started=gettext_noop("已开始结算 %(m)s。"),
)
settlement_list, settlement_detail = settlement_pages.list, settlement_pages.detail
settlement_approve, settlement_bank_file = settlement_pages.approve, settlement_pages.bank_file
