"""Every read childcare's pages, API and batches need, scoped to the user.

A child's record is among the most sensitive (DOMAIN.md "Childcare"): it is
opened only by the assigned child director (Director: the child's village),
the street's supervisor (Supervisor: the child's street), district and bureau
childcare staff (Staff: reviewers and administrators bound to childcare, in
their jurisdiction; street caseworkers bound to it too) and the auditor of the
jurisdiction.  `child_scope_q` gives that as one filter so lists and getters
share it; everyone else with childcare_view sees lists with masked names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from civil_affairs import clock
from civil_affairs.models import Role
from civil_affairs.parameters import parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.rules import mask_name
from civil_affairs.selectors import jurisdiction_prefix

from . import rules
from .models import Allowance, Case, Child, Director, DiscoveryTask, Referral, Staff, Supervisor, Visit
from .parameters import DEFAULTS, KEYS

# ---------------------------------------------------------------- standards


def standards_in_force(region_code: str, on: dt.date) -> rules.Standards:
    """The parameters in force for a region on a day; a key nobody set yet
    takes the shipped default (so a region created after the migration works)."""
    values: dict[str, Decimal] = dict(DEFAULTS)
    values.update(parameters_in_force(region_code, on, keys=KEYS))
    return rules.Standards.from_values(values)


def street_of(code: str) -> str:
    return code[:9] + "000"


# ---------------------------------------------------------------- scope


def is_childcare_staff(user) -> bool:
    return Staff.objects.filter(user_id=user.pk).exists()


def child_scope_q(user, field: str = "region") -> Q | None:
    """The regions whose children's full records the user may open, as a filter
    on `field` (a region FK), or None for nobody."""
    if not has_capability(user, "childcare_view"):
        return None
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return None
    role = user.role
    if role == Role.AUDITOR:
        return Q(**{f"{field}__code__startswith": prefix})
    if role == Role.COMMUNITY_WORKER:
        villages = list(Director.objects.filter(user_id=user.pk).values_list("region_id", flat=True))
        return Q(**{f"{field}_id__in": villages}) if villages else None
    parts = []
    if role == Role.CASEWORKER:
        streets = list(Supervisor.objects.filter(user_id=user.pk).values_list("region_id", flat=True))
        parts += [Q(**{f"{field}__code__startswith": s[:9]}) for s in streets]
    if role in (Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN) and is_childcare_staff(user):
        parts.append(Q(**{f"{field}__code__startswith": prefix}))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def child_access(user, region_code: str) -> bool:
    """Whether the user may open the full record of a child of this community
    (the same rule as child_scope_q, for one region)."""
    if not has_capability(user, "childcare_view"):
        return False
    prefix = jurisdiction_prefix(user)
    if prefix is None or not region_code.startswith(prefix):
        return False
    role = user.role
    if role == Role.AUDITOR:
        return True
    if role == Role.COMMUNITY_WORKER:
        return Director.objects.filter(user_id=user.pk, region_id=region_code).exists()
    if (
        role == Role.CASEWORKER
        and Supervisor.objects.filter(user_id=user.pk, region_id=street_of(region_code)).exists()
    ):
        return True
    return role in (Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN) and is_childcare_staff(user)


def _in_jurisdiction(qs: QuerySet, user, field: str = "region") -> QuerySet:
    prefix = jurisdiction_prefix(user)
    if prefix is None or not has_capability(user, "childcare_view"):
        return qs.none()
    return qs.filter(**{f"{field}__code__startswith": prefix})


def _scoped(qs: QuerySet, user, field: str = "region") -> QuerySet:
    q = child_scope_q(user, field)
    return qs.none() if q is None else qs.filter(q)


def _get(qs: QuerySet, user, pk, field: str = "region"):
    """The record if the user may open it; 404 outside the jurisdiction, 403
    inside it without the assignment (a director of another village)."""
    found = _in_jurisdiction(qs, user, field).filter(pk=pk).first()
    if found is None:
        raise Http404
    if not _scoped(qs, user, field).filter(pk=pk).exists():
        raise PermissionDenied
    return found


# ---------------------------------------------------------------- recognition cases


def case_list_for_user(user) -> QuerySet[Case]:
    return _scoped(Case.objects.select_related("child", "region", "guardian"), user)


def case_get_for_user(user, pk) -> Case:
    qs = Case.objects.select_related("child", "guardian", "region", "checked_by", "decided_by", "submitted_by")
    return _get(qs, user, pk)


def case_queue_for_user(user) -> QuerySet[Case]:
    """Open cases: the street's caseworker sees those to check, the district those to decide."""
    qs = case_list_for_user(user).filter(state__in=Case.OPEN)
    if user.role == Role.CASEWORKER:
        qs = qs.filter(state=Case.State.SUBMITTED)
    elif user.role in (Role.REVIEWER, Role.BUREAU_ADMIN):
        qs = qs.filter(state=Case.State.CHECKED)
    return qs.order_by("check_due", "id")


def cases_for_resident(user) -> QuerySet[Case]:
    return Case.objects.filter(submitted_by=user).select_related("child", "region").order_by("-id")


def case_get_for_resident(user, pk) -> Case:
    found = cases_for_resident(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def allowance_list_for_user(user) -> QuerySet[Allowance]:
    return _scoped(Allowance.objects.select_related("child", "region", "guardian"), user)


def allowance_get_for_user(user, pk) -> Allowance:
    return _get(Allowance.objects.select_related("child", "guardian", "region", "case"), user, pk)


def allowances_for_resident(user) -> QuerySet[Allowance]:
    return Allowance.objects.filter(case__submitted_by=user).select_related("child")


def reviews_due_for_user(user, *, within_days: int = 30) -> QuerySet[Allowance]:
    return allowance_list_for_user(user).filter(
        status=Allowance.Status.ACTIVE, next_review__lte=clock.today() + dt.timedelta(days=within_days)
    )


# ---------------------------------------------------------------- registry


def child_list_for_user(user) -> QuerySet[Child]:
    """Children of the registry in the user's jurisdiction (names are masked on
    the page for those who may not open them: `masked_rows`)."""
    return _in_jurisdiction(Child.objects.select_related("person", "region"), user).filter(closed_on__isnull=True)


def child_records_for_user(user) -> QuerySet[Child]:
    """Children whose full records the user may open."""
    return _scoped(Child.objects.select_related("person", "region"), user)


def child_get_for_user(user, pk) -> Child:
    return _get(Child.objects.select_related("person", "region", "guardian"), user, pk)


def masked_rows(user, children) -> list[dict]:
    """A page of the registry: names and links only where the user may open the record."""
    q = child_scope_q(user)
    ids = {c.pk for c in children}
    open_ids = set(Child.objects.filter(q, pk__in=ids).values_list("pk", flat=True)) if q is not None and ids else set()
    today = clock.today()
    return [
        {
            "child": c,
            "may_open": c.pk in open_ids,
            "name": c.person.name if c.pk in open_ids else mask_name(c.person.name),
            "overdue": rules.overdue(c.next_visit_due, today),
        }
        for c in children
    ]


def director_queue(user) -> QuerySet[Child]:
    """The director's (or supervisor's) children, overdue visits first."""
    return child_records_for_user(user).filter(closed_on__isnull=True).order_by("next_visit_due", "id")


def discovery_tasks_for_user(user, *, status: str = DiscoveryTask.Status.OPEN) -> QuerySet[DiscoveryTask]:
    qs = _scoped(DiscoveryTask.objects.select_related("child", "parent", "region"), user)
    return qs.filter(status=status) if status else qs


def discovery_get_for_user(user, pk) -> DiscoveryTask:
    return _get(DiscoveryTask.objects.select_related("child", "parent", "region"), user, pk)


def visits_of(child: Child) -> QuerySet[Visit]:
    return child.visits.select_related("by")


def referrals_of(child: Child) -> QuerySet[Referral]:
    return child.referrals.select_related("opened_by")


def referral_get_for_user(user, pk) -> Referral:
    referral = Referral.objects.select_related("child").filter(pk=pk).first()
    if referral is None:
        raise Http404
    child_get_for_user(user, referral.child_id)
    return referral


def directors_for_user(user) -> QuerySet[Director]:
    return _in_jurisdiction(Director.objects.select_related("user", "region"), user)


def supervisors_for_user(user) -> QuerySet[Supervisor]:
    return _in_jurisdiction(Supervisor.objects.select_related("user", "region"), user)
