"""Every read of grassroots governance, scoped to the user's jurisdiction
(civil_affairs.selectors.scoped); one permission-checked getter per record."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from civil_affairs import clock
from civil_affairs.models import Region
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix, scoped

from .. import rules
from ..models import Committee, CommitteeMember, Election, Rating, SocialOrg, Topic, TopicEntry, TopicFollow, Voter

# ---------------------------------------------------------------- communities


def community_list_for_user(user) -> QuerySet[Region]:
    return scoped(Region.objects.filter(level=Region.Level.VILLAGE), user, "code")


def community_get_for_user(user, code: str) -> Region:
    found = community_list_for_user(user).filter(code=code).first()
    if found is None:
        raise Http404
    return found


def may_handle(user, region_code: str) -> bool:
    """The community's own worker, or the caseworker of its street: never another community's."""
    prefix = jurisdiction_prefix(user)
    return has_capability(user, "community_handle") and prefix is not None and region_code.startswith(prefix)


def committee_current(region: Region) -> Committee | None:
    return Committee.objects.filter(region=region, current=True).prefetch_related("members__person").first()


def committee_list_for_user(user) -> QuerySet[Committee]:
    return scoped(Committee.objects.filter(current=True), user, "region__code").select_related("region")


def member_list_for_user(user) -> QuerySet[CommitteeMember]:
    return scoped(
        CommitteeMember.objects.filter(committee__current=True), user, "committee__region__code"
    ).select_related("committee__region", "person")


# ---------------------------------------------------------------- elections


def election_list_for_user(user, *, state: str = "", year: int | None = None) -> QuerySet[Election]:
    qs = scoped(Election.objects.all(), user, "region__code").select_related("region")
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(election_day__year=year)
    return qs


def election_get_for_user(user, pk) -> Election:
    found = election_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def election_for_handling(user, pk) -> Election:
    """The election, if the user may run it (403 for readers, 404 out of jurisdiction)."""
    from django.core.exceptions import PermissionDenied

    election = election_get_for_user(user, pk)
    if not may_handle(user, election.region_id):
        raise PermissionDenied
    return election


def voters_of(election: Election) -> QuerySet[Voter]:
    return election.voters.select_related("person").order_by("removed", "person__name", "id")


def election_calendar(user, *, start: dt.date, end: dt.date) -> QuerySet[Election]:
    return election_list_for_user(user).filter(election_day__range=(start, end)).order_by("election_day", "id")


def overdue_committees(user, *, on: dt.date) -> QuerySet[Committee]:
    """Committees whose 5-year term has run out with no election under way."""
    open_election = Election.objects.filter(region_id=OuterRef("region_id")).exclude(state=Election.State.HANDED_OVER)
    return (
        committee_list_for_user(user)
        .filter(term_end__lt=on)
        .annotate(has_open=Exists(open_election))
        .filter(has_open=False)
        .order_by("term_end", "region_id")
    )


def turnout_by_district(region: Region, *, since: dt.date) -> dict[str, dict]:
    """Registered voters, votes and turnout of counted elections since `since`, per district: one grouped query."""
    from django.db.models.functions import Substr

    rows = (
        Election.objects.filter(
            region__code__startswith=region.prefix, election_day__gte=since, registered__isnull=False
        )
        .order_by()
        .annotate(district=Substr("region_id", 1, 6))
        .values("district")
        .annotate(
            registered=Sum("registered"), voted=Sum("voted"), n=Count("id"), valid=Count("id", filter=Q(valid=True))
        )
    )
    return {
        r["district"].ljust(12, "0"): {**r, "turnout": rules.percent(r["voted"] or 0, r["registered"] or 0)}
        for r in rows
    }


# ---------------------------------------------------------------- deliberation


def topic_list_for_user(user, *, state: str = "") -> QuerySet[Topic]:
    qs = scoped(Topic.objects.all(), user, "region__code").select_related("region", "proposer")
    return qs.filter(state=state) if state else qs


def topic_get_for_user(user, pk) -> Topic:
    found = topic_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def topic_for_handling(user, pk) -> Topic:
    from django.core.exceptions import PermissionDenied

    topic = topic_get_for_user(user, pk)
    if not may_handle(user, topic.region_id):
        raise PermissionDenied
    return topic


def topic_entries(topic: Topic) -> list[TopicEntry]:
    return list(topic.entries.select_related("actor"))


PUBLIC_STATES = [s for s in Topic.State.values if s not in (Topic.State.PROPOSED, Topic.State.DECLINED)]


def public_topics(region: Region) -> QuerySet[Topic]:
    """What residents follow on the community's public page: topics on the agenda onwards."""
    return (
        Topic.objects.filter(region=region, state__in=PUBLIC_STATES)
        .select_related("proposer")
        .order_by("-proposed_on", "-id")
    )


def public_community(code: str) -> Region:
    found = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if found is None:
        raise Http404
    return found


def _due_filter(on: dt.date) -> Q:
    return Q(due_on__isnull=False, due_on__lte=on) & ~Q(state__in=[Topic.State.DECLINED])


def execution_rate_by_community(prefix: str, on: dt.date) -> dict[str, dict]:
    """Resolutions due by `on` and those completed by their due date, per community: one grouped query."""
    rows = (
        Topic.objects.filter(_due_filter(on), region__code__startswith=prefix)
        .order_by()
        .values("region_id")
        .annotate(due=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))))
    )
    return {r["region_id"]: {**r, "rate": rules.execution_rate(r["on_time"], r["due"])} for r in rows}


def execution_rate_total(prefix: str, on: dt.date) -> dict:
    """The roll-up for a whole subtree (the city): one aggregate."""
    agg = Topic.objects.filter(_due_filter(on), region__code__startswith=prefix).aggregate(
        due=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("due_on")))
    )
    return {**agg, "rate": rules.execution_rate(agg["on_time"], agg["due"])}


# ---------------------------------------------------------------- social organisations


def org_list_for_user(user, *, kind: str = "", grade: str = "", listed: str = "") -> QuerySet[SocialOrg]:
    qs = scoped(SocialOrg.objects.all(), user, "region__code").select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    if grade == "none":
        qs = qs.filter(grade="")
    elif grade:
        qs = qs.filter(grade=grade)
    if listed == "abnormal":
        qs = qs.filter(abnormal_since__isnull=False)
    elif listed == "violation":
        qs = qs.filter(violation_since__isnull=False)
    return qs


def org_get_for_user(user, pk) -> SocialOrg:
    found = org_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def rating_get_for_user(user, pk) -> Rating:
    found = scoped(Rating.objects.select_related("org"), user, "org__region__code").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def grades_expiring(user, *, on: dt.date, within_days: int = 90) -> QuerySet[SocialOrg]:
    """Expiry reminders: grades whose validity ends within `within_days`."""
    return (
        org_list_for_user(user).exclude(grade="").filter(grade_until__range=(on, on + dt.timedelta(days=within_days)))
    )


def reports_missing(user, *, year: int) -> QuerySet[SocialOrg]:
    """Organisations without a report on `year` (due 31 March of the next)."""
    from ..models import AnnualReport

    has = AnnualReport.objects.filter(org=OuterRef("pk"), year=year)
    return (
        org_list_for_user(user)
        .filter(registered_on__lt=dt.date(year, 12, 31))
        .annotate(has=Exists(has))
        .filter(has=False)
    )


# ---------------------------------------------------------------- residents


def resident_community(user) -> Region | None:
    person = getattr(user, "person", None)
    if person is None:
        return None
    region = person.hukou_region
    return region if region.level == Region.Level.VILLAGE else None


def resident_voter_status(user) -> list[dict]:
    """For each election of the resident's community not yet handed over: on the roll or not."""
    region = resident_community(user)
    if region is None:
        return []
    elections = (
        Election.objects.filter(region=region)
        .exclude(state=Election.State.HANDED_OVER)
        .order_by("-election_day")
        .prefetch_related(Prefetch("voters", Voter.objects.filter(person_id=user.person_id), to_attr="mine"))
    )
    out = []
    for e in elections:  # two queries in all: the elections, and the resident's line on each roll
        voter = e.mine[0] if e.mine else None
        out.append({"election": e, "voter": voter, "on_roll": bool(voter and not voter.removed)})
    return out


def resident_topics(user) -> QuerySet[Topic]:
    """The topics the resident proposed or follows."""
    followed = TopicFollow.objects.filter(user=user).values("topic_id")
    return Topic.objects.filter(Q(proposer_user=user) | Q(pk__in=followed)).select_related("region").order_by("-id")


def resident_topic_get(user, pk) -> Topic:
    found = resident_topics(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def today() -> dt.date:
    return clock.today()


def scoped_region(user, code: str) -> Region | None:
    return scoped(Region.objects.filter(code=code), user, "code").first()
