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
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.areas import price_linkage_groups
from civil_affairs.batches import analyze, result_update
from civil_affairs.models import AuditEvent, Person
from civil_affairs.months import month_start, next_month_start
from civil_affairs.parameters import parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.rules import IdNumberError, age_on, mask_id_number, parse_id_number
from civil_affairs.services import DomainError, audit_record, batchrun_finish

from ..models import Facility, Meal, MealSettlement
from ..parameters import with_defaults
from ..selectors.indicators import summary_changed
from ..selectors.meals import settlement_elders
from .settlement import chunks_over, monthly_approve, monthly_bank_file, monthly_run, monthly_start

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

# A chunk's good rows are copied (COPY) into a session temp table, then one
# statement writes them: the meals already recorded for the person-days the chunk
# touches are read through the (person, date, meal) index, the day's meals (old
# and new) ranked in meal order, the new ones inserted with their subsidy (the
# group's rate for the first `cap` of the day, else 0) and an old one updated
# only when a new earlier meal of its day moved it past the cap.  No row is
# written twice, and the table is never scanned.
_IN, _RATES = "eldercare_meal_in", "eldercare_meal_rates"
_TEMP_SQL = (
    f"DROP TABLE IF EXISTS {_IN}",
    f"CREATE TEMP TABLE {_IN} (person_id bigint, date date, meal smallint, grp varchar(8))",
    f"DROP TABLE IF EXISTS {_RATES}",
    f"CREATE TEMP TABLE {_RATES} (month date PRIMARY KEY, cap int, poor numeric, general numeric)",
)
_TEMP_DROP_SQL = f"DROP TABLE IF EXISTS {_IN}; DROP TABLE IF EXISTS {_RATES}"

_WRITE_SQL = f"""
WITH old AS (
    -- per person-day an index range scan (LIMIT keeps it a nested loop: at most 3 meals a day)
    SELECT y.id, y.person_id, y.date, y.meal, y.grp, y.subsidy
    FROM (SELECT DISTINCT person_id, date FROM {_IN}) d
    CROSS JOIN LATERAL (
        SELECT x.id, x.person_id, x.date, x.meal, x."group" AS grp, x.subsidy FROM {_M} x
        WHERE x.person_id = d.person_id AND x.date = d.date LIMIT 3
    ) y
), ranked AS (
    SELECT u.id, u.person_id, u.date, u.meal, u.grp, u.subsidy,
           CASE WHEN row_number() OVER (PARTITION BY u.person_id, u.date ORDER BY u.meal) <= t.cap
                THEN CASE WHEN u.grp = 'poor' THEN t.poor ELSE t.general END ELSE 0 END AS due
    FROM (
        SELECT o.id, o.person_id, o.date, o.meal, o.grp, o.subsidy FROM old o
        UNION ALL
        SELECT NULL, i.person_id, i.date, i.meal, i.grp, NULL FROM {_IN} i
        WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.person_id = i.person_id AND o.date = i.date AND o.meal = i.meal)
    ) u
    JOIN {_RATES} t ON t.month = date_trunc('month', u.date)::date
), added AS (
    INSERT INTO {_M} (point_id, person_id, date, meal, "group", subsidy)
    SELECT %(point)s, r.person_id, r.date, r.meal, r.grp, r.due FROM ranked r WHERE r.id IS NULL
    ORDER BY r.date, r.person_id, r.meal
    ON CONFLICT (person_id, date, meal) DO NOTHING
    RETURNING 1
), moved AS (
    UPDATE {_M} m SET subsidy = r.due FROM ranked r
    WHERE r.id IS NOT NULL AND r.subsidy IS DISTINCT FROM r.due AND m.id = r.id
    RETURNING 1
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM moved)"""


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
        self.months: dict[dt.date, dt.date] = {}  # day → its month
        self.changed: set[dt.date] = set()  # months whose meals this import added to
        self._settled: dict[dt.date, bool] = {}

    def values(self, month: dt.date) -> dict:
        if month not in self._values:
            self._values[month] = with_defaults(parameters_in_force(self.point.region_id, month))
        return self._values[month]

    def settled(self, month: dt.date) -> bool:
        """The point's month is settled: its meals are paid, no more go in."""
        if month not in self._settled:
            self._settled[month] = MealSettlement.objects.filter(point=self.point, month=month).exists()
        return self._settled[month]

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
    """Validate a chunk of (row number, id number, date, meal), write the good rows with their subsidies."""
    today = clock.today()
    parsed = []
    id_numbers, dates, months = rates.id_numbers, rates.dates, rates.months
    for row, raw_id, raw_date, raw_meal in chunk:
        number = id_numbers.get(raw_id)
        if number is None:
            try:
                number = parse_id_number(raw_id, today=today).number
            except IdNumberError as exc:
                number = exc
            id_numbers[raw_id] = number
        if isinstance(number, IdNumberError):
            result.error(row, str(number))
            continue
        if raw_date in dates:
            day = dates[raw_date]
        else:
            try:
                day = _parse_date(raw_date)
            except ValueError:
                day = None
            dates[raw_date] = day
            if day is not None:
                months[day] = month_start(day)
        if day is None:
            result.error(row, _("就餐日期“%(v)s”无法识别，应为 YYYY-MM-DD。") % {"v": raw_date.strip()[:20]})
            continue
        if day > today:
            result.error(row, _("就餐日期 %(d)s 晚于今天。") % {"d": day.isoformat()})
            continue
        meal = MEAL_WORDS.get(raw_meal) or MEAL_WORDS.get(raw_meal.strip())
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
    good: dict[tuple[int, dt.date, int], str] = {}
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
        month = months[day]
        if rates.settled(month):
            result.error(row, _("本助餐点 %(m)s 已结算，不能再登记该月的就餐。") % {"m": month.strftime("%Y-%m")})
            continue
        key = (pk, day, meal)
        if key in good:
            result.duplicates += 1
            continue
        good[key] = "poor" if pk in rates.poor(month) else "general"
    if not good:
        return
    buffer = io.StringIO()
    buffer.writelines(f"{pk}\t{day.isoformat()}\t{meal}\t{group}\n" for (pk, day, meal), group in good.items())
    buffer.seek(0)
    chunk_months = {months[day] for _pk, day, _meal in good}
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling the statement costs more than it saves on a chunk
        if own_transaction:
            # A chunk's commit does not wait for its WAL to reach the disk: the import's audit row,
            # committed synchronously at the end, flushes the WAL of every chunk before it, so what the
            # import reports is durable; a crash mid-import may lose the last chunks, which the same
            # file imported again adds (it is idempotent).
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"TRUNCATE {_IN}, {_RATES}")
        cursor.copy_expert(f"COPY {_IN} (person_id, date, meal, grp) FROM STDIN", buffer)
        for month in chunk_months:
            values = rates.values(month)
            cursor.execute(
                f"INSERT INTO {_RATES} VALUES (%s, %s, %s, %s)",
                [month, int(values["meal_daily_cap"]), values["meal_subsidy_poor"], values["meal_subsidy_general"]],
            )
        cursor.execute(f"ANALYZE {_IN}")
        cursor.execute(_WRITE_SQL, {"point": point.pk})
        added, _moved = cursor.fetchone()
    result.added += added
    result.duplicates += len(good) - added
    if added:
        rates.changed.update(chunk_months)


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
    with connection.cursor() as cursor:
        for sql in _TEMP_SQL:
            cursor.execute(sql)
    try:
        number = 0
        for number, row in enumerate(rows, start=1):
            chunk.append((number, *row))
            if len(chunk) >= CHUNK_ROWS:
                _write_chunk(point, rates, chunk, result)
                chunk = []
        if chunk:
            _write_chunk(point, rates, chunk, result)
        result.rows = number
    finally:
        with connection.cursor() as cursor:
            cursor.execute(_TEMP_DROP_SQL)
        for month in rates.changed:  # the dashboard's monthly meal counts are read again
            summary_changed("meals", month)
    audit_record(  # committed synchronously: the chunks' WAL reaches the disk with it
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

# The monthly settlement per point (`settle_meals --month YYYY-MM`, a Celery task on
# the batch engine, the button on the settlements page), on the same engine as the
# home-care settlement (services/settlement.py: month checks, run, approval, bank
# file): one line per point and month from its meals' subsidies, one INSERT … SELECT
# per chunk of point ids over the (point, date) index; (point, month) unique, so a
# rerun or a resumed run adds nothing.  Meals of a settled month at that point are
# refused on import from then on (the settlement would not pay them).
SETTLE_KIND = "eldercare_meal_settlement"
SETTLE_CHUNK_IDS = 200  # point ids per chunk
SETTLE_COUNT_LABELS = {"added": gettext_lazy("新增结算单")}
_F, _MS = Facility._meta.db_table, MealSettlement._meta.db_table

_SETTLE_SQL = f"""
INSERT INTO {_MS} (point_id, month, district_id, meals, subsidised, amount, status)
SELECT m.point_id, %(month)s::date, substr(f.region_id, 1, 6) || '000000', count(*),
       count(*) FILTER (WHERE m.subsidy > 0), sum(m.subsidy), 'generated'
FROM {_M} m JOIN {_F} f ON f.id = m.point_id
WHERE m.date >= %(month)s AND m.date < %(next)s AND m.point_id >= %(lo)s AND m.point_id < %(hi)s
GROUP BY m.point_id, f.region_id
ON CONFLICT (point_id, month) DO NOTHING"""


def _settle_chunk(month: dt.date, lo: int, hi: int) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_SETTLE_SQL, {"month": month, "next": next_month_start(month), "lo": lo, "hi": hi})
        return {"added": cursor.rowcount}


def _settle(run, month: dt.date, progress) -> dict:
    counts = chunks_over(
        run=run,
        ids_sql=f"SELECT min(id), max(id) FROM {_F} WHERE kind = 'meal_point'",
        month=month,
        chunk=SETTLE_CHUNK_IDS,
        step=_settle_chunk,
        progress=progress,
    )
    analyze(MealSettlement)
    totals = MealSettlement.objects.filter(month=month).aggregate(n=Count("id"), t=Sum("amount"), m=Sum("meals"))
    summary = {
        "month": month.strftime("%Y-%m"),
        "added": counts.get("added", 0),
        "points": totals["n"],
        "meals": totals["m"] or 0,
        "total": str(totals["t"] or Decimal("0.00")),
    }
    result_update(run_id=run.pk, summary=summary)
    audit_record(
        actor=run.created_by,
        action=AuditEvent.Action.CREATE,
        target_type=MealSettlement._meta.label_lower,
        target_id=summary["month"],
        region_code=run.region_id or "",
        changes={"step": "settle", **summary, "run": run.pk},
    )
    batchrun_finish(
        run_id=run.pk,
        message=_("%(m)s 助餐补贴结算：本次新增 %(a)d 个，共 %(n)d 个助餐点、%(k)d 人次，合计 %(t)s 元。")
        % {
            "m": summary["month"],
            "a": summary["added"],
            "n": summary["points"],
            "k": summary["meals"],
            "t": summary["total"],
        },
    )
    return summary


def meal_settlement_run(*, run_id: int, progress=None) -> dict | None:
    """What the Celery task and the command run: the BatchRun's month, resumable."""
    return monthly_run(
        run_id=run_id,
        kind=SETTLE_KIND,
        wrong_kind=_("批处理任务 #%(id)d 不是助餐补贴结算任务。"),
        label=_("%(m)s 助餐补贴结算"),
        work=lambda run, month: _settle(run, month, progress),
    )


def meal_settlement_start(*, user, month: dt.date):
    """The bureau starts a month by hand (the button): queued, with a progress bar."""
    return monthly_start(
        user=user,
        month=month,
        kind=SETTLE_KIND,
        capability="settlement_run",
        denied=_("您没有启动助餐补贴结算的权限。"),
        step="meal_settle_start",
    )


@transaction.atomic
def meal_settlement_approve(*, actor, settlement: MealSettlement) -> MealSettlement:
    return monthly_approve(actor=actor, settlement=settlement, kind=SETTLE_KIND)


def meal_settlement_bank_file(*, user, settlement: MealSettlement, fmt: str):
    """An approved settlement's bank file: the point is paid its total; one row per elder
    served (ID numbers masked) so the bank and the point can reconcile."""
    point = settlement.point
    headers = [
        _("收款单位"),
        _("结算月份"),
        _("就餐老人"),
        _("身份证号"),
        _("就餐人次"),
        _("补贴餐次"),
        _("补贴金额（元）"),
    ]
    rows = [
        (
            point.name,
            settlement.month.strftime("%Y-%m"),
            e["name"],
            mask_id_number(e["id_number"]),
            e["meals"],
            e["subsidised"],
            e["amount"],
        )
        for e in settlement_elders(settlement)
    ]
    rows.append(
        (
            point.name,
            settlement.month.strftime("%Y-%m"),
            _("合计"),
            "",
            settlement.meals,
            settlement.subsidised,
            settlement.amount,
        )
    )
    name = f"meals-{settlement.month:%Y%m}-{point.pk}"
    return monthly_bank_file(user=user, settlement=settlement, fmt=fmt, name=name, headers=headers, rows=rows)
