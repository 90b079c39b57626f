"""Builders for community's tests: people with exact birth dates, elections at a step."""

import datetime as dt
import itertools

from civil_affairs import rules as core_rules
from civil_affairs.models import Person
from community import services
from community.models import Election, SocialOrg

_seq = itertools.count(1)


def person(region, *, birth=dt.date(1980, 1, 1), name=None, dead=None, male=True):
    n = next(_seq)
    seq = (n % 499) * 2 + (1 if male else 0) or 2
    number = core_rules.make_id_number(region.code[:6], birth, seq)
    while Person.objects.filter(id_number=number).exists():
        n = next(_seq)
        seq = (n % 499) * 2 + (1 if male else 0) or 2
        number = core_rules.make_id_number(region.code[:6], birth, seq)
    return Person.objects.create(
        id_number=number,
        name=name or "居民" + "".join("〇一二三四五六七八九"[int(d)] for d in str(n)),
        hukou_region=region,
        residence_region=region,
        death_date=dead,
    )


def voters(region, n, *, birth=dt.date(1980, 1, 1)):
    return [person(region, birth=birth) for _ in range(n)]


DAY = dt.date(2026, 6, 20)
FORMED = dt.date(2026, 5, 1)
PUBLISHED = dt.date(2026, 5, 30)  # 21 days ahead


def election(actor, region, *, day=DAY, seats=3, to=Election.State.PREPARING, candidates=4):
    e = services.election_create(actor=actor, region=region, election_day=day, committee_formed_on=FORMED, seats=seats)
    order = [Election.State.ROLL, Election.State.PUBLISHED, Election.State.CANDIDATES]
    if to == Election.State.PREPARING:
        return e
    services.voter_roll_build(actor=actor, elections=[e])
    if to == Election.State.ROLL:
        return Election.objects.get(pk=e.pk)
    services.roll_publish(actor=actor, election=e, published_on=PUBLISHED)
    if to == Election.State.PUBLISHED:
        return Election.objects.get(pk=e.pk)
    people = [v.person for v in e.voters.select_related("person").order_by("id")[:candidates]]
    services.candidates_set(actor=actor, election=e, people=people)
    assert to in order
    return Election.objects.get(pk=e.pk)


def org(region, **kw):
    base = dict(name="金沙社区志愿者协会", kind=SocialOrg.Kind.COMMUNITY, registered_on=dt.date(2020, 3, 1))
    base.update(kw)
    return SocialOrg.objects.create(region=region, **base)
