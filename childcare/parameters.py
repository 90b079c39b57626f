"""Childcare's dated parameters, kept in the core's Parameter table (one key per
field of rules.Standards), registered with the area in apps.py; defaults come
from the data migration 0002 (city level, effective 2020-01-01)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import ParameterKey

from .rules import DEMO, Standards

_ONE = Decimal(1)

PARAMETER_KEYS: tuple[ParameterKey, ...] = (
    ParameterKey("childcare_rate_institutional", _("孤儿基本生活费：机构集中养育"), _("元/人·月")),
    ParameterKey("childcare_rate_dispersed", _("孤儿基本生活费：社会散居"), _("元/人·月")),
    ParameterKey("childcare_rate_unsupported", _("事实无人抚养儿童基本生活补贴"), _("元/人·月")),
    ParameterKey("childcare_age_end", _("基本生活费发放年龄上限"), _("周岁"), kind="int", min=_ONE, max=Decimal(25)),
    ParameterKey(
        "childcare_school_age_end", _("全日制在校延长发放年龄上限"), _("周岁"), kind="int", min=_ONE, max=Decimal(30)
    ),
    ParameterKey("childcare_condition_months", _("失联、服刑等情形持续时间"), _("月"), kind="int", min=_ONE),
    ParameterKey("childcare_check_working_days", _("街道审核时限"), _("工作日"), kind="int", min=_ONE),
    ParameterKey("childcare_decision_working_days", _("区县审批时限"), _("工作日"), kind="int", min=_ONE),
    ParameterKey("childcare_visit_months_high", _("高风险儿童走访周期"), _("月"), kind="int", min=_ONE),
    ParameterKey("childcare_visit_months_medium", _("中风险儿童走访周期"), _("月"), kind="int", min=_ONE),
    ParameterKey("childcare_visit_months_low", _("低风险儿童走访周期"), _("月"), kind="int", min=_ONE),
    ParameterKey("childcare_first_visit_days_high", _("高风险儿童首次走访时限"), _("工作日"), kind="int", min=_ONE),
    ParameterKey("childcare_first_visit_days_medium", _("中风险儿童首次走访时限"), _("工作日"), kind="int", min=_ONE),
    ParameterKey("childcare_first_visit_days_low", _("低风险儿童首次走访时限"), _("工作日"), kind="int", min=_ONE),
)
KEYS: tuple[str, ...] = tuple(k.key for k in PARAMETER_KEYS)
assert list(KEYS) == Standards.keys()

# The defaults the data migration ships (Nantong's figures from DOMAIN.md).
DEFAULTS: dict[str, Decimal] = {f"childcare_{name}": Decimal(getattr(DEMO, name)) for name in DEMO.__dataclass_fields__}
