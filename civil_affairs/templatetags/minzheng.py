from django import template
from django.utils.http import urlencode

from .. import rules, text
from ..money import money

register = template.Library()


@register.filter
def label(obj, field_name):
    """`{{ task|label:"kind" }}`: the choice's label, as get_kind_display gives it, cached per language."""
    return text.choice_label(obj, field_name)


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
    """Money, the one format of every page and language: ¥1,540.00 (−¥5.00 when negative)."""
    if value in (None, ""):
        return ""
    amount = money(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


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


# Punctuation between translated fragments follows the active language
# (civil_affairs/text.py): "退回原因：…" / "Reason for return: …".


@register.filter
def labelled(label, value):
    """{{ _("退回原因")|labelled:application.return_reason }} → 退回原因：…"""
    return text.labelled(label, value)


@register.simple_tag
def punctuation(name):
    """A mark between fragments kept in their own markup: {% punctuation "colon" %}
    after <strong>…</strong>, "words" between names, "clauses" between sentences."""
    return text.mark(name)
