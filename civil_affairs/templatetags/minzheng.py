from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.http import urlencode

from .. import rules

register = template.Library()


@register.filter
def mask_id(value):
    return rules.mask_id_number(value or "")


@register.filter
def age(birth_date):
    """Age today: what roles without full ID numbers see instead of the birth date."""
    from .. import clock

    return rules.age_on(birth_date, clock.today()) if birth_date else ""


@register.filter
def batch_kind(kind):
    from ..batches import kind_label

    return kind_label(kind or "")


@register.filter
def batch_count_label(name):
    from ..batches import count_label

    return count_label(name or "")


@register.filter
def mask_name(value):
    return rules.mask_name(value or "")


@register.filter
def mask_phone(value):
    return rules.mask_phone(value or "")


@register.filter
def yuan(value):
    """Money in Chinese convention: ¥1,234.50."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"¥{amount:,.2f}"


@register.simple_tag
def sort_url(base_query, current, field):
    """Link that sorts by `field`, flipping direction when it is the current sort."""
    new = f"-{field}" if current == field else field
    query = f"{base_query}&" if base_query else ""
    return "?" + query + urlencode({"sort": new})


@register.simple_tag
def sort_mark(current, field):
    if current == field:
        return "▲"
    if current == f"-{field}":
        return "▼"
    return ""
