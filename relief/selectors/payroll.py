"""Reads of payroll rolls: a reviewer sees their district's, the bureau all."""
from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from ..models import Payment, PayrollRoll


def roll_list_for_user(user) -> QuerySet[PayrollRoll]:
    """Rolls of districts that overlap the user's jurisdiction (a street
    caseworker sees their district's roll, filtered to their street's lines)."""
    if not has_capability(user, "payroll_view"):
        return PayrollRoll.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return PayrollRoll.objects.none()
    qs = PayrollRoll.objects.select_related("district", "approved_by")
    return qs.filter(district__code__startswith=prefix[:6])


def roll_get_for_user(user, pk) -> PayrollRoll:
    roll = roll_list_for_user(user).filter(pk=pk).first()
    if roll is None:
        raise Http404
    return roll


def roll_payments_for_user(user, roll: PayrollRoll) -> QuerySet[Payment]:
    """The roll's lines within the user's jurisdiction."""
    prefix = jurisdiction_prefix(user) or "-"
    return (Payment.objects.filter(roll=roll, region__code__startswith=prefix)
            .select_related("recipient", "region", "benefit__household"))


def roll_totals(payments: QuerySet[Payment]) -> list[dict]:
    """Lines and money by kind, one GROUP BY."""
    return list(payments.order_by().values("kind").annotate(lines=Count("id"), total=Sum("amount")).order_by("kind"))


def month_summaries_for_user(user) -> list[dict]:
    """Per month and district: lines, money and approval, newest month first."""
    rolls = roll_list_for_user(user).annotate(lines=Count("payments"), total=Sum("payments__amount"))
    return list(rolls.order_by("-month", "district_id")[:120])
