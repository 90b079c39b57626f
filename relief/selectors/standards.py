"""Relief's standards in force: the core's dated parameters (civil_affairs.
parameters) for relief's keys, as a rules.Standards."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from civil_affairs.errors import DomainError
from civil_affairs.models import Parameter
from civil_affairs.parameters import parameter_label, parameter_list_for_user, parameters_by_region, parameters_in_force
from civil_affairs.rules import region_ancestors  # noqa: F401 - relief's modules import it from here

from ..parameters import KEYS
from ..rules import Standards


def standards_in_force(region_code: str, on: dt.date) -> Standards:
    """One query: the values in force for the region on the day (nearest
    region up the tree, then the newest date), or a DomainError naming what is missing."""
    try:
        return Standards.from_values(parameters_in_force(region_code, on, keys=KEYS))
    except KeyError as exc:
        labels = ", ".join(parameter_label(k) for k in exc.args[0])
        raise DomainError(
            _("区划 %(code)s 在 %(day)s 缺少救助标准：%(keys)s。请管理员在后台补充。")
            % {"code": region_code, "day": on.isoformat(), "keys": labels}
        ) from None


def standards_by_region(on: dt.date, *, regions: list[str] | None = None) -> dict[str, Standards]:
    """The standards in force on `on` for every region (or the given codes),
    for the set-based batches; regions missing a value are left out (the
    batches report them)."""
    result: dict[str, Standards] = {}
    for code, values in parameters_by_region(on, regions=regions, keys=KEYS).items():
        try:
            result[code] = Standards.from_values(values)
        except KeyError:
            continue
    return result


def standard_list_for_user(user) -> QuerySet[Parameter]:
    """Relief's rows of the user's region, its subtree and its ancestors (which apply to it)."""
    from civil_affairs.permissions import has_capability

    if not has_capability(user, "relief_view"):
        return Parameter.objects.none()
    return parameter_list_for_user(user, keys=KEYS)
