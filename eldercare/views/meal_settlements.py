"""Meal-assistance settlements: the list per month and point (the bureau starts
a month on the batch engine), a settlement's elders, the reviewer's approval
and the bank file — the same pages as the home-care settlements."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from ..selectors import meals as selectors
from ..services import meals as services
from .settlement_pages import SettlementPages

pages = SettlementPages(
    list_for_user=selectors.meal_settlement_list_for_user,
    get_for_user=selectors.meal_settlement_get_for_user,
    elders=lambda settlement: selectors.settlement_elders(settlement, limit=selectors.ELDERS_SHOWN),
    shown=selectors.ELDERS_SHOWN,
    start=services.meal_settlement_start,
    approve_service=services.meal_settlement_approve,
    bank_file_service=services.meal_settlement_bank_file,
    order=("-month", "district_id", "point_id"),
    list_url="eldercare:meal_settlements",
    detail_url="eldercare:meal_settlement",
    list_template="eldercare/meal_settlements.html",
    detail_template="eldercare/meal_settlement_detail.html",
    started=gettext_noop("已开始结算 %(m)s 助餐补贴。"),
)
meal_settlement_list, meal_settlement_detail = pages.list, pages.detail
meal_settlement_approve, meal_settlement_bank_file = pages.approve, pages.bank_file
