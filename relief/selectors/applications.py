"""Reads of applications and benefits: staff see their jurisdiction, a
resident sees the applications of their own household."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from civil_affairs import clock
from civil_affairs.calendar import calendar_exceptions, working_days_left
from civil_affairs.months import month_start
from civil_affairs.permissions import has_capability
from civil_affairs.rules import region_ancestors
from civil_affairs.selectors import household_for_resident, id_search_allowed, scoped, search_parse, search_result_count
from civil_affairs.services import person_search_recorded

from ..models import Application, Benefit, HomeVisit, Objection

State = Application.State


def application_list_for_user(user) -> QuerySet[Application]:
    if not has_capability(user, "relief_view"):
        return Application.objects.none()
    qs = Application.objects.select_related("household", "applicant", "region")
    return scoped(qs, user, "region__code")


def application_get_for_user(user, pk) -> Application:
    application = (
        application_list_for_user(user)
        .select_related("investigator", "proposed_by", "decided_by", "accepted_by", "recheck_of", "first_approved_by")
        .prefetch_related(
            Prefetch("visits", queryset=HomeVisit.objects.select_related("first_visitor", "second_visitor")),
            Prefetch("objections", queryset=Objection.objects.select_related("recorded_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def queue_for_user(
    user, *, state: str = "", kind: str = "", overdue: bool = False, query: str = ""
) -> QuerySet[Application]:
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
        qs = qs.filter(
            Q(number__startswith=q.upper())
            | Q(applicant__name__startswith=q)
            | id_match
            | Q(household__number__startswith=q.upper())
        )
        if by_id:
            person_search_recorded(
                actor=user, query_kind=search.kind, masked=search.masked, results=search_result_count(qs)
            )
    return qs


URGENT = Q(kind="temporary", temporary_type=Application.TemporaryType.EMERGENCY)
URGENT_PINNED = 50


def urgent_in_queue(qs: QuerySet[Application]) -> list[Application]:
    """The queue's 急难 temporary-assistance cases, shown first: by state in
    procedure order, then the oldest first.  Each is marked `urgent`; beyond
    the first 50 they stay in the ordinary pages."""
    order = Case(
        *(When(state=state, then=i) for i, state in enumerate(Application.State.values)), output_field=IntegerField()
    )
    rows = list(qs.filter(URGENT).order_by(order, "created_at", "pk")[:URGENT_PINNED])
    for a in rows:
        a.urgent = True
    return rows


def with_countdown(applications: list[Application]) -> list[Application]:
    """Attach `days_left` (working days to the deadline; negative when overdue)
    and `is_overdue`, reading the holiday calendar once for the page."""
    today = clock.today()
    deadlines = [a.deadline for a in applications if a.deadline] + [
        a.documents_due for a in applications if a.documents_due
    ]
    if not deadlines:
        exceptions = {}
    else:
        lo, hi = min(deadlines + [today]), max(deadlines + [today])
        exceptions = calendar_exceptions(lo, hi)
    for a in applications:
        a.days_left = working_days_left(today, a.deadline, exceptions) if a.deadline else None
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
    return (
        application_list_for_user(user)
        .filter(state=State.NOTICE, region__code__startswith=prefix)
        .order_by("region_id", "notice_start", "id")
    )


def benefit_list_for_user(user) -> QuerySet[Benefit]:
    if not has_capability(user, "relief_view"):
        return Benefit.objects.none()
    return scoped(Benefit.objects.select_related("household", "recipient", "region"), user, "region__code")


def benefits_payable_summary(user) -> dict:
    """Benefits paid monthly in the user's jurisdiction and their monthly total:
    what a payroll run is about to pay, named when asking to confirm it."""
    from django.db.models import Sum

    this_month = month_start(clock.today())
    qs = (
        benefit_list_for_user(user)
        .filter(status__in=Benefit.PAYABLE)
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=this_month))
        .order_by()
    )
    totals = qs.aggregate(count=Count("id"), total=Sum("monthly_amount"))
    return {"count": totals["count"], "total": totals["total"] or 0}


def benefit_get_for_user(user, pk) -> Benefit:
    benefit = benefit_list_for_user(user).select_related("application").filter(pk=pk).first()
    if benefit is None:
        raise Http404
    return benefit


def benefit_rechecks(benefit: Benefit) -> list[Application]:
    return list(benefit.rechecks.order_by("-created_at"))


def recheck_due_for_user(user, *, within_days: int = 30) -> QuerySet[Benefit]:
    return benefit_list_for_user(user).filter(
        status__in=Benefit.PAYABLE, next_recheck__lte=clock.today() + dt.timedelta(days=within_days)
    )


# ---------------------------------------------------------------- home visits and their second signature

VISIT_CONFIRM, VISIT_DECLINE = "visit_confirm", "visit_decline"  # the audit steps on a HomeVisit
NOT_A_SECOND_VISITOR = _("请选择本街道（乡镇）可办理社会救助的另一名在岗经办人作为共同调查人。")


def second_visitor_choices(user, application: Application) -> QuerySet:
    """Who may be named as the second visitor of this case: active staff who
    may investigate (relief_handle) whose region holds the case's region —
    the street's caseworkers.  The service checks against this same list."""
    from civil_affairs.models import User
    from civil_affairs.permissions import roles_with

    return (
        User.objects.filter(
            is_active=True, role__in=roles_with("relief_handle"), region_id__in=region_ancestors(application.region_id)
        )
        .exclude(pk=user.pk)
        .select_related("region")
        .order_by("first_name", "pk")
    )


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
    qs = HomeVisit.objects.filter(
        second_visitor=user,
        confirmed_at__isnull=True,
        declined_at__isnull=True,
        application__state__in=(State.ACCEPTED, State.INVESTIGATING),
    )
    return (
        scoped(qs, user, "application__region__code")
        .select_related("application__applicant", "application__region", "first_visitor")
        .order_by("visited_on", "id")
    )


def visit_get_for_user(user, pk) -> HomeVisit:
    """A visit on a case the user may see (404 otherwise); whether they may
    sign it is the service's question."""
    visit = (
        HomeVisit.objects.filter(application__in=application_list_for_user(user), pk=pk)
        .select_related("application", "second_visitor")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


# ---------------------------------------------------------------- one open case per household and kind

LIVE_BENEFIT = (Benefit.Status.ACTIVE, Benefit.Status.GRADUAL_EXIT, Benefit.Status.SUSPENDED)


def duplicate_application_reason(household, kind: str) -> str | None:
    """Why this household may not open another application of this kind: it
    already receives it, or a case of that kind is open.  Temporary assistance
    may be asked for again.  The start page and application_create both ask here."""
    from ..models import Kind

    if household is None or kind == Kind.TEMPORARY:
        return None
    label = Kind(kind).label
    benefit = (
        Benefit.objects.filter(household=household, kind=kind, status__in=LIVE_BENEFIT).order_by("start_month").first()
    )
    if benefit is not None:
        return _(
            "您的家庭自 %(month)s 起已享受%(kind)s（%(status)s），无需重复申请；家庭情况有变化的，请联系社区或街道经办人。"
        ) % {"month": benefit.start_month.strftime("%Y-%m"), "kind": label, "status": benefit.get_status_display()}
    open_case = (
        Application.objects.filter(household=household, kind=kind, state__in=[State.DRAFT, *Application.OPEN_STATES])
        .order_by("created_at")
        .first()
    )
    if open_case is not None:
        return _("您的家庭已有一件办理中的%(kind)s申请（编号 %(number)s，%(state)s），不能重复申请。") % {
            "kind": label,
            "number": open_case.number,
            "state": open_case.get_state_display(),
        }
    return None


# ---------------------------------------------------------------- regions for the residents' cascade


def city_region():
    """The city whose tree the portal offers (the first city-level region, as the batches use)."""
    from civil_affairs.models import Region

    return Region.objects.filter(level=Region.Level.CITY).order_by("code").first()


def region_options(parent_code: str):
    """Children of a district or street within the city's tree (empty for
    anything else): the cascade's next select."""
    from civil_affairs.models import Region

    city = city_region()
    if city is None or not parent_code.startswith(city.prefix) or parent_code == city.code:
        return Region.objects.none()
    return Region.objects.filter(
        parent_id=parent_code, parent__level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP)
    ).order_by("code")


def city_districts():
    from civil_affairs.models import Region

    city = city_region()
    return Region.objects.filter(parent=city).order_by("code") if city else Region.objects.none()


# Residents' portal


def applications_for_resident(user) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False) or not user.is_verified_resident:
        return Application.objects.none()  # an unverified account sees no case, whatever the page
    household = household_for_resident(user)
    own = Q(created_by=user) | Q(applicant_id=user.person_id)
    if household is not None:
        own |= Q(household=household)
    return (
        Application.objects.filter(own)
        .exclude(recheck_of__isnull=False, state=State.DRAFT)
        .select_related("household", "region")
        .order_by("-created_at")
    )


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
    ("submitted", _("提交申请")),
    ("accepted", _("受理")),
    ("investigating", _("调查核实")),
    ("notice", _("审核公示")),
    ("decided", _("审批结果")),
]


def resident_progress(application: Application) -> list[dict]:
    """The resident's view of where their case is, as steps done/current/to come."""
    order = {
        State.DRAFT: -1,
        State.SUBMITTED: 0,
        State.RETURNED: 0,
        State.ACCEPTED: 1,
        State.INVESTIGATING: 2,
        State.PROPOSED: 3,
        State.NOTICE: 3,
        State.CONFIRMED: 4,
        State.REJECTED: 4,
        State.WITHDRAWN: 0,
    }
    at = order[application.state]
    final = application.state in Application.FINAL_STATES
    return [
        {
            "key": key,
            "label": label,
            "status": "done" if i < at or (i == at and final) else "current" if i == at else "todo",
        }
        for i, (key, label) in enumerate(RESIDENT_STEPS)
    ]
