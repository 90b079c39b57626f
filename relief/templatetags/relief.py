"""Labels for the codes stored in an application's working (kinds, categories)."""

from django import template
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import AssetRecord, IncomeRecord

register = template.Library()

EXTRA_LABELS = {
    "aged_70": _("70周岁以上老年人"),
    "severe_disability": _("重度残疾人"),
    "minor": _("未成年人"),
    "serious_illness": _("重特大疾病患者"),
}


@register.filter
def income_kind(code):
    return IncomeRecord.Kind(code).label if code in IncomeRecord.Kind.values else code


@register.filter
def asset_kind(code):
    return AssetRecord.Kind(code).label if code in AssetRecord.Kind.values else code


@register.filter
def extra_label(code):
    return EXTRA_LABELS.get(code, code)


@register.filter
def step_badge(state):
    return {
        "draft": "secondary",
        "submitted": "info",
        "returned": "warning",
        "accepted": "primary",
        "investigating": "primary",
        "proposed": "primary",
        "notice": "warning",
        "confirmed": "success",
        "rejected": "danger",
        "withdrawn": "secondary",
    }.get(state, "secondary")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def doc_kind(code):
    from civil_affairs.models import Document

    return Document.Kind(code).label if code in Document.Kind.values else code


@register.filter
def relief_kind(code):
    from ..models import Kind

    return Kind(code).label if code in Kind.values else code
