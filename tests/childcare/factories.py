"""Builders for childcare tests: children with exact birth dates, their
households, and cases taken through the procedure."""

import datetime as dt
import itertools

from childcare import services
from childcare.models import Child
from civil_affairs.models import HouseholdMember
from civil_affairs.rules import make_id_number
from tests.civil_affairs.factories import MemberFactory, PersonFactory

TODAY = dt.date(2026, 11, 2)  # a Monday
_seq = itertools.count(101)


def id_for(birth: dt.date, address_code: str = "320612") -> str:
    return make_id_number(address_code, birth, next(_seq) % 999 or 7)


def person(region, birth=dt.date(2015, 4, 1), name=None, **extra):
    values = {"id_number": id_for(birth), "hukou_region": region, "residence_region": region, **extra}
    if name:
        values["name"] = name
    return PersonFactory(**values)


def family(region, child_birth=dt.date(2015, 4, 1)):
    """A grandparent as head (the guardian) and a grandchild in one household."""
    head = MemberFactory(household__region=region, person__id_number=id_for(dt.date(1958, 3, 3)), person__name="刘奶奶")
    child = MemberFactory(
        household=head.household,
        relation=HouseholdMember.Relation.GRANDCHILD,
        person__id_number=id_for(child_birth),
        person__name="刘小明",
    )
    return head.person, child.person


DEAD_PARENTS = [
    {"which": "father", "code": "dead", "since": dt.date(2024, 5, 1), "evidence": "死亡证明"},
    {"which": "mother", "code": "dead", "since": dt.date(2025, 2, 1), "evidence": "死亡证明"},
]


def submitted(actor, child, guardian=None, parents=DEAD_PARENTS, **extra):
    return services.case_submit(
        actor=actor,
        child=child,
        guardian=guardian,
        category=extra.pop("category", "orphan"),
        setting=extra.pop("setting", "dispersed"),
        parents=parents,
        bank_account="6228480012345678901",
        bank_name="农业银行",
        **extra,
    )


def approved(case, checker, decider):
    services.case_check(actor=checker, case=case, recommend=True, opinion="情况属实")
    return services.case_decide(actor=decider, case=case, approve=True, note="同意")


def registered(actor, region, risk="high", **extra) -> Child:
    return services.child_register(
        actor=actor,
        person=person(region, birth=extra.pop("birth", dt.date(2014, 6, 1))),
        kind=extra.pop("kind", "left_behind"),
        risk=risk,
        guardian_name="王奶奶",
        guardian_situation="年老体弱",
        school="金沙小学",
        **extra,
    )
