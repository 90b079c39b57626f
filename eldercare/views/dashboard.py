"""The eldercare dashboard for any region subtree of the user's jurisdiction
(city → districts, district → streets, street → communities): the DOMAIN.md
indicators per child region with totals, Chart.js bars, Excel export."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.exports import xlsx_response
from civil_affairs.models import Region
from civil_affairs.permissions import require
from civil_affairs.selectors import jurisdiction_prefix
from civil_affairs.services import export_recorded

from ..selectors.indicators import NAMES, by_child

SUMMED = {"institutions", "beds", "meal_points", "meals", "allowance_people", "adaptations_done", "care_beds"}


def dashboard_data(region: Region, day) -> dict:
    children = list(Region.objects.filter(parent=region).order_by("code").values_list("code", "name"))
    columns = []
    for name, label, unit in NAMES:
        values = by_child(name, region, day)
        cells = [values.get(code) for code, _name in children]
        total = sum(v or 0 for v in cells) if name in SUMMED else None
        columns.append({"key": name, "label": label, "unit": unit, "cells": cells, "total": total})
    return {"children": children, "columns": columns}


@require("eldercare_dashboard")
def dashboard(request):
    prefix = jurisdiction_prefix(request.user)
    code = request.GET.get("region") or request.user.region_id
    region = Region.objects.filter(code=code).first()
    if region is None or prefix is None or not region.code.startswith(prefix):
        raise Http404
    day = clock.today()
    data = dashboard_data(region, day)
    if request.GET.get("export") == "xlsx":
        export_recorded(actor=request.user, target_type="eldercare.dashboard", filters={"region": region.code})
        headers = [_("区划")] + [f"{c['label']}（{c['unit']}）" for c in data["columns"]]
        rows = [[name] + [c["cells"][i] for c in data["columns"]] for i, (_code, name) in enumerate(data["children"])]
        return xlsx_response(filename=f"eldercare-{region.code}", sheet=_("养老服务"), headers=headers, rows=rows)
    charts = [
        {
            "id": f"eldercare-{c['key']}",
            "label": f"{c['label']}（{c['unit']}）",
            "labels": [name for _code, name in data["children"]],
            "data": [str(v or 0) for v in c["cells"]],
        }
        for c in data["columns"]
    ]
    rows = [
        {"code": code, "name": name, "cells": [c["cells"][i] for c in data["columns"]]}
        for i, (code, name) in enumerate(data["children"])
    ]
    return render(
        request,
        "eldercare/dashboard.html",
        {"region": region, "columns": data["columns"], "rows": rows, "charts": charts, "day": day},
    )
