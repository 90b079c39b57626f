"""Relief's dated parameters (救助标准), kept in the core's Parameter table:
each key with its label, unit and bounds (civil_affairs.areas.ParameterKey),
registered with relief's Area in apps.py.  rules.Standards has one field per key."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import ParameterKey

_MULTIPLE_MAX = Decimal(120)  # a multiple of the monthly standard: ten years' worth is already absurd


def _multiple(key: str, label, unit=_("倍")) -> ParameterKey:
    return ParameterKey(key, label, unit, kind="rate", max=_MULTIPLE_MAX)


PARAMETER_KEYS: tuple[ParameterKey, ...] = (
    ParameterKey("dibao_standard", _("低保标准"), _("元/人·月")),
    _multiple("marginal_multiple", _("低保边缘倍数")),
    _multiple("tekun_basic_multiple", _("特困基本生活标准倍数")),
    ParameterKey("care_self", _("特困照料护理标准：全自理"), _("元/月")),
    ParameterKey("care_partial", _("特困照料护理标准：半护理"), _("元/月")),
    ParameterKey("care_full", _("特困照料护理标准：全护理"), _("元/月")),
    ParameterKey("extra_rate", _("分类施保加发比例"), kind="rate"),
    ParameterKey("floor_rate", _("保底比例"), kind="rate"),
    ParameterKey("employment_cost_rate", _("就业成本扣减比例"), kind="rate"),
    _multiple("financial_asset_months", _("人均金融资产上限"), _("倍（月标准）")),
    ParameterKey("business_capital_limit", _("工商登记注册资本上限"), _("元")),
    ParameterKey("recheck_months_stable", _("稳定家庭复核周期"), _("月"), kind="int", min=Decimal(1)),
    ParameterKey("recheck_months_other", _("其他家庭复核周期"), _("月"), kind="int", min=Decimal(1)),
    ParameterKey("gradual_exit_months", _("渐退期"), _("月"), kind="int"),
    _multiple("temp_street_multiple", _("临时救助街道审批上限"), _("倍（月标准）")),
    _multiple("temp_district_multiple", _("临时救助区县审批上限"), _("倍（月标准）")),
    ParameterKey("notice_days", _("公示天数"), _("天"), kind="int"),
    ParameterKey("deadline_working_days", _("办理时限"), _("工作日"), kind="int", min=Decimal(1)),
    ParameterKey("extended_working_days", _("延长办理时限"), _("工作日"), kind="int", min=Decimal(1)),
    ParameterKey("emergency_document_working_days", _("先行救助补充材料时限"), _("工作日"), kind="int", min=Decimal(1)),
    ParameterKey("price_cpi_threshold", _("物价联动CPI启动条件"), "%", kind="percent", max=Decimal(100)),
    ParameterKey("price_food_threshold", _("物价联动食品价格启动条件"), "%", kind="percent", max=Decimal(100)),
    _multiple("temp_ceiling_multiple", _("临时救助金额硬上限"), _("倍（月标准）")),
    ParameterKey("payment_review_limit", _("单笔月发放复核线：超过则暂停发放待复核"), _("元")),
)
KEYS: tuple[str, ...] = tuple(k.key for k in PARAMETER_KEYS)
