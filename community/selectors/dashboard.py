"""The community dashboard for any region subtree: per child region (districts
of the city, streets of a district…), a handful of grouped queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from civil_affairs.models import Region
from civil_affairs.selectors import scoped

from .. import rules
from ..models import Committee, Election, SocialOrg, Topic, TopicEntry

CHILD_DIGITS = {1: 4, 2: 6, 3: 9, 4: 12, 5: 12}


def dashboard_root(user, code: str = "") -> Region | None:
    regions = scoped(Region.objects.all(), user, "code")
    if code:
        return regions.filter(code=code).first()
    return regions.filter(code=user.region_id).first()


def _by_child(qs, root: Region, field: str, digits: int, **values) -> dict[str, dict]:
    rows = (
        qs.filter(region__code__startswith=root.prefix)
        .order_by()
        .annotate(child=Substr(field, 1, digits))
        .values("child")
        .annotate(**values)
    )
    return {r["child"].ljust(12, "0"): r for r in rows}


def dashboard_data(root: Region, today: dt.date) -> dict:
    digits = CHILD_DIGITS[root.level]
    children = list(Region.objects.filter(parent=root).order_by("code")) if root.level < 5 else [root]
    since = rules.add_years(today, -rules.TERM_YEARS)
    committees = _by_child(
        Committee.objects.filter(current=True),
        root,
        "region_id",
        digits,
        n=Count("id"),
        overdue=Count("id", filter=Q(term_end__lt=today)),
        due_year=Count("id", filter=Q(term_end__gte=today, term_end__lte=today + dt.timedelta(days=365))),
    )
    elections = _by_child(
        Election.objects.filter(election_day__gt=since, election_day__lte=today),
        root,
        "region_id",
        digits,
        held=Count("id", filter=Q(registered__isnull=False)),
        valid=Count("id", filter=Q(valid=True)),
        registered=Sum("registered"),
        voted=Sum("voted"),
    )
    topics = _by_child(
        Topic.objects.filter(proposed_on__year=today.year),
        root,
        "region_id",
        digits,
        n=Count("id"),
        participants=Sum("attendance"),
    )
    rate = _by_child(
        Topic.objects.filter(due_on__isnull=False, due_on__lte=today),
        root,
        "region_id",
        digits,
        due=Count("id"),
        on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))),
    )
    org_digits = min(digits, 12)
    orgs = _by_child(
        SocialOrg.objects.all(),
        root,
        "region_id",
        org_digits,
        n=Count("id"),
        community=Count("id", filter=Q(kind=SocialOrg.Kind.COMMUNITY)),
        rated=Count("id", filter=~Q(grade="") & Q(grade_until__gte=today)),
    )
    columns = [
        {"key": "committees", "label": _("本届委员会"), "unit": _("个")},
        {"key": "overdue", "label": _("逾期未换届"), "unit": _("个")},
        {"key": "elections", "label": _("五年内完成选举"), "unit": _("场")},
        {"key": "turnout", "label": _("参选率"), "unit": "%"},
        {"key": "topics", "label": _("本年协商议题"), "unit": _("个")},
        {"key": "participants", "label": _("参会人次"), "unit": _("人次")},
        {"key": "rate", "label": _("按期执行率"), "unit": "%"},
        {"key": "orgs", "label": _("社会组织"), "unit": _("个")},
        {"key": "rated_share", "label": _("参评率"), "unit": "%"},
    ]
    rows = []
    for child in children:
        code = child.code
        c, e, t, r, o = (d.get(code, {}) for d in (committees, elections, topics, rate, orgs))
        rows.append(
            {
                "code": code,
                "name": child.name,
                "values": [
                    c.get("n", 0),
                    c.get("overdue", 0),
                    e.get("held", 0),
                    rules.percent(e.get("voted") or 0, e.get("registered") or 0),
                    t.get("n", 0),
                    t.get("participants") or 0,
                    rules.execution_rate(r.get("on_time", 0), r.get("due", 0)) or 0,
                    o.get("n", 0),
                    rules.percent(o.get("rated", 0), o.get("n", 0)),
                ],
            }
        )
    grade_rows = scoped_orgs(root).order_by().values("kind", "grade").annotate(n=Count("id"))
    by_kind: dict[str, dict[str, int]] = {}
    for g in grade_rows:
        by_kind.setdefault(g["kind"], {})[g["grade"] or "none"] = g["n"]
    kinds = [
        {"kind": label, "counts": [by_kind.get(value, {}).get(gr, 0) for gr in (*rules.GRADES, "none")]}
        for value, label in SocialOrg.Kind.choices
    ]
    participants = TopicEntry.objects.filter(topic__region__code__startswith=root.prefix, step="meet").count()
    charts = [
        {
            "id": f"community-{col['key']}",
            "label": f"{col['label']}（{col['unit']}）",
            "labels": [r["name"] for r in rows],
            "data": [str(r["values"][i]) for r in rows],
        }
        for i, col in enumerate(columns)
        if col["key"] in ("turnout", "rate", "topics", "rated_share")
    ]
    return {
        "columns": columns,
        "rows": rows,
        "kinds": kinds,
        "grades": (*rules.GRADES, _("未评估")),
        "meetings": participants,
        "charts": charts,
    }


def scoped_orgs(root: Region):
    return SocialOrg.objects.filter(region__code__startswith=root.prefix)
