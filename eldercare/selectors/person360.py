"""What eldercare shows on the core's person-360 and household pages: senior
allowance (last 12 months, money only for roles that see the rolls), home-care
orders, the current institution stay, the ability assessment in force.  Scoped
like eldercare's own lists; one query per kind of row."""

from __future__ import annotations

from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import Row
from civil_affairs.models import HouseholdMember
from civil_affairs.months import add_months, month_start
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from ..models import Assessment, SeniorAllowance, Stay
from .homecare import order_list_for_user
from .institutions import institution_list_for_user

AREA = "eldercare"


def _rows(user, person_ids: list[int], names: dict[int, str] | None = None) -> list[Row]:
    prefix = jurisdiction_prefix(user)
    if prefix is None or not has_capability(user, "eldercare_view"):
        return []
    rows: list[Row] = []
    who = (lambda pid: f"{names[pid]}：") if names else (lambda pid: "")
    if has_capability(user, "allowance_view"):
        since = add_months(month_start(clock.today()), -11)
        for r in (
            SeniorAllowance.objects.filter(person_id__in=person_ids, month__gte=since, region__code__startswith=prefix)
            .order_by()
            .values("person_id")
            .annotate(months=Count("id"), total=Sum("amount"), last=Max("month"))
        ):
            rows.append(
                Row(
                    area=AREA,
                    kind=_("尊老金"),
                    title=who(r["person_id"]) + _("近12个月发放 %(n)d 个月") % {"n": r["months"]},
                    status=_("按月发放"),
                    since=r["last"],
                    amount=r["total"],
                    url=reverse("eldercare:allowance") + f"?month={r['last']:%Y-%m}",
                )
            )
    for order in order_list_for_user(user).filter(person_id__in=person_ids).order_by("-month")[:12]:
        rows.append(
            Row(
                area=AREA,
                kind=_("居家养老服务"),
                title=who(order.person_id)
                + _("%(p)s，%(g)s") % {"p": order.provider.name, "g": order.get_group_display()},
                status=order.month.strftime("%Y-%m"),
                since=order.month,
                amount=order.allowance,
            )
        )
    homes = institution_list_for_user(user).values("pk")
    for stay in Stay.objects.filter(person_id__in=person_ids, institution__in=homes).select_related(
        "institution", "bed"
    )[:12]:
        rows.append(
            Row(
                area=AREA,
                kind=_("机构养老"),
                title=who(stay.person_id) + f"{stay.institution.name} {stay.bed}",
                status=stay.get_state_display(),
                since=stay.admitted_on,
                url=reverse("eldercare:institution", args=[stay.institution_id]),
            )
        )
    for a in Assessment.objects.filter(person_id__in=person_ids, region__code__startswith=prefix).order_by(
        "-assessed_on"
    )[:6]:
        rows.append(
            Row(
                area=AREA,
                kind=_("能力评估"),
                title=who(a.person_id) + _("%(l)s（评估员 %(a)s）") % {"l": a.get_level_display(), "a": a.assessor},
                status=_("有效期至 %(d)s") % {"d": a.valid_until.isoformat()},
                since=a.assessed_on,
            )
        )
    rows.extend(_vulnerable_rows(user, person_ids, who))
    rows.extend(_adaptation_rows(user, person_ids, who))
    return rows


def _adaptation_rows(user, person_ids, who) -> list[Row]:
    """Home adaptations and family care beds of these people (scoped like the list page)."""
    from .adaptations import adaptation_list_for_user

    return [
        Row(
            area=AREA,
            kind=a.get_kind_display(),
            title=who(a.person_id) + (a.contractor.name if a.contractor else _("补助上限 %(c)s 元") % {"c": a.cap}),
            status=a.get_state_display(),
            since=a.applied_at.date(),
            amount=a.paid_amount or a.budget,
            url=reverse("eldercare:adaptation", args=[a.pk]),
        )
        for a in adaptation_list_for_user(user).filter(person_id__in=person_ids).order_by("-applied_at")[:6]
    ]


def person_rows(user, person) -> list[Row]:
    return _rows(user, [person.pk])


def household_rows(user, household) -> list[Row]:
    members = dict(HouseholdMember.objects.filter(household=household).values_list("person_id", "person__name"))
    return _rows(user, list(members), members) if members else []


def _vulnerable_rows(user, person_ids, who) -> list[Row]:
    """Visits to the vulnerable elderly: the person's entries on the visit list (scoped like the queue)."""
    from ..models import VulnerableReason
    from .vulnerable import entry_list_for_user

    labels = dict(VulnerableReason.choices)
    rows = []
    for e in entry_list_for_user(user).filter(person_id__in=person_ids).order_by("-listed_on", "-id")[:6]:
        reasons = "、".join(str(labels.get(r, r)) for r in e.reasons)
        if e.ended_on:
            status = _("已移出（%(r)s）") % {"r": e.get_end_reason_display()}
        else:
            status = _("下次探访截止 %(d)s") % {"d": e.next_due.isoformat()}
        rows.append(
            Row(
                area=AREA,
                kind=_("探访关爱"),
                title=who(e.person_id) + reasons,
                status=status,
                since=e.listed_on,
                url=reverse("eldercare:vulnerable_entry", args=[e.pk]),
            )
        )
    return rows
