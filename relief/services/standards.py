"""Writes of the dated standards (administrators edit them in the admin;
seed_demo loads the demo city's set through here)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from civil_affairs.models import AuditEvent, Region
from civil_affairs.services import audit_record

from ..models import Standard

# DOMAIN.md "Relief" demo figures (Nantong 2022): what seed_demo loads at city level.
DEMO_STANDARDS: dict[str, Decimal] = {
    Standard.Key.DIBAO_STANDARD: Decimal("780"),
    Standard.Key.MARGINAL_MULTIPLE: Decimal("1.5"),
    Standard.Key.TEKUN_BASIC_MULTIPLE: Decimal("1.3"),
    Standard.Key.CARE_SELF: Decimal("150"),
    Standard.Key.CARE_PARTIAL: Decimal("600"),
    Standard.Key.CARE_FULL: Decimal("1200"),
    Standard.Key.EXTRA_RATE: Decimal("0.20"),
    Standard.Key.FLOOR_RATE: Decimal("0.05"),
    Standard.Key.EMPLOYMENT_COST_RATE: Decimal("0.20"),
    Standard.Key.FINANCIAL_ASSET_MONTHS: Decimal("24"),
    Standard.Key.BUSINESS_CAPITAL_LIMIT: Decimal("50000"),
    Standard.Key.RECHECK_MONTHS_STABLE: Decimal("12"),
    Standard.Key.RECHECK_MONTHS_OTHER: Decimal("6"),
    Standard.Key.GRADUAL_EXIT_MONTHS: Decimal("6"),
    Standard.Key.TEMP_STREET_MULTIPLE: Decimal("3"),
    Standard.Key.TEMP_DISTRICT_MULTIPLE: Decimal("6"),
    # hard ceiling of one temporary grant: 24 × 780 = 18 720 yuan (two years' standard)
    Standard.Key.TEMP_CEILING_MULTIPLE: Decimal("24"),
    Standard.Key.NOTICE_DAYS: Decimal("7"),
    Standard.Key.DEADLINE_WORKING_DAYS: Decimal("30"),
    Standard.Key.EXTENDED_WORKING_DAYS: Decimal("45"),
    Standard.Key.EMERGENCY_DOCUMENT_WORKING_DAYS: Decimal("5"),
    Standard.Key.PRICE_CPI_THRESHOLD: Decimal("3.5"),
    Standard.Key.PRICE_FOOD_THRESHOLD: Decimal("6.0"),
    # one payment line above this (yuan a month) is held for a reviewer instead of paid
    Standard.Key.PAYMENT_REVIEW_LIMIT: Decimal("5000"),
}
DEMO_EFFECTIVE_FROM = dt.date(2022, 7, 1)


@transaction.atomic
def standard_set(*, actor, region: Region, key: str, value: Decimal, effective_from: dt.date,
                 note: str = "") -> Standard:
    """Set one value for a region from a date (a later row supersedes it from its own date)."""
    standard, created = Standard.objects.update_or_create(
        region=region, key=key, effective_from=effective_from, defaults={"value": value, "note": note})
    audit_record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                 target=standard, region_code=region.code,
                 changes={"key": key, "value": value, "effective_from": effective_from})
    return standard


@transaction.atomic
def standards_load_demo(*, actor, region: Region, effective_from: dt.date = DEMO_EFFECTIVE_FROM) -> int:
    """The demo city's full set at one region; idempotent."""
    for key, value in DEMO_STANDARDS.items():
        standard_set(actor=actor, region=region, key=key, value=value, effective_from=effective_from,
                     note="DOMAIN.md 演示标准")
    return len(DEMO_STANDARDS)
