"""Reads of the service experience: the case timeline, a user's messages,
guides and printable documents from the area registry, ratings by street."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Model
from django.http import Http404

from civil_affairs import areas
from civil_affairs.models import AuditEvent, Region, Role
from civil_affairs.selectors import scoped

from .models import Message, Rating
from .rules import staff_masked

# ---------------------------------------------------------------- timeline (流转记录)


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    label: Any
    unit: str  # the office: the region of the member of staff (or 申请人 for the resident's own steps)
    person: str  # the name (masked as 王工作人员 for residents)
    note: str = ""


def _step_labels(target_type: str) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for area in areas.registered():
        labels.update(area.timeline_steps.get(target_type, {}))
    return labels


def timeline(target: Model, *, for_resident: bool = False) -> list[Step]:
    """Every step of a case, oldest first, from its audit events (target_type,
    target_id; the step in changes["step"], "create" for the record's creation),
    labelled by the area that registered the steps.  One query."""
    target_type = target._meta.label_lower
    labels = _step_labels(target_type)
    events = (
        AuditEvent.objects.filter(
            target_type=target_type,
            target_id=str(target.pk),
            action__in=[AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE],
        )
        .select_related("actor__region")
        .order_by("at", "id")
    )
    steps = []
    for event in events:
        step = event.changes.get("step") or ("create" if event.action == AuditEvent.Action.CREATE else "")
        if step not in labels:
            continue  # a correction of the draft, a number given: not a step of the procedure
        actor = event.actor
        if actor is None:
            unit, person = "", "系统"
        elif actor.role == Role.RESIDENT:
            unit, person = "", "申请人" if for_resident else (actor.first_name or actor.username)
        else:
            unit = actor.region.name if actor.region else ""
            name = actor.first_name or actor.username
            person = staff_masked(name) if for_resident else name
        note = event.changes.get("reason", "") if isinstance(event.changes.get("reason"), str) else ""
        steps.append(Step(at=event.at, label=labels[step], unit=unit, person=person, note=note))
    return steps


# ---------------------------------------------------------------- messages


def messages_for_user(user):
    return Message.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


# ---------------------------------------------------------------- guides


def guides_of(area_key: str, day: dt.date) -> list[areas.Guide]:
    area = areas.get(area_key)
    if area is None or area.guides is None:
        raise Http404
    return list(areas.resolve(area.guides)(day))


def guide_get(area_key: str, key: str, day: dt.date) -> areas.Guide:
    for guide in guides_of(area_key, day):
        if guide.key == key:
            return guide
    raise Http404


# ---------------------------------------------------------------- printable documents


def print_document(area_key: str, key: str) -> areas.PrintDocument:
    area = areas.get(area_key)
    for document in area.print_documents if area else ():
        if document.key == key:
            return document
    raise Http404


def documents_for(area_key: str, *, for_resident: bool) -> list[areas.PrintDocument]:
    area = areas.get(area_key)
    return [d for d in (area.print_documents if area else ()) if d.for_resident or not for_resident]


# ---------------------------------------------------------------- ratings


@dataclass(frozen=True)
class RatingTarget:
    """What an area says of a case a resident may rate."""

    target_type: str
    target_id: str
    region_code: str
    ended: bool
    title: str = ""


def rating_target(area_key: str, user, pk) -> RatingTarget:
    area = areas.get(area_key)
    if area is None or area.rating_target is None:
        raise Http404
    return areas.resolve(area.rating_target)(user, pk)


def rating_of(target: RatingTarget) -> Rating | None:
    return Rating.objects.filter(target_type=target.target_type, target_id=target.target_id).first()


def ratings_by_street(user) -> list[dict]:
    """Average score and count per street of the user's jurisdiction, best first."""
    rows = (
        scoped(Rating.objects.all(), user, "street_code")
        .values("street_code")
        .annotate(count=Count("id"), average=Avg("score"))
        .order_by("street_code")
    )
    rows = list(rows)
    names = dict(Region.objects.filter(code__in=[r["street_code"] for r in rows]).values_list("code", "name"))
    return [
        {
            "code": r["street_code"],
            "name": names.get(r["street_code"], r["street_code"]),
            "count": r["count"],
            "average": round(float(r["average"]), 2),
        }
        for r in rows
    ]
