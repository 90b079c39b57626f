"""Eldercare's dated parameters, kept in the core's Parameter table
(civil_affairs.parameters) and registered with the area in apps.py.
DEFAULTS are the demo values (DOMAIN.md "Eldercare"), shipped at city level
by the data migration and used where no row is in force."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import ParameterKey

PARAMETER_KEYS: tuple[ParameterKey, ...] = (
    ParameterKey("senior_allowance_80", _("尊老金：80–89岁"), _("元/人·月")),
    ParameterKey("senior_allowance_90", _("尊老金：90–99岁"), _("元/人·月")),
    ParameterKey("senior_allowance_100", _("尊老金：100岁及以上"), _("元/人·月")),
    ParameterKey("homecare_allowance_poor", _("居家养老服务补贴：低保、特困老人"), _("元/人·月")),
    ParameterKey("homecare_allowance_other", _("居家养老服务补贴：其他符合条件老人"), _("元/人·月")),
    ParameterKey("homecare_allowance_severe_extra", _("居家养老服务补贴：重度/完全失能加发"), _("元/人·月")),
    ParameterKey("meal_subsidy_general", _("助餐补贴：60岁以上老人"), _("元/餐")),
    ParameterKey("meal_subsidy_poor", _("助餐补贴：低保、特困老人"), _("元/餐")),
    ParameterKey("meal_daily_cap", _("每日补贴餐次上限"), _("餐"), kind="int", min=Decimal(1), max=Decimal(5)),
    ParameterKey("assessment_valid_months", _("能力评估有效期"), _("月"), kind="int", min=Decimal(1), max=Decimal(60)),
    ParameterKey(
        "vulnerable_visit_interval_days", _("探访关爱：探访周期"), _("天"), kind="int", min=Decimal(1), max=Decimal(31)
    ),
    # home adaptations and family care beds (rules.py: who, the cap per home, the deadlines of each step)
    ParameterKey("adaptation_cap_poor", _("适老化改造/家庭养老床位补助上限：低保、特困老人"), _("元/户")),
    ParameterKey("adaptation_cap_other", _("适老化改造/家庭养老床位补助上限：其他符合条件老人"), _("元/户")),
    ParameterKey(
        "adaptation_assess_working_days",
        _("适老化改造：受理后评估时限"),
        _("工作日"),
        kind="int",
        min=Decimal(1),
        max=Decimal(60),
    ),
    ParameterKey(
        "adaptation_order_working_days",
        _("适老化改造：评估后派单时限"),
        _("工作日"),
        kind="int",
        min=Decimal(1),
        max=Decimal(60),
    ),
    ParameterKey(
        "adaptation_work_days", _("适老化改造：派单后完工时限"), _("天"), kind="int", min=Decimal(1), max=Decimal(180)
    ),
    ParameterKey(
        "adaptation_accept_working_days",
        _("适老化改造：完工后验收时限"),
        _("工作日"),
        kind="int",
        min=Decimal(1),
        max=Decimal(60),
    ),
    ParameterKey(
        "adaptation_pay_working_days",
        _("适老化改造：验收后支付时限"),
        _("工作日"),
        kind="int",
        min=Decimal(1),
        max=Decimal(60),
    ),
)

DEFAULTS: dict[str, Decimal] = {
    "senior_allowance_80": Decimal("50.00"),
    "senior_allowance_90": Decimal("150.00"),
    "senior_allowance_100": Decimal("500.00"),
    "homecare_allowance_poor": Decimal("200.00"),
    "homecare_allowance_other": Decimal("100.00"),
    "homecare_allowance_severe_extra": Decimal("100.00"),
    "meal_subsidy_general": Decimal("3.00"),
    "meal_subsidy_poor": Decimal("8.00"),
    "meal_daily_cap": Decimal("2"),
    "assessment_valid_months": Decimal("12"),
    "vulnerable_visit_interval_days": Decimal("7"),
    "adaptation_cap_poor": Decimal("5000.00"),
    "adaptation_cap_other": Decimal("3000.00"),
    "adaptation_assess_working_days": Decimal("10"),
    "adaptation_order_working_days": Decimal("5"),
    "adaptation_work_days": Decimal("30"),
    "adaptation_accept_working_days": Decimal("5"),
    "adaptation_pay_working_days": Decimal("10"),
}
KEYS = tuple(k.key for k in PARAMETER_KEYS)
EFFECTIVE_FROM = "2020-01-01"


def with_defaults(values: dict[str, Decimal]) -> dict[str, Decimal]:
    """Values in force, each missing key filled with its default."""
    return {**DEFAULTS, **{k: v for k, v in values.items() if k in DEFAULTS}}
