"""What childcare shows on the core's person-360 and household pages: a
child's recognition cases, allowance and registry entry, only to users who may
open that child's record (selectors.child_access); everyone else sees nothing
of it (a child's record is among the most sensitive).  A fixed number of
queries per page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from civil_affairs.areas import Row
from civil_affairs.models import HouseholdMember

from . import rules
from .models import Allowance, Case, Child
from .selectors import child_access, standards_in_force

AREA = "childcare"


def _rows_for(user, person_ids: list[int]) -> list[Row]:
    rows: list[Row] = []
    allowances = Allowance.objects.filter(child_id__in=person_ids).select_related("child", "region")
    for a in allowances:
        if not child_access(user, a.region_id):
            continue
        standards = standards_in_force(a.region_id, a.start_month)
        rows.append(
            Row(
                area=AREA,
                kind=_("儿童基本生活费"),
                title=_("%(c)s · %(k)s（%(s)s）")
                % {
                    "c": a.child.name,
                    "k": a.get_category_display(),
                    "s": a.get_setting_display(),
                },
                status=a.get_status_display(),
                since=a.start_month,
                amount=rules.rate(a.category, a.setting, standards) if a.status == Allowance.Status.ACTIVE else None,
                url=reverse("childcare:allowance_detail", args=[a.pk]),
            )
        )
    for c in Case.objects.filter(child_id__in=person_ids).select_related("child"):
        if child_access(user, c.region_id):
            rows.append(
                Row(
                    area=AREA,
                    kind=_("孤儿/事实无人抚养儿童认定"),
                    title=f"{c.number} {c.child.name}",
                    status=c.get_state_display(),
                    since=c.submitted_on,
                    url=reverse("childcare:case_detail", args=[c.pk]),
                )
            )
    for ch in Child.objects.filter(person_id__in=person_ids).select_related("person"):
        if child_access(user, ch.region_id):
            rows.append(
                Row(
                    area=AREA,
                    kind=_("困境/留守儿童"),
                    title=_("%(n)s · %(k)s，风险%(r)s")
                    % {
                        "n": ch.person.name,
                        "k": ch.get_kind_display(),
                        "r": ch.get_risk_display(),
                    },
                    status=_("在册") if ch.closed_on is None else _("已销档"),
                    since=ch.registered_on,
                    url=reverse("childcare:child_detail", args=[ch.pk]),
                )
            )
    return rows


def person_rows(user, person) -> list[Row]:
    return _rows_for(user, [person.pk])


def household_rows(user, household) -> list[Row]:
    ids = list(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
    return _rows_for(user, ids)
