"""Reads for the meal-assistance settlements, scoped to the user's
jurisdiction by the point's region (like the home-care settlements)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from civil_affairs.months import next_month_start
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import scoped

from ..models import Meal, MealSettlement

ELDERS_SHOWN = 2000  # a detail page's elders (the bank file has them all)


def meal_settlement_list_for_user(user) -> QuerySet[MealSettlement]:
    if not has_capability(user, "settlement_view"):
        return MealSettlement.objects.none()
    return scoped(
        MealSettlement.objects.select_related("point", "district", "approved_by"), user, "point__region__code"
    )


def meal_settlement_get_for_user(user, pk) -> MealSettlement:
    found = meal_settlement_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def settlement_elders(settlement: MealSettlement, limit: int | None = None) -> list[dict]:
    """Per elder served at the point in the month: meals, subsidised meals, subsidy (one GROUP BY
    over the (point, date) index)."""
    rows = (
        Meal.objects.filter(
            point_id=settlement.point_id, date__gte=settlement.month, date__lt=next_month_start(settlement.month)
        )
        .values("person_id", "person__name", "person__id_number")
        .annotate(meals=Count("id"), subsidised=Count("id", filter=Q(subsidy__gt=0)), amount=Sum("subsidy"))
        .order_by("person__name", "person_id")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "name": r["person__name"],
            "id_number": r["person__id_number"],
            "meals": r["meals"],
            "subsidised": r["subsidised"],
            "amount": r["amount"],
        }
        for r in rows
    ]
