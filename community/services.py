"""Every write of grassroots governance: typed keyword-only services, each in a
transaction, each recording an audit event, raising DomainError in Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, Person, Region
from civil_affairs.services import audit_record, audit_rows_sql, document_check

from . import rules
from .models import (
    AnnualReport,
    BallotBox,
    BoxVote,
    Candidate,
    Committee,
    CommitteeMember,
    Election,
    Rating,
    SocialOrg,
    Topic,
    TopicEntry,
    TopicFollow,
    Voter,
)
from .parameters import bands_in_force

CREATE, UPDATE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE
ES = Election.State


def _community(region: Region) -> None:
    if region.level != Region.Level.VILLAGE:
        raise DomainError(_("只能为社区或村（第5级区划）办理：%(name)s 不是社区或村。") % {"name": region.name})


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _state(election: Election, *allowed: str) -> None:
    if election.state not in allowed:
        raise DomainError(_("选举当前处于“%(state)s”，不能办理此步骤。") % {"state": election.get_state_display()})


# ---------------------------------------------------------------- committees


@transaction.atomic
def committee_seat(
    *,
    actor,
    region: Region,
    term_start: dt.date,
    members: Sequence[tuple[Person, str]],
    election: Election | None = None,
) -> Committee:
    """A new committee takes office for 5 years; the previous one ends."""
    _community(region)
    if not 3 <= len(members) <= 7:
        raise DomainError(_("居（村）民委员会由 3 至 7 人组成，收到 %(n)d 人。") % {"n": len(members)})
    if sum(1 for _p, post in members if post == CommitteeMember.Post.CHAIR) != 1:
        raise DomainError(_("委员会须有且只有一名主任。"))
    Committee.objects.filter(region=region, current=True).update(current=False)
    end = rules.term_end(term_start)
    committee = Committee.objects.create(region=region, term_start=term_start, term_end=end, election=election)
    CommitteeMember.objects.bulk_create(
        CommitteeMember(committee=committee, person=p, post=post, term_start=term_start, term_end=end)
        for p, post in members
    )
    audit_record(
        actor=actor,
        action=CREATE,
        target=committee,
        changes={"step": "committee_seated", "term_start": term_start, "term_end": end, "members": len(members)},
    )
    return committee


# ---------------------------------------------------------------- elections


@transaction.atomic
def election_create(
    *,
    actor,
    region: Region,
    election_day: dt.date,
    committee_formed_on: dt.date,
    election_committee: str = "",
    seats: int = 5,
) -> Election:
    """An election committee is formed: the election starts."""
    _community(region)
    if not 3 <= seats <= 7:
        raise DomainError(_("应选名额应为 3 至 7 名，收到 %(n)d。") % {"n": seats})
    if election_day < committee_formed_on + dt.timedelta(days=rules.PUBLICATION_DAYS):
        raise DomainError(
            _("选举日 %(day)s 距选举委员会组成（%(formed)s）不足 %(days)d 天，来不及提前公布选民名单。")
            % {"day": election_day, "formed": committee_formed_on, "days": rules.PUBLICATION_DAYS}
        )
    if Election.objects.filter(region=region).exclude(state=ES.HANDED_OVER).exists():
        raise DomainError(_("%(name)s 已有一场未完成的选举。") % {"name": region.name})
    election = Election.objects.create(
        region=region,
        election_day=election_day,
        committee_formed_on=committee_formed_on,
        election_committee=election_committee,
        seats=seats,
    )
    audit_record(actor=actor, action=CREATE, target=election, changes={"step": "election_create", "day": election_day})
    return election


_E, _P, _V = Election._meta.db_table, Person._meta.db_table, Voter._meta.db_table
_ROLL_AUDIT = audit_rows_sql(
    "(SELECT %(actor)s, %(label)s, 'update', 'community.election', e.id::text, e.region_id, "
    "jsonb_build_object('step', 'roll_build', 'added', coalesce(c.n, 0)) "
    f"FROM {_E} e LEFT JOIN counted c ON c.election_id = e.id WHERE e.id = ANY(%(ids)s))"
)
# The voter rolls of many elections in ONE statement: people whose registered
# residence is the community, 18 or over on election day ('2026-02-28' - 18 years
# is 2008-02-28: someone born on 29 February 2008 is not 18 yet), alive.  Lines
# already there (kept, added or removed by hand) are left as they are: a plain
# anti-join, not ON CONFLICT, as the elections are locked while their rolls are built.
VOTER_ROLL_SQL = f"""
WITH wanted AS (
    SELECT e.id AS election_id, p.id AS person_id
      FROM {_E} e
      JOIN {_P} p ON p.hukou_region_id = e.region_id
     WHERE e.id = ANY(%(ids)s)
       AND p.birth_date <= (e.election_day - interval '18 years')::date
       AND p.death_date IS NULL
), dropped AS (
    DELETE FROM {_V} v
     WHERE v.election_id = ANY(%(ids)s) AND v.source = 'registry' AND NOT v.removed
       AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.election_id = v.election_id AND w.person_id = v.person_id)
    RETURNING v.id
), added AS (
    INSERT INTO {_V} (election_id, person_id, source, added_reason, removed, removed_reason)
    SELECT w.election_id, w.person_id, 'registry', '', false, '' FROM wanted w
     WHERE NOT EXISTS (SELECT 1 FROM {_V} v WHERE v.election_id = w.election_id AND v.person_id = w.person_id)
     ORDER BY w.election_id, w.person_id
    RETURNING election_id
), counted AS (
    SELECT election_id, count(*) AS n FROM added GROUP BY election_id
), moved AS (
    UPDATE {_E} e SET state = 'roll' WHERE e.id = ANY(%(ids)s) AND e.state = 'preparing' RETURNING e.id
), audited AS (
    {_ROLL_AUDIT}
    RETURNING 1
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM dropped), (SELECT count(*) FROM audited),
       (SELECT count(*) FROM moved)
"""


def voter_roll_build(*, actor, elections: Iterable[Election]) -> dict[str, int]:
    """Build (or refresh) the voter rolls of the given elections from the registry in
    ONE statement: people whose registered residence (户籍) is the community, 18 or
    over on election day, alive.  Lines added or removed by hand are kept; a roll
    already published is not touched."""
    ids = [e.pk for e in elections]
    with transaction.atomic():
        locked = list(
            Election.objects.select_for_update().filter(pk__in=ids).values_list("pk", "state", "region__name")
        )
        for _pk, state, name in locked:
            if state not in (ES.PREPARING, ES.ROLL):
                raise DomainError(_("%(name)s 的选民名单已公布，不能再从户籍重建。") % {"name": name})
        with connection.cursor() as cursor:
            cursor.execute(
                VOTER_ROLL_SQL,
                {
                    "ids": ids,
                    "actor": getattr(actor, "pk", None),
                    "label": actor.get_username() if getattr(actor, "pk", None) else "system",
                },
            )
            added, dropped, _audited, _moved = cursor.fetchone()
    return {"added": added, "dropped": dropped}


@transaction.atomic
def voter_add(*, actor, election: Election, person: Person, reason: str) -> Voter:
    election = _locked(Election, election.pk)
    _state(election, ES.PREPARING, ES.ROLL, ES.PUBLISHED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("补充登记选民须写明原因。"))
    if person.death_date:
        raise DomainError(_("%(name)s 已死亡，不能登记为选民。") % {"name": person.name})
    if not rules.is_voting_age(person.birth_date, election.election_day):
        raise DomainError(
            _("%(name)s 到选举日 %(day)s 未满 18 周岁（出生于 %(birth)s）。")
            % {"name": person.name, "day": election.election_day, "birth": person.birth_date}
        )
    voter, created = Voter.objects.get_or_create(
        election=election, person=person, defaults={"source": Voter.Source.ADDED, "added_reason": reason}
    )
    if not created:
        if not voter.removed:
            raise DomainError(_("%(name)s 已在选民名单中。") % {"name": person.name})
        voter.removed, voter.removed_reason = False, ""
        voter.added_reason, voter.source = reason, Voter.Source.ADDED
        voter.save(update_fields=["removed", "removed_reason", "added_reason", "source"])
    audit_record(
        actor=actor,
        action=UPDATE,
        target=election,
        changes={"step": "voter_add", "person": person.pk, "reason": reason},
    )
    return voter


@transaction.atomic
def voter_remove(*, actor, election: Election, voter: Voter, reason: str) -> Voter:
    election = _locked(Election, election.pk)
    _state(election, ES.PREPARING, ES.ROLL, ES.PUBLISHED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("选民除名须写明原因。"))
    if voter.election_id != election.pk:
        raise DomainError(_("该选民不在本次选举的名单中。"))
    voter.removed, voter.removed_reason = True, reason
    voter.save(update_fields=["removed", "removed_reason"])
    audit_record(
        actor=actor,
        action=UPDATE,
        target=election,
        changes={"step": "voter_remove", "person": voter.person_id, "reason": reason},
    )
    return voter


@transaction.atomic
def roll_publish(*, actor, election: Election, published_on: dt.date) -> Election:
    """Publish the voter list: at least 20 days before election day (an earlier date is refused)."""
    election = _locked(Election, election.pk)
    _state(election, ES.ROLL)
    problem = rules.publication_problem(published_on, election.election_day)
    if problem:
        raise DomainError(problem)
    if not election.voters.filter(removed=False).exists():
        raise DomainError(_("选民名单为空，不能公布。"))
    election.roll_published_on = published_on
    election.state = ES.PUBLISHED
    election.save(update_fields=["roll_published_on", "state"])
    audit_record(actor=actor, action=UPDATE, target=election, changes={"step": "roll_publish", "on": published_on})
    return election


@transaction.atomic
def election_reschedule(*, actor, election: Election, election_day: dt.date) -> Election:
    """Move election day; with the list published, never to fewer than 20 days after its publication."""
    election = _locked(Election, election.pk)
    _state(election, ES.PREPARING, ES.ROLL, ES.PUBLISHED, ES.CANDIDATES)
    if election.roll_published_on:
        problem = rules.publication_problem(election.roll_published_on, election_day)
        if problem:
            raise DomainError(problem)
    old = election.election_day
    election.election_day = election_day
    election.save(update_fields=["election_day"])
    audit_record(
        actor=actor, action=UPDATE, target=election, changes={"step": "reschedule", "election_day": [old, election_day]}
    )
    return election


@transaction.atomic
def candidates_set(*, actor, election: Election, people: Sequence[Person]) -> list[Candidate]:
    election = _locked(Election, election.pk)
    _state(election, ES.PUBLISHED, ES.CANDIDATES)
    if len(people) <= election.seats:
        raise DomainError(
            _("候选人应多于应选名额（差额选举）：应选 %(seats)d 名，候选人 %(n)d 名。")
            % {"seats": election.seats, "n": len(people)}
        )
    on_roll = set(election.voters.filter(removed=False, person__in=people).values_list("person_id", flat=True))
    off = [p.name for p in people if p.pk not in on_roll]
    if off:
        raise DomainError(_("候选人须为本次选举的登记选民：%(names)s 不在选民名单中。") % {"names": "、".join(off)})
    election.candidates.all().delete()
    made = Candidate.objects.bulk_create(Candidate(election=election, person=p) for p in people)
    election.state = ES.CANDIDATES
    election.save(update_fields=["state"])
    audit_record(actor=actor, action=UPDATE, target=election, changes={"step": "candidates", "candidates": len(made)})
    return made


def _box_counts(election: Election, boxes: Sequence[Mapping]) -> list[rules.BoxCount]:
    names = {c.pk: c.person.name for c in election.candidates.select_related("person")}
    return [
        rules.BoxCount(
            name=b["name"],
            registered=b["registered"],
            issued=b["issued"],
            returned=b["returned"],
            valid=b["valid"],
            invalid=b["invalid"],
            votes={names[int(c)]: int(n) for c, n in b["votes"].items()},
        )
        for b in boxes
    ]


@transaction.atomic
def results_enter(*, actor, election: Election, boxes: Sequence[Mapping]) -> rules.Outcome:
    """Enter the ballot boxes (name, registered, issued, returned, valid, invalid,
    votes {candidate id: n}); refused, with the numbers that disagree, unless they
    add up.  Validity and winners are computed, never typed in."""
    election = _locked(Election, election.pk)
    _state(election, ES.CANDIDATES, ES.COUNTED)
    if not boxes:
        raise DomainError(_("请至少录入一个票箱。"))
    names = [b["name"] for b in boxes]
    if len(set(names)) != len(names):
        raise DomainError(_("票箱名称重复。"))
    candidate_ids = set(election.candidates.values_list("pk", flat=True))
    for b in boxes:
        if set(int(c) for c in b["votes"]) - candidate_ids:
            raise DomainError(_("票箱“%(box)s”含有不是本次选举候选人的得票。") % {"box": b["name"]})
    counts = _box_counts(election, boxes)
    roll_size = election.voters.filter(removed=False).count()
    problems = rules.boxes_problems(counts, seats=election.seats, roll_size=roll_size)
    if problems:
        raise DomainError(_("票数不符，未保存：") + " ".join(problems))
    outcome = rules.election_outcome(registered=roll_size, boxes=counts, seats=election.seats)
    election.boxes.all().delete()
    for b in boxes:
        box = BallotBox.objects.create(
            election=election, **{k: b[k] for k in ("name", "registered", "issued", "returned", "valid", "invalid")}
        )
        BoxVote.objects.bulk_create(BoxVote(box=box, candidate_id=int(c), votes=int(n)) for c, n in b["votes"].items())
    for candidate in election.candidates.select_related("person"):
        name = candidate.person.name
        candidate.votes = outcome.votes.get(name, 0)
        candidate.elected = name in outcome.elected
        candidate.runoff = name in outcome.runoff
        candidate.save(update_fields=["votes", "elected", "runoff"])
    election.registered, election.voted, election.turnout = outcome.registered, outcome.voted, outcome.turnout
    election.valid, election.runoff_required = outcome.valid, outcome.runoff_required
    election.state = ES.COUNTED
    election.save(update_fields=["registered", "voted", "turnout", "valid", "runoff_required", "state"])
    audit_record(
        actor=actor,
        action=UPDATE,
        target=election,
        changes={
            "step": "results",
            "registered": outcome.registered,
            "voted": outcome.voted,
            "turnout": outcome.turnout,
            "valid": outcome.valid,
            "elected": list(outcome.elected),
            "runoff": list(outcome.runoff),
        },
    )
    return outcome


@transaction.atomic
def results_announce(*, actor, election: Election, announced_on: dt.date) -> Election:
    election = _locked(Election, election.pk)
    _state(election, ES.COUNTED)
    if announced_on < election.election_day:
        raise DomainError(_("公告日期不能早于选举日 %(day)s。") % {"day": election.election_day})
    election.announced_on = announced_on
    election.handover_due = rules.handover_due(announced_on)
    election.state = ES.ANNOUNCED
    election.save(update_fields=["announced_on", "handover_due", "state"])
    audit_record(actor=actor, action=UPDATE, target=election, changes={"step": "announce", "on": announced_on})
    return election


@transaction.atomic
def handover_record(
    *, actor, election: Election, handed_over_on: dt.date, chair: Person | None = None, vices: Sequence[Person] = ()
) -> Committee:
    """The new committee takes over (flagged late after 10 days); its members start their 5-year terms."""
    election = _locked(Election, election.pk)
    _state(election, ES.ANNOUNCED)
    if election.runoff_required:
        raise DomainError(_("本次选举需另行选举，尚未选出全部成员，不能移交。"))
    if handed_over_on < election.announced_on:
        raise DomainError(_("移交日期不能早于结果公告日期 %(day)s。") % {"day": election.announced_on})
    winners = [
        c.person for c in election.candidates.filter(elected=True).select_related("person").order_by("-votes", "id")
    ]
    chair = chair or winners[0]
    if chair.pk not in {p.pk for p in winners}:
        raise DomainError(_("主任须从当选成员中产生。"))
    vice_ids = {p.pk for p in vices}
    members = [(p, "chair" if p.pk == chair.pk else "vice" if p.pk in vice_ids else "member") for p in winners]
    election.handed_over_on = handed_over_on
    election.handover_late = rules.handover_late(election.announced_on, handed_over_on)
    election.state = ES.HANDED_OVER
    election.save(update_fields=["handed_over_on", "handover_late", "state"])
    audit_record(
        actor=actor,
        action=UPDATE,
        target=election,
        changes={"step": "handover", "on": handed_over_on, "late": election.handover_late},
    )
    return committee_seat(
        actor=actor, region=election.region, term_start=election.announced_on, members=members, election=election
    )


# ---------------------------------------------------------------- deliberation

TS = Topic.State


def _entry(topic: Topic, *, actor, step: str, note: str = "", progress: int | None = None, on: dt.date | None = None):
    return TopicEntry.objects.create(
        topic=topic, step=step, on=on or clock.today(), note=note, progress=progress, actor=actor
    )


def _topic_step(topic: Topic, allowed: Sequence[str]) -> Topic:
    topic = _locked(Topic, topic.pk)
    if topic.state not in allowed:
        raise DomainError(_("议题当前处于“%(state)s”，不能办理此步骤。") % {"state": topic.get_state_display()})
    return topic


def _audit_topic(actor, topic: Topic, step: str, **changes):
    audit_record(actor=actor, action=UPDATE, target=topic, changes={"step": step, **changes})


@transaction.atomic
def topic_propose(*, actor, region: Region, title: str, description: str = "", proposer: Person | None = None) -> Topic:
    """议题征集: a resident (from the portal) or a committee member proposes a topic."""
    _community(region)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写议题。"))
    topic = Topic.objects.create(
        region=region,
        title=title[:120],
        description=description or "",
        proposer=proposer,
        proposer_user=actor if getattr(actor, "pk", None) else None,
        proposed_on=clock.today(),
    )
    _entry(topic, actor=actor, step="propose", note=title)
    audit_record(actor=actor, action=CREATE, target=topic, changes={"step": "propose", "title": title})
    if getattr(actor, "pk", None) and actor.is_resident:
        TopicFollow.objects.get_or_create(topic=topic, user=actor)
    return topic


@transaction.atomic
def topic_accept(*, actor, topic: Topic, participants: str = "") -> Topic:
    topic = _topic_step(topic, [TS.PROPOSED])
    topic.state, topic.participants = TS.ACCEPTED, participants
    topic.save(update_fields=["state", "participants"])
    _entry(topic, actor=actor, step="accept", note=participants)
    _audit_topic(actor, topic, "accept")
    return topic


@transaction.atomic
def topic_decline(*, actor, topic: Topic, reason: str) -> Topic:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("不予采纳须写明理由，提议人可以看到。"))
    topic = _topic_step(topic, [TS.PROPOSED])
    topic.state, topic.decline_reason = TS.DECLINED, reason
    topic.save(update_fields=["state", "decline_reason"])
    _entry(topic, actor=actor, step="decline", note=reason)
    _audit_topic(actor, topic, "decline", reason=reason)
    return topic


@transaction.atomic
def topic_notify(*, actor, topic: Topic, notice: str, meeting_on: dt.date, meeting_place: str = "") -> Topic:
    if not (notice or "").strip():
        raise DomainError(_("请填写会议通知及材料内容。"))
    if meeting_on < clock.today():
        raise DomainError(_("会议日期 %(day)s 已过，通知须在会前发出。") % {"day": meeting_on})
    topic = _topic_step(topic, [TS.ACCEPTED])
    topic.state, topic.notice, topic.meeting_on, topic.meeting_place = TS.NOTIFIED, notice, meeting_on, meeting_place
    topic.save(update_fields=["state", "notice", "meeting_on", "meeting_place"])
    _entry(topic, actor=actor, step="notify", note=notice)
    _audit_topic(actor, topic, "notify", meeting_on=meeting_on)
    return topic


@transaction.atomic
def topic_meet(*, actor, topic: Topic, attendance: int, minutes: str) -> Topic:
    if attendance is None or attendance < 1:
        raise DomainError(_("请填写参会人数（至少 1 人）。"))
    if not (minutes or "").strip():
        raise DomainError(_("请填写会议记录。"))
    topic = _topic_step(topic, [TS.NOTIFIED])
    topic.state, topic.attendance, topic.minutes = TS.MET, attendance, minutes
    topic.save(update_fields=["state", "attendance", "minutes"])
    _entry(topic, actor=actor, step="meet", note=minutes)
    _audit_topic(actor, topic, "meet", attendance=attendance)
    return topic


@transaction.atomic
def topic_resolve(*, actor, topic: Topic, resolution: str, owner: str, due_on: dt.date) -> Topic:
    if not (resolution or "").strip():
        raise DomainError(_("请填写协商意见。"))
    if not (owner or "").strip():
        raise DomainError(_("请填写实施责任人。"))
    topic = _topic_step(topic, [TS.MET])
    if due_on < (topic.meeting_on or clock.today()):
        raise DomainError(_("完成期限不能早于会议日期。"))
    topic.state, topic.resolution, topic.owner, topic.due_on = TS.RESOLVED, resolution, owner, due_on
    topic.save(update_fields=["state", "resolution", "owner", "due_on"])
    _entry(topic, actor=actor, step="resolve", note=resolution)
    _audit_topic(actor, topic, "resolve", owner=owner, due_on=due_on)
    return topic


@transaction.atomic
def topic_publish(*, actor, topic: Topic, published_on: dt.date | None = None) -> Topic:
    topic = _topic_step(topic, [TS.RESOLVED])
    topic.state, topic.published_on = TS.PUBLISHED, published_on or clock.today()
    topic.save(update_fields=["state", "published_on"])
    _entry(topic, actor=actor, step="publish", on=topic.published_on)
    _audit_topic(actor, topic, "publish")
    return topic


@transaction.atomic
def topic_progress(
    *, actor, topic: Topic, progress: int, note: str, evidence=None, on: dt.date | None = None
) -> TopicEntry:
    """实施: a timeline entry with progress % and an optional evidence file; 100 % completes it."""
    if progress is None or not 0 <= progress <= 100:
        raise DomainError(_("实施进度应在 0 至 100 之间。"))
    if not (note or "").strip():
        raise DomainError(_("请填写本次进展说明。"))
    topic = _topic_step(topic, [TS.PUBLISHED, TS.EXECUTING])
    if progress < topic.progress:
        raise DomainError(
            _("进度不能倒退：当前 %(now)d%%，填报 %(new)d%%。") % {"now": topic.progress, "new": progress}
        )
    entry = TopicEntry(topic=topic, step="progress", on=on or clock.today(), note=note, progress=progress, actor=actor)
    if evidence is not None:
        entry.evidence_type = document_check(evidence)
        entry.evidence_name = evidence.name[:200]
        entry.evidence.save(evidence.name, evidence, save=False)
    entry.save()
    topic.progress = progress
    topic.state = TS.DONE if progress == 100 else TS.EXECUTING
    fields = ["progress", "state"]
    if progress == 100:
        topic.completed_on = entry.on
        fields.append("completed_on")
    topic.save(update_fields=fields)
    _audit_topic(actor, topic, "progress", progress=progress, evidence=entry.evidence_name)
    return entry


@transaction.atomic
def topic_feedback(*, actor, topic: Topic, feedback: str) -> Topic:
    if not (feedback or "").strip():
        raise DomainError(_("请填写反馈内容。"))
    topic = _topic_step(topic, [TS.DONE])
    topic.state, topic.feedback = TS.REPORTED, feedback
    topic.save(update_fields=["state", "feedback"])
    _entry(topic, actor=actor, step="feedback", note=feedback)
    _audit_topic(actor, topic, "feedback")
    return topic


@transaction.atomic
def topic_follow(*, user, topic: Topic) -> TopicFollow:
    follow, _created = TopicFollow.objects.get_or_create(topic=topic, user=user)
    return follow


# ---------------------------------------------------------------- social organisations


@transaction.atomic
def org_file(*, actor, region: Region, name: str, kind: str, registered_on: dt.date, **fields) -> SocialOrg:
    """登记/备案: community social organisations are filed at street level."""
    if kind == SocialOrg.Kind.COMMUNITY and region.level != Region.Level.TOWNSHIP:
        raise DomainError(_("社区社会组织在街道（乡镇）备案，请选择街道或乡镇。"))
    if kind != SocialOrg.Kind.COMMUNITY and region.level > Region.Level.COUNTY:
        raise DomainError(_("社会团体、民办非企业单位和基金会在区县及以上民政部门登记。"))
    if registered_on > clock.today():
        raise DomainError(_("登记日期不能晚于今天。"))
    org = SocialOrg.objects.create(region=region, name=name.strip(), kind=kind, registered_on=registered_on, **fields)
    audit_record(actor=actor, action=CREATE, target=org, changes={"step": "file", "kind": kind})
    return org


@transaction.atomic
def annual_report_record(*, actor, org: SocialOrg, year: int, submitted_on: dt.date, result: str = "") -> AnnualReport:
    if year >= submitted_on.year + 1 or year < org.registered_on.year:
        raise DomainError(_("年度 %(year)d 不在该组织存续期间或尚未结束。") % {"year": year})
    late = submitted_on > rules.annual_report_due(year)
    report, created = AnnualReport.objects.update_or_create(
        org=org, year=year, defaults={"submitted_on": submitted_on, "late": late, "result": result}
    )
    audit_record(
        actor=actor,
        action=CREATE if created else UPDATE,
        target=org,
        changes={"step": "annual_report", "year": year, "result": result, "late": late},
    )
    return report


def org_record(org: SocialOrg, on: dt.date) -> rules.OrgRecord:
    results = dict(org.reports.exclude(result="").values_list("year", "result"))
    return rules.OrgRecord(
        registered_on=org.registered_on,
        inspection_results=results,
        penalised_last_year=bool(org.penalised_on and org.penalised_on.year == on.year - 1),
        penalty_outstanding=org.penalty_outstanding,
        under_investigation=org.under_investigation,
        abnormal_listed=org.abnormal_since is not None,
        violation_listed=org.violation_since is not None,
        current_grade_until=org.grade_until if org.grade else None,
    )


@transaction.atomic
def rating_apply(*, actor, org: SocialOrg, applied_on: dt.date) -> Rating:
    """An application is taken in, or refused with every reason rules.py finds."""
    org = _locked(SocialOrg, org.pk)
    reasons = rules.rating_refusals(org_record(org, applied_on), applied_on)
    rating = Rating.objects.create(
        org=org,
        applied_on=applied_on,
        state=Rating.State.REFUSED if reasons else Rating.State.APPLIED,
        refusal=" ".join(reasons),
    )
    audit_record(actor=actor, action=CREATE, target=org, changes={"step": "rating_apply", "refused": bool(reasons)})
    return rating


@transaction.atomic
def rating_score(*, actor, rating: Rating, score: int, scored_on: dt.date) -> Rating:
    rating = _locked(Rating, rating.pk)
    if rating.state != Rating.State.APPLIED:
        raise DomainError(_("该评估申请当前状态为“%(s)s”，不能评分。") % {"s": rating.get_state_display()})
    bands = bands_in_force(rating.org.region_id, scored_on)
    try:
        grade = rules.grade_for_score(score, bands)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    rating.score, rating.grade, rating.scored_on = score, grade, scored_on
    rating.state = Rating.State.SCORED
    rating.save(update_fields=["score", "grade", "scored_on", "state"])
    audit_record(
        actor=actor, action=UPDATE, target=rating.org, changes={"step": "rating_score", "score": score, "grade": grade}
    )
    return rating


@transaction.atomic
def rating_object(*, actor, rating: Rating, text: str, received_on: dt.date) -> Rating:
    rating = _locked(Rating, rating.pk)
    if rating.state != Rating.State.SCORED:
        raise DomainError(_("只能在评估结果公示期间提出复核。"))
    if not (text or "").strip():
        raise DomainError(_("请填写复核理由。"))
    rating.objection, rating.objection_on = text, received_on
    rating.objection_due = rules.objection_answer_due(received_on)
    rating.state = Rating.State.OBJECTED
    rating.save(update_fields=["objection", "objection_on", "objection_due", "state"])
    audit_record(actor=actor, action=UPDATE, target=rating.org, changes={"step": "rating_objection"})
    return rating


@transaction.atomic
def rating_answer(*, actor, rating: Rating, answer: str, answered_on: dt.date, score: int | None = None) -> Rating:
    """The written answer to an objection (due within 15 days); a revised score regrades."""
    rating = _locked(Rating, rating.pk)
    if rating.state != Rating.State.OBJECTED:
        raise DomainError(_("该评估没有待答复的复核申请。"))
    if not (answer or "").strip():
        raise DomainError(_("请填写书面答复。"))
    if score is not None and score != rating.score:
        rating.score = score
        rating.grade = rules.grade_for_score(score, bands_in_force(rating.org.region_id, rating.scored_on))
    rating.answer, rating.answered_on = answer, answered_on
    rating.state = Rating.State.SCORED
    rating.save(update_fields=["answer", "answered_on", "state", "score", "grade"])
    audit_record(
        actor=actor,
        action=UPDATE,
        target=rating.org,
        changes={"step": "rating_answer", "late": answered_on > rating.objection_due, "score": rating.score},
    )
    return rating


@transaction.atomic
def rating_finalise(*, actor, rating: Rating, on: dt.date) -> Rating:
    """The grade holds for 5 years from the day it is decided (no grade below 1A: none is given)."""
    rating = _locked(Rating, rating.pk)
    if rating.state != Rating.State.SCORED:
        raise DomainError(_("只有公示期满且无待答复复核的评估才能确定等级。"))
    rating.state = Rating.State.FINAL
    rating.valid_until = rules.rating_valid_until(on) if rating.grade else None
    rating.save(update_fields=["state", "valid_until"])
    org = rating.org
    org.grade, org.grade_until = rating.grade, rating.valid_until
    org.save(update_fields=["grade", "grade_until"])
    audit_record(actor=actor, action=UPDATE, target=org, changes={"step": "rating_final", "grade": rating.grade})
    return rating


@transaction.atomic
def org_list_set(*, actor, org: SocialOrg, which: str, since: dt.date | None, reason: str = "") -> SocialOrg:
    """Put an organisation on (since a date, with a reason) or take it off the abnormal or violation list."""
    org = _locked(SocialOrg, org.pk)
    if since is not None and not (reason or "").strip():
        raise DomainError(_("列入名录须写明原因。"))
    if which == "abnormal":
        org.abnormal_since, org.abnormal_reason = since, reason if since else ""
        fields = ["abnormal_since", "abnormal_reason"]
    elif which == "violation":
        org.violation_since, org.violation_reason = since, reason if since else ""
        fields = ["violation_since", "violation_reason"]
    else:
        raise DomainError(_("未知名录。"))
    org.save(update_fields=fields)
    audit_record(
        actor=actor, action=UPDATE, target=org, changes={"step": f"list_{which}", "since": since, "reason": reason}
    )
    return org
