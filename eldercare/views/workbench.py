"""The eldercare workbench's home: what the user may open in the area."""

from __future__ import annotations

from django.shortcuts import render

from civil_affairs.permissions import has_capability, require


@require("eldercare_view")
def index(request):
    may = {
        name: has_capability(request.user, name)
        for name in (
            "allowance_view",
            "homecare_view",
            "settlement_view",
            "institution_view",
            "meal_view",
            "adaptation_view",
            "eldercare_dashboard",
            "visit_list_view",
        )
    }
    return render(request, "eldercare/index.html", {"may": may})
