"""Meal assistance (助餐): meals recorded by the point (form, API batch POST,
or the card reader's CSV/Excel export), streamed in chunks; bad rows are
reported with row number and reason and the good ones kept; (person, date,
meal) is unique, so the same file twice adds nothing.  Each meal's subsidy:
the group's rate (dibao/tekun 8, others aged 60+ 3 yuan: parameters), for
at most the daily cap of meals (2) a day, in meal order; recomputed
set-based for the person-days a chunk touched.  Monthly settlement per point."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import price_linkage_groups
from civil_affairs.models import AuditEvent, Person
from civil_affairs.months import month_start, next_month_start
from civil_affairs.parameters import parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.rules import IdNumberError, age_on, parse_id_number
from civil_affairs.services import DomainError, audit_record

from ..models import Facility, Meal, MealSettlement
from ..parameters import with_defaults

CHUNK_ROWS = 10_000
MEAL_WORDS = {"1": 1, "2": 2, "3": 3, "早餐": 1, "早": 1, "午餐": 2, "午": 2, "中餐": 2, "晚餐": 3, "晚": 3}
HEADERS = {"身份证号": "id_number", "公民身份号码": "id_number", "日期": "date", "就餐日期": "date", "餐次": "meal"}
_M, _P = Meal._meta.db_table, Person._meta.db_table


def point_of(user) -> Facility | None:
    member = getattr(user, "eldercare_meal_point", None) if getattr(user, "is_authenticated", False) else None
    return member.point if member is not None else None


def _may_record(actor, point: Facility) -> bool:
    if has_capability(actor, "meal_manage"):
        return actor.region_id is not None and point.region_id.startswith(actor.region.prefix)
    own = point_of(actor)
    return has_capability(actor, "meal_record") and own is not None and own.pk == point.pk


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "reason"}; the first 1 000 kept
    bad: int = 0

    def error(self, row: int, reason: str) -> None:
        self.bad += 1
        if len(self.errors) < 1000:
            self.errors.append({"row": row, "reason": reason})


# ---------------------------------------------------------------- the SQL

_INSERT_SQL = f"""
INSERT INTO {_M} (point_id, person_id, date, meal, "group", subsidy)
SELECT %(point)s, t.person_id, t.date, t.meal, t.grp, 0
FROM unnest(%(people)s::bigint[], %(dates)s::date[], %(meals)s::smallint[], %(groups)s::varchar[])
     AS t(person_id, date, meal, grp)
ON CONFLICT (person_id, date, meal) DO NOTHING
RETURNING person_id, date"""

# The subsidies of the person-days just touched: the group's rate for the first `cap` meals of the day.
_SUBSIDY_SQL = f"""
UPDATE {_M} m SET subsidy = CASE WHEN r.rn <= %(cap)s
                                 THEN CASE WHEN m."group" = 'poor' THEN %(poor)s ELSE %(general)s END ELSE 0 END
FROM (
    -- each touched person-day read through the (person, date, meal) index: never a scan of the table
    SELECT x.id, row_number() OVER (PARTITION BY x.person_id, x.date ORDER BY x.meal, x.id) AS rn
    FROM unnest(%(people)s::bigint[], %(dates)s::date[]) AS d(person_id, date)
    CROSS JOIN LATERAL (
        SELECT y.id, y.person_id, y.date, y.meal FROM {_M} y WHERE y.person_id = d.person_id AND y.date = d.date
    ) x
) r
WHERE m.id = r.id AND m.subsidy IS DISTINCT FROM (CASE WHEN r.rn <= %(cap)s
                      THEN CASE WHEN m."group" = 'poor' THEN %(poor)s ELSE %(general)s END ELSE 0 END)"""


def _poor_people(month: dt.date) -> set[int]:
    """Dibao and tekun people of the month: relief's covered groups through the core's registry."""
    groups = [g for g in price_linkage_groups() if g.key in ("dibao", "tekun")]
    if not groups:
        return set()
    union = " UNION ".join(
        f"SELECT g.person_id FROM ({g.select()}) AS g(person_id, region_id, bank_account)" for g in groups
    )
    with connection.cursor() as cursor:
        cursor.execute(union, {"month": month})
        return {r[0] for r in cursor.fetchall()}


class _Rates:
    """Rates and cap in force for the point's region per month, and each month's poor people (cached per import)."""

    def __init__(self, point: Facility):
        self.point = point
        self._values: dict[dt.date, dict] = {}
        self._poor: dict[dt.date, set[int]] = {}
        # a card reader's export repeats each elder and day many times: each text is checked once per import
        self.id_numbers: dict[str, str | IdNumberError] = {}
        self.dates: dict[str, dt.date | None] = {}
        self.people: dict[str, tuple | None] = {}  # ID number → (id, birth, death), None when not in the registry

    def values(self, month: dt.date) -> dict:
        if month not in self._values:
            self._values[month] = with_defaults(parameters_in_force(self.point.region_id, month))
        return self._values[month]

    def poor(self, month: dt.date) -> set[int]:
        if month not in self._poor:
            self._poor[month] = _poor_people(month)
        return self._poor[month]


def _parse_date(text: str) -> dt.date:
    text = text.strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return dt.date.fromisoformat(text[:10])


def _write_chunk(point: Facility, rates: _Rates, chunk: list[tuple[int, str, str, str]], result: ImportResult) -> None:
    """Validate a chunk of (row number, id number, date, meal), insert the good rows, fix the subsidies."""
    today = clock.today()
    parsed = []
    for row, raw_id, raw_date, raw_meal in chunk:
        number = rates.id_numbers.get(raw_id)
        if number is None:
            try:
                number = parse_id_number(raw_id, today=today).number
            except IdNumberError as exc:
                number = exc
            rates.id_numbers[raw_id] = number
        if isinstance(number, IdNumberError):
            result.error(row, str(number))
            continue
        if raw_date in rates.dates:
            day = rates.dates[raw_date]
        else:
            try:
                day = _parse_date(raw_date)
            except ValueError:
                day = None
            rates.dates[raw_date] = day
        if day is None:
            result.error(row, _("就餐日期“%(v)s”无法识别，应为 YYYY-MM-DD。") % {"v": raw_date.strip()[:20]})
            continue
        if day > today:
            result.error(row, _("就餐日期 %(d)s 晚于今天。") % {"d": day.isoformat()})
            continue
        meal = MEAL_WORDS.get(raw_meal.strip())
        if meal is None:
            result.error(row, _("餐次“%(v)s”无法识别，应为早餐、午餐或晚餐。") % {"v": raw_meal.strip()[:10]})
            continue
        parsed.append((row, number, day, meal))
    people = rates.people
    unseen = {p[1] for p in parsed} - people.keys()
    if unseen:
        people.update(dict.fromkeys(unseen))  # not in the registry, unless found now
        for pk, id_number, birth, death in Person.objects.filter(id_number__in=unseen).values_list(
            "pk", "id_number", "birth_date", "death_date"
        ):
            people[id_number] = (pk, birth, death)
    good: dict[tuple[int, dt.date, int], tuple[int, str]] = {}
    for row, number, day, meal in parsed:
        found = people.get(number)
        if found is None:
            result.error(row, _("人员库中没有该身份证号的老人。"))
            continue
        pk, birth, death = found
        if age_on(birth, day) < 60:
            result.error(row, _("就餐时未满60周岁，不享受助餐补贴。"))
            continue
        if death is not None and death < day:
            result.error(row, _("就餐日期晚于登记的死亡日期。"))
            continue
        if (pk, day, meal) in good:
            result.duplicates += 1
            continue
        group = Meal.Group.POOR if pk in rates.poor(month_start(day)) else Meal.Group.GENERAL
        good[(pk, day, meal)] = (pk, group)
    if not good:
        return
    keys = list(good)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL,
            {
                "point": point.pk,
                "people": [k[0] for k in keys],
                "dates": [k[1] for k in keys],
                "meals": [k[2] for k in keys],
                "groups": [good[k][1] for k in keys],
            },
        )
        touched = {(pk, day) for pk, day in cursor.fetchall()}
        result.added += cursor.rowcount
        result.duplicates += len(keys) - cursor.rowcount
        by_month: dict[dt.date, list[tuple[int, dt.date]]] = {}
        for pk, day in touched:
            by_month.setdefault(month_start(day), []).append((pk, day))
        for month, days in by_month.items():
            values = rates.values(month)
            cursor.execute(
                _SUBSIDY_SQL,
                {
                    "people": [d[0] for d in days],
                    "dates": [d[1] for d in days],
                    "cap": int(values["meal_daily_cap"]),
                    "poor": values["meal_subsidy_poor"],
                    "general": values["meal_subsidy_general"],
                },
            )


def meals_record(
    *, actor, point: Facility, rows: Iterable[tuple[str, str, str]], source: str, system: bool = False
) -> ImportResult:
    """Record meals (id number, date, meal) at a point, streamed in chunks; the one write of every channel
    (`system`: a command run by the operator, no user to check)."""
    if not system and not _may_record(actor, point):
        raise DomainError(_("您不能为该助餐点登记就餐。"))
    if point.kind != Facility.Kind.MEAL_POINT:
        raise DomainError(_("“%(p)s”不是助餐点。") % {"p": point.name})
    result, rates, chunk = ImportResult(), _Rates(point), []
    for number, row in enumerate(rows, start=1):
        result.rows += 1
        chunk.append((number, *row))
        if len(chunk) >= CHUNK_ROWS:
            _write_chunk(point, rates, chunk, result)
            chunk = []
    if chunk:
        _write_chunk(point, rates, chunk, result)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=point,
        changes={
            "step": "meals",
            "source": source,
            "rows": result.rows,
            "added": result.added,
            "duplicates": result.duplicates,
            "bad": result.bad,
        },
    )
    return result


def rows_from_file(uploaded) -> Iterator[tuple[str, str, str]]:
    """The card reader's export, streamed: CSV (UTF-8 or GBK) or Excel; a header
    row with 身份证号, 日期 and 餐次.  Row numbers count data rows from 1."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        import openpyxl

        book = openpyxl.load_workbook(uploaded, read_only=True, data_only=True)
        rows = ([("" if c is None else str(c)) for c in r] for r in book.active.iter_rows(values_only=True))
    else:
        raw = getattr(uploaded, "file", uploaded)  # a Django upload's file, or an open binary file
        head = raw.read(65536)
        raw.seek(0)
        try:
            head.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:  # a character cut at the end of the sample is still UTF-8
            encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "gbk"
        rows = csv.reader(io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=""))
    header = next(rows, None)
    if header is None:
        raise DomainError(_("文件为空。"))
    columns = {HEADERS.get(h.strip()): i for i, h in enumerate(header) if HEADERS.get(h.strip())}
    missing = [
        label for key, label in (("id_number", "身份证号"), ("date", "日期"), ("meal", "餐次")) if key not in columns
    ]
    if missing:
        raise DomainError(_("文件缺少列：%(c)s。") % {"c": "、".join(missing)})
    for r in rows:
        cells = list(r) + [""] * 3
        yield cells[columns["id_number"]], cells[columns["date"]], cells[columns["meal"]]


# ---------------------------------------------------------------- settlement

_SETTLE_SQL = f"""
INSERT INTO {MealSettlement._meta.db_table} (point_id, month, district_id, meals, subsidised, amount, status)
SELECT m.point_id, %(month)s::date, substr(f.region_id, 1, 6) || '000000', count(*),
       count(*) FILTER (WHERE m.subsidy > 0), sum(m.subsidy), 'generated'
FROM {_M} m JOIN {Facility._meta.db_table} f ON f.id = m.point_id
WHERE m.date >= %(month)s AND m.date < %(next)s
GROUP BY m.point_id, f.region_id
ON CONFLICT (point_id, month) DO NOTHING"""


@transaction.atomic
def meal_settle(*, month: dt.date) -> int:
    """One settlement per point for a month that is over (rerun adds nothing)."""
    if month >= clock.today().replace(day=1):
        raise DomainError(_("%(m)s 尚未结束，不能结算；请在次月结算。") % {"m": month.strftime("%Y-%m")})
    with connection.cursor() as cursor:
        cursor.execute(_SETTLE_SQL, {"month": month, "next": next_month_start(month)})
        added = cursor.rowcount
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        target_type=MealSettlement._meta.label_lower,
        target_id=month.strftime("%Y-%m"),
        changes={"step": "settle", "month": month.strftime("%Y-%m"), "added": added},
    )
    return added


@transaction.atomic
def meal_settlement_approve(*, actor, settlement: MealSettlement) -> MealSettlement:
    if not has_capability(actor, "settlement_approve"):
        raise DomainError(_("您没有审核结算的权限。"))
    settlement = MealSettlement.objects.select_for_update().get(pk=settlement.pk)
    if actor.region_id is None or not settlement.district_id.startswith(actor.region.prefix):
        raise DomainError(_("该结算单不在您的管辖范围内。"))
    if settlement.status == MealSettlement.Status.APPROVED:
        raise DomainError(_("该结算单已审核，不能重复审核。"))
    settlement.status, settlement.approved_by, settlement.approved_at = "approved", actor, timezone.now()
    settlement.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=settlement,
        region_code=settlement.district_id,
        changes={"step": "approve", "amount": settlement.amount},
    )
    return settlement
