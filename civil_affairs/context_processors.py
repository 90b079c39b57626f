from django.urls import reverse

from . import areas
from .permissions import capability_table, has_capability


def _nav_areas(user) -> list[dict]:
    """The areas this member of staff may open, in menu order, each with the
    menu entries their capabilities allow (an area with none is left out)."""
    shown = []
    for area in areas.registered():
        items = [
            {"label": item.label, "url": reverse(item.url_name)}
            for item in area.nav
            if has_capability(user, item.capability)
        ]
        if items:
            shown.append({"key": area.key, "label": area.label, "url": items[0]["url"], "items": items})
    return shown


def portal_services(user) -> list[dict]:
    """The residents' service list: every area's online services.  Where to apply
    is given only to a verified resident (the only one who may apply)."""
    may_apply = getattr(user, "is_authenticated", False) and user.is_verified_resident
    return [
        {
            "key": service.key,
            "area": area.key,
            "area_label": area.label,
            "label": service.label,
            "description": service.description,
            "url": reverse(service.url_name) if may_apply else None,
            "guide_url": reverse(service.guide_url_name) if service.guide_url_name else None,
        }
        for area in areas.registered()
        for service in area.services
    ]


def navigation(request):
    user = getattr(request, "user", None)
    services = {"portal_services": portal_services(user)}
    if user is None or not user.is_authenticated or user.is_resident:
        return services
    return {
        **services,
        "nav_areas": _nav_areas(user),
        # every capability known, the core's and the areas': {% if can.payroll_run %}
        "can": {cap: has_capability(user, cap) for cap in capability_table()},
    }
