"""Community's dated parameters (civil_affairs.parameters): the score bands of
social-organisation grades, the lowest score of each grade out of 1 000.  The
shipped defaults (rules.DEFAULT_BANDS) hold where no value is set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import ParameterKey

from . import rules

BAND_KEYS: dict[str, str] = {grade: f"org_band_{grade.lower()}" for grade in rules.GRADES}

PARAMETER_KEYS: tuple[ParameterKey, ...] = tuple(
    ParameterKey(
        key,
        format_lazy(_("社会组织{grade}等级最低分"), grade=grade),
        _("分"),
        kind="int",
        min=Decimal(1),
        max=Decimal(1000),
    )
    for grade, key in BAND_KEYS.items()
)


def bands_in_force(region_code: str, on: dt.date) -> dict[str, int]:
    """The score bands for an organisation filed in `region_code`, on `on`."""
    from civil_affairs.parameters import parameters_in_force

    values = parameters_in_force(region_code, on, keys=BAND_KEYS.values())
    bands = {grade: int(values.get(key, rules.DEFAULT_BANDS[grade])) for grade, key in BAND_KEYS.items()}
    return bands if rules.bands_problem(bands) is None else dict(rules.DEFAULT_BANDS)
