"""Reads for purchased home care, scoped: provider staff see only their own
provider's orders and visits; other staff their jurisdiction's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from civil_affairs.models import Role
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import scoped

from .. import rules
from ..models import HomeCareOrder, Settlement, Visit


def _provider_id(user):
    member = getattr(user, "eldercare_provider", None)
    return member.provider_id if member is not None else None


def order_list_for_user(user) -> QuerySet[HomeCareOrder]:
    if not has_capability(user, "homecare_view"):
        return HomeCareOrder.objects.none()
    qs = HomeCareOrder.objects.select_related("person", "provider", "region")
    if user.role == Role.INSTITUTION_STAFF:
        provider = _provider_id(user)
        return qs.filter(provider_id=provider) if provider else qs.none()
    return scoped(qs, user, "region__code")


def visit_list_for_user(user) -> QuerySet[Visit]:
    if not has_capability(user, "homecare_view"):
        return Visit.objects.none()
    qs = Visit.objects.select_related("order__person", "order__region", "provider", "worker")
    if user.role == Role.INSTITUTION_STAFF:
        provider = _provider_id(user)
        return qs.filter(provider_id=provider) if provider else qs.none()
    return scoped(qs, user, "order__region__code")


def visit_get_for_user(user, pk) -> Visit:
    visit = visit_list_for_user(user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


def usage_for_order(order: HomeCareOrder) -> dict:
    """The month's spending against the allowance and the alert level reached (80/90/100 %)."""
    used = order.visits.filter(status=Visit.Status.DONE).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    return {
        "used": used,
        "allowance": order.allowance,
        "alert": rules.usage_alert(used=used, allowance=order.allowance),
    }


def settlement_list_for_user(user) -> QuerySet[Settlement]:
    if not has_capability(user, "settlement_view"):
        return Settlement.objects.none()
    return scoped(
        Settlement.objects.select_related("provider", "district", "approved_by"), user, "provider__region__code"
    )


def settlement_get_for_user(user, pk) -> Settlement:
    found = settlement_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def settlement_elders(settlement: Settlement) -> list[dict]:
    """Per elder: accepted visits, earned, allowance, paid (capped): one GROUP BY."""
    rows = (
        Visit.objects.filter(provider_id=settlement.provider_id, month=settlement.month, status="done", flagged=False)
        .values("order__person__name", "order__person__id_number", "order__allowance")
        .annotate(earned=Sum("amount"))
        .order_by("order__person__name")
    )
    return [
        {
            "name": r["order__person__name"],
            "id_number": r["order__person__id_number"],
            "allowance": r["order__allowance"],
            "earned": r["earned"],
            "paid": min(r["earned"], r["order__allowance"]),
        }
        for r in rows
    ]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)
