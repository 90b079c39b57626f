"""Eldercare factories: elders with an exact birth date (the ID number carries it)."""

import datetime as dt
import itertools

from civil_affairs import rules as core_rules
from tests.civil_affairs.factories import PersonFactory

_seq = itertools.count(1)


def id_number_born(birth: dt.date, *, address_code: str = "320612", male: bool = True) -> str:
    n = next(_seq) % 499
    return core_rules.make_id_number(address_code, birth, n * 2 + (1 if male else 2))


def elder(birth: dt.date, region, *, death: dt.date | None = None, **extra):
    """A person born on `birth` with 户籍 in `region` (and a death date, if given)."""
    return PersonFactory(
        id_number=id_number_born(birth, address_code=region.code[:6]),
        hukou_region=region,
        death_date=death,
        **extra,
    )
