"""Charity's dated parameters (policy-rules 10.3 and 10.1): the ratios by
organisation type and net-asset band, the admin-cost exemption and the
recognition time limit, kept in the core's Parameter table as charity_<field>
of rules.Standards.  Defaults ship in migration 0002 for every city."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import ParameterKey

ONE = Decimal(1)

LABELS = {
    "spend_public_foundation": _("具有公开募捐资格的基金会：慈善活动支出下限（上年总收入的比例）"),
    "cost_public_foundation": _("具有公开募捐资格的基金会：管理费用上限（当年总支出的比例）"),
    "spend_public_other": _("具有公开募捐资格的社会团体、社会服务机构：慈善活动支出下限（上年总收入的比例）"),
    "cost_public_other": _("具有公开募捐资格的社会团体、社会服务机构：管理费用上限"),
    "spend_band_10m": _("不具有公开募捐资格（净资产1000万元以上）：慈善活动支出下限（净资产的比例）"),
    "cost_band_10m": _("不具有公开募捐资格（净资产1000万元以上）：管理费用上限"),
    "spend_band_5m": _("不具有公开募捐资格（净资产500万至1000万元）：慈善活动支出下限"),
    "cost_band_5m": _("不具有公开募捐资格（净资产500万至1000万元）：管理费用上限"),
    "spend_band_1m": _("不具有公开募捐资格（净资产100万至500万元）：慈善活动支出下限"),
    "cost_band_1m": _("不具有公开募捐资格（净资产100万至500万元）：管理费用上限"),
    "spend_band_small": _("不具有公开募捐资格（净资产100万元以下）：慈善活动支出下限（净资产的比例）"),
    "spend_income_band_small": _("不具有公开募捐资格（净资产100万元以下）：慈善活动支出下限（上年总收入的比例）"),
    "cost_band_small": _("不具有公开募捐资格（净资产100万元以下）：管理费用上限"),
    "spend_foundation_small": _("不具有公开募捐资格的基金会（净资产400万元以下）：慈善活动支出下限"),
    "cost_foundation_small": _("不具有公开募捐资格的基金会（净资产400万元以下）：管理费用上限"),
}

PARAMETER_KEYS: tuple[ParameterKey, ...] = (
    *(ParameterKey(f"charity_{name}", label, kind="rate", max=ONE) for name, label in LABELS.items()),
    ParameterKey("charity_cost_exempt_below", _("年度管理费用低于此数额的不受比例限制"), _("元")),
    ParameterKey("charity_recognition_days", _("慈善组织认定办理时限"), _("日"), kind="int", min=ONE),
)
