"""Template tags through which core and area templates show the service
experience without their views knowing of it: the unread count, the case
timeline, print links, the rating box and a guide's address."""

from django import template
from django.urls import NoReverseMatch, reverse

from civil_affairs import areas

from .. import conf, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """The header's unread count, once per request."""
    request = context.get("request")
    if request is None:
        return 0
    if not hasattr(request, "_unread_messages"):
        request._unread_messages = selectors.unread_count(request.user)
    return request._unread_messages


@register.inclusion_tag("service/_timeline.html")
def case_timeline(target, deadline=None, for_resident=False):
    return {
        "steps": selectors.timeline(target, for_resident=for_resident),
        "deadline": deadline,
        "for_resident": for_resident,
    }


@register.inclusion_tag("service/_print_links.html")
def print_links(area_key, target, for_resident=False):
    """Links to the printable documents the case has by now."""
    route = "service:resident_print" if for_resident else "service:print"
    links = [
        {"label": d.label, "url": reverse(route, args=[area_key, target.pk, d.key]), "key": d.key}
        for d in selectors.documents_for(area_key, for_resident=for_resident)
        if d.available is None or areas.resolve(d.available)(target)
    ]
    return {"links": links}


@register.simple_tag
def supervision_phone() -> str:
    return conf.supervision_phone()


@register.simple_tag
def notice_place():
    return conf.notice_place()


@register.inclusion_tag("service/_rating.html", takes_context=True)
def rating_box(context, area_key, target):
    user = context["request"].user
    rating_target = selectors.rating_target(area_key, user, target.pk)
    return {
        "target": rating_target,
        "rating": selectors.rating_of(rating_target),
        "area_key": area_key,
        "pk": target.pk,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def guide_url(area_key, key=""):
    """The guide of `key` (or the area's guides), or "" when the area has none."""
    area = areas.get(area_key)
    if area is None or area.guides is None:
        return ""
    try:
        return reverse("service:guide", args=[area_key, key]) if key else reverse("service:guides", args=[area_key])
    except NoReverseMatch:
        return ""
