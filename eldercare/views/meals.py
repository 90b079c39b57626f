"""Meal-assistance pages: a point's staff record a meal or import the card
reader's export (bad rows listed with row number and reason, good ones kept)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civil_affairs.permissions import has_capability, require
from civil_affairs.selectors import scoped
from civil_affairs.services import DomainError

from ..models import Facility, Meal
from ..services import meals as services


def _points_for(user):
    own = services.point_of(user)
    if own is not None:
        return Facility.objects.filter(pk=own.pk)
    if has_capability(user, "meal_manage"):
        return scoped(Facility.objects.filter(kind=Facility.Kind.MEAL_POINT), user, "region__code")
    return Facility.objects.none()


@require("meal_view")
def meal_index(request):
    points = list(_points_for(request.user).order_by("name")[:200])
    result = None
    if request.method == "POST":
        point = next((p for p in points if str(p.pk) == request.POST.get("point", "")), None)
        try:
            if point is None:
                raise DomainError(_("请选择助餐点。"))
            if request.FILES.get("file"):
                rows = services.rows_from_file(request.FILES["file"])
                source = "file"
            else:
                rows = [(request.POST.get("id_number", ""), request.POST.get("date", ""), request.POST.get("meal", ""))]
                source = "form"
            result = services.meals_record(actor=request.user, point=point, rows=rows, source=source)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("eldercare:meals")
        messages.success(
            request,
            _("共 %(n)d 行：新增 %(a)d，已存在 %(d)d，错误 %(b)d。")
            % {"n": result.rows, "a": result.added, "d": result.duplicates, "b": result.bad},
        )
    recent = list(Meal.objects.filter(point__in=points).select_related("person", "point").order_by("-date", "-id")[:50])
    return render(
        request,
        "eldercare/meals.html",
        {
            "points": points,
            "recent": recent,
            "result": result,
            "may_record": bool(points),
            "may_settle": has_capability(request.user, "settlement_view"),
        },
    )
