"""Filters shared by the workbench lists, their Excel exports and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import AuditEvent, Household, Person
from .selectors import household_search, registry_search


def _region_prefix_filter(field):
    def apply(qs, name, value):
        try:
            return qs.filter(**{f"{field}__startswith": rules.region_prefix(value)})
        except ValueError:
            return qs.none()

    return apply


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("身份证号/姓名/电话"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method=_region_prefix_filter("residence_region__code"))
    sex = django_filters.ChoiceFilter(label=_("性别"), choices=Person.Sex.choices)
    disability_grade = django_filters.ChoiceFilter(label=_("残疾等级"), choices=Person.Disability.choices)
    labour_capacity = django_filters.ChoiceFilter(label=_("劳动能力"), choices=Person.LabourCapacity.choices)
    born_after = django_filters.DateFilter(label=_("出生不早于"), field_name="birth_date", lookup_expr="gte")
    born_before = django_filters.DateFilter(label=_("出生不晚于"), field_name="birth_date", lookup_expr="lte")

    class Meta:
        model = Person
        fields = ["q", "region", "sex", "disability_grade", "labour_capacity"]

    def search(self, qs, name, value):
        return registry_search(qs, value)


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("户编号/成员身份证号/姓名/电话"), method="search")
    region = django_filters.CharFilter(label=_("区划代码"), method=_region_prefix_filter("region__code"))

    class Meta:
        model = Household
        fields = ["q", "region"]

    def search(self, qs, name, value):
        return household_search(qs, value)


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditEvent.Action.choices)
    actor = django_filters.CharFilter(label=_("操作人账号"), field_name="actor_label")
    target_type = django_filters.CharFilter(label=_("对象类型"))
    target_id = django_filters.CharFilter(label=_("对象标识"))
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id"]
