"""Relief's data-exchange feed kinds (家庭经济状况核对), imported by the core
(civil_affairs/feeds.py): vehicle, real-estate, wage, business and
household-registration records, the monthly unemployment-benefit and veteran
lists, and the price index (relief's own table, not a person feed).  The
core's own kind is `death`.  Layouts and samples: docs/feeds/."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs.areas import FeedKind, FeedRow
from civil_affairs.feeds import Cells, city_prefixes
from civil_affairs.models import Region

from .models import PriceIndex

PRICE_INDEX = "price_index"
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{4,5}[A-Z0-9\u4e00-\u9fff]$")
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_AREA, _RISE = gettext_lazy("面积"), gettext_lazy("涨幅（%）")

VEHICLE_TYPES = {
    "car": "car",
    "truck": "truck",
    "motorcycle": "motorcycle",
    "mobility": "mobility",
    # what the vehicle administration's own exports say
    "汽车": "car",
    "小型汽车": "car",
    "小汽车": "car",
    "轿车": "car",
    "货车": "truck",
    "摩托车": "motorcycle",
    "代步车": "mobility",
    "老年代步车": "mobility",
}


def credit_code_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015)."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def parse_vehicle(values: dict[str, Any]) -> FeedRow:
    row = Cells(values)
    number, name = row.id_number(), row.name()
    plate = re.sub(r"[\s·•\-]", "", row.text("plate", max_length=20).upper())
    if plate and not _PLATE.match(plate):
        row.fail("plate", _("车牌号“%(v)s”格式不正确（例如 苏F12345）") % {"v": plate})
    event = row.date("registered_on")
    raw_type = row.text("vehicle_type", max_length=20)
    vehicle_type = VEHICLE_TYPES.get(raw_type.lower())
    if raw_type and vehicle_type is None:
        row.fail("vehicle_type", _("“%(v)s”无效，应为 car、truck、motorcycle 或 mobility") % {"v": raw_type})
    amount = row.decimal("value", required=False)
    row.check()
    return FeedRow(number, name, plate, event, amount, {"plate": plate, "vehicle_type": vehicle_type})


def parse_property(values: dict[str, Any]) -> FeedRow:
    row = Cells(values)
    number, name = row.id_number(), row.name()
    certificate = row.text("certificate", max_length=80)
    event = row.date("registered_on")
    address = row.text("address", max_length=200)
    area = row.decimal("area", required=False, limit=Decimal("1e8"), what=_AREA)
    row.check()
    detail = {"certificate": certificate, "address": address, "area": str(area) if area is not None else None}
    return FeedRow(number, name, certificate, event, None, detail)


def parse_wages(values: dict[str, Any]) -> FeedRow:
    row = Cells(values)
    number, name = row.id_number(), row.name()
    event = row.month("month")
    employer = row.text("employer", max_length=200)
    amount = row.decimal("amount")
    row.check()
    return FeedRow(number, name, f"{event:%Y-%m}|{employer}"[:80], event, amount, {"employer": employer})


def parse_business(values: dict[str, Any]) -> FeedRow:
    row = Cells(values)
    number, name = row.id_number(), row.name()
    code = row.text("credit_code", max_length=18).upper()
    if code and (len(code) != 18 or any(c not in _CREDIT_CHARS for c in code)):
        row.fail("credit_code", _("统一社会信用代码“%(v)s”应为18位数字或大写字母") % {"v": code})
    elif code and credit_code_check_char(code[:17]) != code[17]:
        row.fail("credit_code", _("统一社会信用代码“%(v)s”校验位错误") % {"v": code})
    event = row.date("registered_on")
    company = row.text("company", max_length=200)
    amount = row.decimal("capital")
    row.check()
    return FeedRow(number, name, code, event, amount, {"company": company, "credit_code": code})


def parse_hukou(values: dict[str, Any]) -> FeedRow:
    row = Cells(values)
    number, name = row.id_number(), row.name()
    event = row.date("moved_on")
    to_region = row.text("to_region_code", max_length=12)
    if to_region and not re.fullmatch(r"\d{12}", to_region):
        row.fail("to_region_code", _("区划代码“%(v)s”应为12位数字") % {"v": to_region})
    to_address = row.text("to_address", max_length=200, required=False)
    row.check()
    # A move out of the city raises the moved_out life event; one within the city only updates the registry.
    out_of_city = not to_region or to_region[:4] not in city_prefixes()
    detail = {"to_region_code": to_region, "to_address": to_address}
    return FeedRow(number, name, event.isoformat(), event, None, detail, raises=out_of_city)


def parse_monthly_list(values: dict[str, Any]) -> FeedRow:
    """unemployment, veteran: who is on the month's list, with their account."""
    row = Cells(values)
    number, name = row.id_number(), row.name()
    event = row.month("month")
    account = re.sub(r"\s", "", row.text("bank_account", max_length=40, required=False))
    if account and not re.fullmatch(r"\d{8,32}", account):
        row.fail("bank_account", _("银行账号“%(v)s”应为8至32位数字") % {"v": account})
    row.check()
    return FeedRow(number, name, f"{event:%Y-%m}", event, None, {"bank_account": account})


# ---------------------------------------------------------------- the price index (relief's own table)


def parse_price_index(values: dict[str, Any]) -> tuple:
    """(month, region_code, cpi_yoy, food_yoy)."""
    row = Cells(values)
    month = row.month("month")
    region = row.text("region_code", max_length=12)
    if region and not re.fullmatch(r"\d{12}", region):
        row.fail("region_code", _("区划代码“%(v)s”应为12位数字") % {"v": region})
    figures = [row.decimal(c, negative=True, limit=Decimal(100), what=_RISE) for c in ("cpi_yoy", "food_yoy")]
    row.check()
    return month, region, *figures


_PRICE_SQL = f"""
INSERT INTO {PriceIndex._meta.db_table} (month, region_id, cpi_yoy, food_yoy, run_id)
SELECT u.month, u.region_id, u.cpi_yoy, u.food_yoy, %s
FROM unnest(%s::date[], %s::text[], %s::numeric[], %s::numeric[]) AS u(month, region_id, cpi_yoy, food_yoy)
ON CONFLICT (month, region_id) DO NOTHING"""


def store_price_index(*, run_id: int, rows: list[tuple[int, tuple]]) -> tuple[int, list[dict]]:
    """The chunk's good rows into PriceIndex (the region must exist: one lookup for the chunk)."""
    if not rows:
        return 0, []
    known = set(Region.objects.filter(code__in={p[1] for _n, p in rows}).values_list("code", flat=True))
    refused = [
        {"row": n, "reason": _("列 region_code：区划代码 %(v)s 不在区划表中") % {"v": p[1]}}
        for n, p in rows
        if p[1] not in known
    ]
    good = [p for _n, p in rows if p[1] in known]
    if not good:
        return 0, refused
    with connection.cursor() as cursor:
        cursor.execute(_PRICE_SQL, [run_id, *[list(c) for c in zip(*good)]])
        added = cursor.rowcount
        cursor.execute(f"ANALYZE {PriceIndex._meta.db_table}")
    return added, refused


_OPTIONAL = frozenset({"name"})

FEED_KINDS: tuple[FeedKind, ...] = (
    FeedKind(
        "vehicle",
        gettext_lazy("车辆登记"),
        ("id_number", "name", "plate", "registered_on", "vehicle_type", "value"),
        parse_vehicle,
        optional=_OPTIONAL | {"value"},
    ),
    FeedKind(
        "property",
        gettext_lazy("不动产登记"),
        ("id_number", "name", "certificate", "registered_on", "address", "area"),
        parse_property,
        optional=_OPTIONAL | {"area"},
    ),
    FeedKind(
        "wages", gettext_lazy("工资及社保缴费"), ("id_number", "name", "month", "employer", "amount"), parse_wages
    ),
    FeedKind(
        "business",
        gettext_lazy("工商登记"),
        ("id_number", "name", "credit_code", "registered_on", "company", "capital"),
        parse_business,
    ),
    FeedKind(
        "hukou",
        gettext_lazy("户籍迁移"),
        ("id_number", "name", "moved_on", "to_region_code", "to_address"),
        parse_hukou,
        life_event="moved_out",  # for moves out of the city only (FeedRow.raises)
        optional=_OPTIONAL | {"to_address"},
    ),
    FeedKind(
        "unemployment",
        gettext_lazy("失业保险金领取"),
        ("id_number", "name", "month", "bank_account"),
        parse_monthly_list,
        optional=_OPTIONAL | {"bank_account"},
    ),
    FeedKind(
        "veteran",
        gettext_lazy("重点优抚对象定期抚恤补助"),
        ("id_number", "name", "month", "bank_account"),
        parse_monthly_list,
        optional=_OPTIONAL | {"bank_account"},
    ),
    FeedKind(
        PRICE_INDEX,
        gettext_lazy("价格指数"),
        ("month", "region_code", "cpi_yoy", "food_yoy"),
        parse_price_index,
        optional=frozenset(),
        store=store_price_index,
    ),
)
