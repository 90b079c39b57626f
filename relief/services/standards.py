"""Relief's standards are the core's dated parameters (civil_affairs.
parameters.parameter_set writes them, audited; administrators edit them in
the admin).  Here: the demo city's set, which seed_demo loads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from civil_affairs.models import Region
from civil_affairs.parameters import parameter_set

# DOMAIN.md "Relief" demo figures (Nantong 2022): what seed_demo loads at city level.
DEMO_STANDARDS: dict[str, Decimal] = {
    "dibao_standard": Decimal("780"),
    "marginal_multiple": Decimal("1.5"),
    "tekun_basic_multiple": Decimal("1.3"),
    "care_self": Decimal("150"),
    "care_partial": Decimal("600"),
    "care_full": Decimal("1200"),
    "extra_rate": Decimal("0.20"),
    "floor_rate": Decimal("0.05"),
    "employment_cost_rate": Decimal("0.20"),
    "financial_asset_months": Decimal("24"),
    "business_capital_limit": Decimal("50000"),
    "recheck_months_stable": Decimal("12"),
    "recheck_months_other": Decimal("6"),
    "gradual_exit_months": Decimal("6"),
    "temp_street_multiple": Decimal("3"),
    "temp_district_multiple": Decimal("6"),
    # hard ceiling of one temporary grant: 24 × 780 = 18 720 yuan (two years' standard)
    "temp_ceiling_multiple": Decimal("24"),
    "notice_days": Decimal("7"),
    "deadline_working_days": Decimal("30"),
    "extended_working_days": Decimal("45"),
    "emergency_document_working_days": Decimal("5"),
    "price_cpi_threshold": Decimal("3.5"),
    "price_food_threshold": Decimal("6.0"),
    # one payment line above this (yuan a month) is held for a reviewer instead of paid
    "payment_review_limit": Decimal("5000"),
}
DEMO_EFFECTIVE_FROM = dt.date(2022, 7, 1)


@transaction.atomic
def standards_load_demo(*, actor, region: Region, effective_from: dt.date = DEMO_EFFECTIVE_FROM) -> int:
    """The demo city's full set at one region; idempotent."""
    for key, value in DEMO_STANDARDS.items():
        parameter_set(
            actor=actor, region=region, key=key, value=value, effective_from=effective_from, note="DOMAIN.md 演示标准"
        )
    return len(DEMO_STANDARDS)
