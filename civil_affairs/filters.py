"""Filters shared by the workbench lists, their Excel exports and the API."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from . import audit_words, clock, rules, services
from .models import AuditEvent, Household, Person, Region
from .selectors import (
    household_search,
    id_search_allowed,
    may_search_id_prefix,
    registry_search,
    search_parse,
    search_result_count,
    seconds_to_next_window,
)

# The search syntax (pages show it under the form: _id_search_help.html; the API docs here).
ID_SEARCH_HELP = _(
    "姓名或电话；身份证号须输入完整的18位号码，或“姓名 身份证号后4位”（中间加空格，如：张三 1234）。"
    "只有可查看完整身份证号的角色可按号码开头查询。每分钟按身份证号查询的次数有限，且都记入审计日志。"
)


def _region_prefix_filter(field):
    """A region by its 12-digit code or by its name (the picker's suggestions,
    region_suggest): its subtree.  A name several regions share matches all of
    them; `qs` is already narrowed to the user's jurisdiction."""

    def apply(qs, name, value):
        value = value.strip()
        codes = [value] if value.isdigit() else list(Region.objects.filter(name=value).values_list("code", flat=True))
        match = Q()
        for code in codes:
            try:
                match |= Q(**{f"{field}__startswith": rules.region_prefix(code)})
            except ValueError:
                pass
        return qs.filter(match) if match else qs.none()

    return apply


class IdSearchThrottled(Throttled):
    """Over SEARCH_RATE_PER_MINUTE: a 429 with Retry-After in the API, a message on pages."""

    def __init__(self, *, wait: int):
        super().__init__(detail=gettext("按身份证号查询过于频繁，请 %(n)d 秒后再试。") % {"n": wait})
        self.wait = wait  # DRF's handler sends it as Retry-After


class IdSearchFilterSet(django_filters.FilterSet):
    """A filter set whose `q` may look up ID numbers: such a search counts against
    the user's per-minute limit (over it: DRF's Throttled, a 429 in the API; the
    pages catch it) and leaves one audit event per request with the rows found.
    `search_notice` tells a page why an ID query found nothing."""

    search_function = None  # registry_search or household_search

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = getattr(self.request, "user", None)
        self.id_search = None
        self.search_notice = ""

    def search(self, qs, name, value):
        search = search_parse(value)
        if search.by_id_number:
            if not id_search_allowed(self.user):
                raise IdSearchThrottled(wait=seconds_to_next_window())
            self.id_search = search
            if search.kind == "id_prefix" and not may_search_id_prefix(self.user):
                self.search_notice = gettext(
                    "按身份证号查询请输入完整的18位号码，或输入“姓名 身份证号后4位”（如：张三 1234）。"
                )
        return self.search_function(qs, search, user=self.user)

    def filter_queryset(self, queryset):
        qs = super().filter_queryset(queryset)
        if self.id_search is not None:
            services.person_search_recorded(
                actor=self.user,
                query_kind=self.id_search.kind,
                masked=self.id_search.masked,
                results=search_result_count(qs),
            )
        return qs


class PersonFilter(IdSearchFilterSet):
    q = django_filters.CharFilter(label=_("身份证号/姓名/电话"), method="search", help_text=ID_SEARCH_HELP)
    region = django_filters.CharFilter(
        label=_("区划"), method=_region_prefix_filter("residence_region__code"), help_text=_("区划名称或12位代码")
    )
    sex = django_filters.ChoiceFilter(label=_("性别"), choices=Person.Sex.choices)
    disability_grade = django_filters.ChoiceFilter(label=_("残疾等级"), choices=Person.Disability.choices)
    labour_capacity = django_filters.ChoiceFilter(label=_("劳动能力"), choices=Person.LabourCapacity.choices)
    age_min = django_filters.NumberFilter(label=_("年龄不小于"), method="age_at_least", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(label=_("年龄不大于"), method="age_at_most", min_value=0, max_value=150)
    # Exact dates narrow a birth date to the day (digits 7–14 of the ID number):
    # offered only to roles that see full numbers (removed in __init__ otherwise).
    born_after = django_filters.DateFilter(label=_("出生不早于"), field_name="birth_date", lookup_expr="gte")
    born_before = django_filters.DateFilter(label=_("出生不晚于"), field_name="birth_date", lookup_expr="lte")

    search_function = staticmethod(registry_search)

    class Meta:
        model = Person
        fields = ["q", "region", "sex", "disability_grade", "labour_capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_search_id_prefix(self.user):
            del self.filters["born_after"], self.filters["born_before"]

    def age_at_least(self, qs, name, value):
        return qs.filter(birth_date__lte=_years_before(clock.today(), int(value)))

    def age_at_most(self, qs, name, value):
        # at most N years old: born after the day N + 1 years ago
        return qs.filter(birth_date__gt=_years_before(clock.today(), int(value) + 1))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


class HouseholdFilter(IdSearchFilterSet):
    q = django_filters.CharFilter(label=_("户编号/成员身份证号/姓名/电话"), method="search", help_text=ID_SEARCH_HELP)
    region = django_filters.CharFilter(
        label=_("区划"), method=_region_prefix_filter("region__code"), help_text=_("区划名称或12位代码")
    )

    search_function = staticmethod(household_search)

    class Meta:
        model = Household
        fields = ["q", "region"]


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditEvent.Action.choices)
    actor = django_filters.CharFilter(label=_("操作人账号"), field_name="actor_label")
    # the types present in the log, by name (one cached query: audit_words.target_types)
    target_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=audit_words.target_types)
    target_id = django_filters.CharFilter(label=_("对象标识"))
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id"]
