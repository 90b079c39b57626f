"""Reads of applications and benefits: staff see their jurisdiction, a
resident sees the applications of their own household."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from civil_affairs import clock
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import (_scoped, household_for_resident, id_search_allowed, search_parse,
                                     search_result_count)
from civil_affairs.services import person_search_recorded

from .. import rules
from ..models import Application, Benefit, HomeVisit, Objection
from .standards import calendar_exceptions, region_ancestors

State = Application.State


def application_list_for_user(user) -> QuerySet[Application]:
    if not has_capability(user, "relief_view"):
        return Application.objects.none()
    qs = Application.objects.select_related("household", "applicant", "region")
    return _scoped(qs, user, "region__code")


def application_get_for_user(user, pk) -> Application:
    application = (application_list_for_user(user)
                   .select_related("investigator", "proposed_by", "decided_by", "accepted_by", "recheck_of",
                                   "first_approved_by")
                   .prefetch_related(Prefetch("visits", queryset=HomeVisit.objects.select_related(
                       "first_visitor", "second_visitor")),
                       Prefetch("objections", queryset=Objection.objects.select_related("recorded_by")))
                   .filter(pk=pk).first())
    if application is None:
        raise Http404
    return application


def queue_for_user(user, *, state: str = "", kind: str = "", overdue: bool = False,
                   query: str = "") -> QuerySet[Application]:
    """The caseworker's queue: open cases (or one state), oldest deadline first."""
    qs = application_list_for_user(user)
    qs = qs.filter(state=state) if state else qs.filter(state__in=Application.OPEN_STATES)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(deadline__lt=clock.today())
    if query:
        q = query.strip()
        search = search_parse(q)
        by_id = search.kind == "id_exact"
        # A whole ID number only, counted against the user's per-minute limit (over it,
        # the number matches nothing) and audited like the registry's searches.
        id_match = Q(applicant__id_number=search.text) if by_id and id_search_allowed(user) else Q(pk__in=[])
        qs = qs.filter(Q(number__startswith=q.upper()) | Q(applicant__name__startswith=q) | id_match
                       | Q(household__number__startswith=q.upper()))
        if by_id:
            person_search_recorded(actor=user, query_kind=search.kind, masked=search.masked,
                                   results=search_result_count(qs))
    return qs


def with_countdown(applications: list[Application]) -> list[Application]:
    """Attach `days_left` (working days to the deadline; negative when overdue)
    and `is_overdue`, reading the holiday calendar once for the page."""
    today = clock.today()
    deadlines = [a.deadline for a in applications if a.deadline] + [a.documents_due for a in applications
                                                                     if a.documents_due]
    if not deadlines:
        exceptions = {}
    else:
        lo, hi = min(deadlines + [today]), max(deadlines + [today])
        exceptions = calendar_exceptions(lo, hi)
    for a in applications:
        a.days_left = rules.working_days_left(today, a.deadline, exceptions) if a.deadline else None
        a.is_overdue = bool(a.deadline and a.is_open and a.deadline < today)
        a.overdue_days = -a.days_left if a.is_overdue else 0
        a.documents_overdue = bool(a.documents_due and a.state in (State.SUBMITTED,) and a.documents_due < today)
    return applications


def queue_counts(user) -> dict[str, int]:
    """Open cases per state, and overdue ones, for the queue's tabs."""
    qs = application_list_for_user(user).filter(state__in=Application.OPEN_STATES).order_by()
    counts = {row["state"]: row["n"] for row in qs.values("state").annotate(n=Count("id"))}
    counts["overdue"] = qs.filter(deadline__lt=clock.today()).count()
    return counts


def notice_list_for_user(user, region_code: str) -> QuerySet[Application]:
    """Cases in public notice in a community (or any region of the jurisdiction)."""
    from civil_affairs.rules import region_prefix

    prefix = region_prefix(region_code) if region_code else ""
    return (application_list_for_user(user).filter(state=State.NOTICE, region__code__startswith=prefix)
            .order_by("region_id", "notice_start", "id"))


def benefit_list_for_user(user) -> QuerySet[Benefit]:
    if not has_capability(user, "relief_view"):
        return Benefit.objects.none()
    return _scoped(Benefit.objects.select_related("household", "recipient", "region"), user, "region__code")


def benefit_get_for_user(user, pk) -> Benefit:
    benefit = benefit_list_for_user(user).select_related("application").filter(pk=pk).first()
    if benefit is None:
        raise Http404
    return benefit


def benefit_rechecks(benefit: Benefit) -> list[Application]:
    return list(benefit.rechecks.order_by("-created_at"))


def recheck_due_for_user(user, *, within_days: int = 30) -> QuerySet[Benefit]:
    return benefit_list_for_user(user).filter(status__in=Benefit.PAYABLE,
                                              next_recheck__lte=clock.today() + dt.timedelta(days=within_days))


# ---------------------------------------------------------------- home visits and their second signature

VISIT_CONFIRM, VISIT_DECLINE = "visit_confirm", "visit_decline"  # the audit steps on a HomeVisit
NOT_A_SECOND_VISITOR = _("请选择本街道（乡镇）可办理社会救助的另一名在岗经办人作为共同调查人。")


def second_visitor_choices(user, application: Application) -> QuerySet:
    """Who may be named as the second visitor of this case: active staff who
    may investigate (relief_handle) whose region holds the case's region —
    the street's caseworkers.  The service checks against this same list."""
    from civil_affairs.models import User
    from civil_affairs.permissions import CAPABILITIES

    return (User.objects.filter(is_active=True, role__in=CAPABILITIES["relief_handle"],
                                region_id__in=region_ancestors(application.region_id))
            .exclude(pk=user.pk).select_related("region").order_by("first_name", "pk"))


def visitor_name(user) -> str:
    """Staff are shown by name, never by login name."""
    return user.get_full_name() or _("工作人员 %(id)s") % {"id": user.pk}


def visits_with_status(application: Application) -> list[HomeVisit]:
    """The case's visits; each knows its `status` (confirmed, pending, declined)."""
    return list(application.visits.all())


def visits_awaiting_confirmation(user) -> QuerySet[HomeVisit]:
    """Visits naming this user as second visitor, not yet confirmed or declined,
    on cases still under investigation in their jurisdiction: their task queue."""
    if not has_capability(user, "relief_handle"):
        return HomeVisit.objects.none()
    qs = HomeVisit.objects.filter(second_visitor=user, confirmed_at__isnull=True, declined_at__isnull=True,
                                  application__state__in=(State.ACCEPTED, State.INVESTIGATING))
    return (_scoped(qs, user, "application__region__code")
            .select_related("application__applicant", "application__region", "first_visitor")
            .order_by("visited_on", "id"))


def visit_get_for_user(user, pk) -> HomeVisit:
    """A visit on a case the user may see (404 otherwise); whether they may
    sign it is the service's question."""
    visit = (HomeVisit.objects.filter(application__in=application_list_for_user(user), pk=pk)
             .select_related("application", "second_visitor").first())
    if visit is None:
        raise Http404
    return visit


# Residents' portal

def applications_for_resident(user) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False) or not user.is_verified_resident:
        return Application.objects.none()  # an unverified account sees no case, whatever the page
    household = household_for_resident(user)
    own = Q(created_by=user) | Q(applicant_id=user.person_id)
    if household is not None:
        own |= Q(household=household)
    return Application.objects.filter(own).exclude(recheck_of__isnull=False, state=State.DRAFT).select_related(
        "household", "region").order_by("-created_at")


def application_get_for_resident(user, pk) -> Application:
    application = applications_for_resident(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def benefits_for_resident(user) -> QuerySet[Benefit]:
    household = household_for_resident(user)
    if household is None:
        return Benefit.objects.none()
    return Benefit.objects.filter(household=household).order_by("-start_month")


RESIDENT_STEPS = [
    ("submitted", _("提交申请")), ("accepted", _("受理")), ("investigating", _("调查核实")),
    ("notice", _("审核公示")), ("decided", _("审批结果")),
]


def resident_progress(application: Application) -> list[dict]:
    """The resident's view of where their case is, as steps done/current/to come."""
    order = {State.DRAFT: -1, State.SUBMITTED: 0, State.RETURNED: 0, State.ACCEPTED: 1, State.INVESTIGATING: 2,
             State.PROPOSED: 3, State.NOTICE: 3, State.CONFIRMED: 4, State.REJECTED: 4, State.WITHDRAWN: 0}
    at = order[application.state]
    final = application.state in Application.FINAL_STATES
    return [{"key": key, "label": label,
             "status": "done" if i < at or (i == at and final) else "current" if i == at else "todo"}
            for i, (key, label) in enumerate(RESIDENT_STEPS)]
