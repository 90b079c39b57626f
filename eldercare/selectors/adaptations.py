"""Reads for home adaptations and family care beds, scoped: staff see their
jurisdiction's cases; a resident sees the cases of their own household's elders."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs import clock
from civil_affairs.models import HouseholdMember
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import household_for_resident, scoped

from ..models import Adaptation, AdaptationPhoto, AssessmentRequest, Contractor

S = Adaptation.State
OPEN = (S.APPLIED, S.ASSESSED, S.ORDERED, S.COMPLETED, S.ACCEPTED)
# the deadline field of each open state
DUE_FIELD = {
    S.APPLIED: "assess_due",
    S.ASSESSED: "order_due",
    S.ORDERED: "work_due",
    S.COMPLETED: "accept_due",
    S.ACCEPTED: "pay_due",
}


def overdue_q(today: dt.date) -> Q:
    """Open cases whose current step is past its deadline (one OR per state, all SQL)."""
    q = Q(pk__in=[])
    for state, field in DUE_FIELD.items():
        q |= Q(state=state, **{f"{field}__lt": today})
    return q


def adaptation_list_for_user(user) -> QuerySet[Adaptation]:
    if not has_capability(user, "adaptation_view"):
        return Adaptation.objects.none()
    return scoped(Adaptation.objects.select_related("person", "region", "contractor"), user, "region__code")


def adaptation_list_filtered(user, params) -> QuerySet[Adaptation]:
    """The list page's filters: kind, state (or 'open'), overdue only."""
    qs = adaptation_list_for_user(user)
    kind = params.get("kind", "")
    if kind in Adaptation.Kind.values:
        qs = qs.filter(kind=kind)
    state = params.get("state", "")
    if state == "open":
        qs = qs.filter(state__in=OPEN)
    elif state in S.values:
        qs = qs.filter(state=state)
    if params.get("overdue") == "1":
        qs = qs.filter(overdue_q(clock.today()))
    return qs


def adaptation_get_for_user(user, pk) -> Adaptation:
    found = (
        adaptation_list_for_user(user)
        .select_related("household", "applicant", "assessed_by", "ordered_by", "completed_by", "accepted_by", "paid_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def photo_get_for_user(user, pk) -> AdaptationPhoto:
    """A completion photo for staff who see its case, or the resident whose household's case it is."""
    photo = AdaptationPhoto.objects.select_related("adaptation").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if getattr(user, "is_resident", False):
        if photo.adaptation.person_id not in household_person_ids(user):
            raise Http404
        return photo
    adaptation_get_for_user(user, photo.adaptation_id)
    return photo


def household_person_ids(resident) -> list[int]:
    """The resident and the members of their household (none for an unverified account)."""
    if not getattr(resident, "is_verified_resident", False) or resident.person_id is None:
        return []
    own = household_for_resident(resident)
    ids = {resident.person_id}
    if own is not None:
        ids |= set(HouseholdMember.objects.filter(household=own).values_list("person_id", flat=True))
    return sorted(ids)


def household_elders(resident):
    """The people a resident may apply for: themselves and their household's members, oldest first."""
    from civil_affairs.models import Person

    return Person.objects.filter(pk__in=household_person_ids(resident)).order_by("birth_date")


def adaptation_list_for_resident(resident) -> QuerySet[Adaptation]:
    return (
        Adaptation.objects.filter(person_id__in=household_person_ids(resident))
        .select_related("person", "contractor")
        .prefetch_related("photos")
        .order_by("-applied_at", "-id")
    )


def assessment_requests_for_resident(resident) -> QuerySet[AssessmentRequest]:
    return (
        AssessmentRequest.objects.filter(person_id__in=household_person_ids(resident))
        .select_related("person", "assessment")
        .order_by("-requested_at", "-id")
    )


def assessment_request_list_for_user(user) -> QuerySet[AssessmentRequest]:
    if not has_capability(user, "adaptation_view"):
        return AssessmentRequest.objects.none()
    return scoped(AssessmentRequest.objects.select_related("person", "region", "assessment"), user, "region__code")


def assessment_request_get_for_user(user, pk) -> AssessmentRequest:
    found = assessment_request_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def steps(adaptation: Adaptation) -> list[dict]:
    """Each step with its deadline, when it was done and whether it was late (for the detail and portal pages)."""
    today = clock.today()
    rows = [
        ("apply", _("申请"), adaptation.applied_at, None),
        ("assess", _("评估"), adaptation.assessed_at, adaptation.assess_due),
        ("order", _("派单"), adaptation.ordered_at, adaptation.order_due),
        ("complete", _("完工"), adaptation.completed_at, adaptation.work_due),
        ("accept", _("验收"), adaptation.accepted_at, adaptation.accept_due),
        ("pay", _("支付"), adaptation.paid_at, adaptation.pay_due),
    ]
    out = []
    for key, label, done_at, due in rows:
        done_on = timezone.localdate(done_at) if done_at else None
        out.append(
            {
                "key": key,
                "label": label,
                "done_at": done_at,
                "due": due,
                "late": due is not None and ((done_on or today) > due) and adaptation.state != S.REJECTED,
            }
        )
    return out


def contractors_for(adaptation: Adaptation) -> list[Contractor]:
    """Contractors under contract in the case's district (else the whole city's), for its work order."""
    active = Contractor.objects.filter(active=True).order_by("name")
    return list(active.filter(region__code__startswith=adaptation.region_id[:6])) or list(active)


def contractor_offered(adaptation: Adaptation, pk) -> Contractor | None:
    """The contractor chosen for a work order, if it is one of those offered for the case."""
    return next((c for c in contractors_for(adaptation) if str(c.pk) == str(pk)), None)
