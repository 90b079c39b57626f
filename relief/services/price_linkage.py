"""The price-linkage subsidy (物价上涨挂钩联动, DOMAIN.md): when a month's CPI
or food-price rise reaches its threshold, every covered person gets the
monthly dibao standard × the rise, once, whatever the number of groups.

The month's figures are fixed first (one PriceSubsidyRate row per region,
written once, so a resumed run pays at the first attempt's rates) and the
district rolls created; the covered people are gathered once (one statement
over the union of the covered groups, into a session temp table keyed by
person id); then the batch engine runs one INSERT … SELECT per chunk of
person ids.  (person, month) is
unique in the database, so a rerun or a restarted run pays nobody twice; an
approved roll is never changed; a second start of the same month while one
runs is refused by an advisory lock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import price_linkage_groups
from civil_affairs.batches import analyze, batchrun_enqueue, lock_class, result_update, run_chunks, run_exclusive
from civil_affairs.models import AuditEvent, BatchRun, FeedRecord, HouseholdMember, Person, Region
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import blocked_message, chunk_write, month_totals, roll_approve
from civil_affairs.services import DomainError, audit_record, batchrun_create, batchrun_finish

from ..models import Benefit, PriceIndex, PriceSubsidy, PriceSubsidyRate, PriceSubsidyRoll
from ..rules import price_linkage_amount, price_linkage_rise
from ..selectors.price_linkage import PRICE_SUBSIDY, group_labels, month_rates
from ..selectors.standards import region_ancestors, standards_by_region
from .payroll import parse_month

KIND = PRICE_SUBSIDY.run_kind  # BatchRun.kind ("relief_price_linkage"); task and capability: relief/apps.py
CHUNK_IDS = 50_000  # person ids per chunk: one transaction, one INSERT, one progress step
_LOCK_CLASS = lock_class(KIND)  # advisory lock (class, yyyymm): one run per month at a time
ZERO = Decimal("0.00")


def _label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _pct(value: Decimal | None) -> str:
    """3.50 → "3.5", 6.0000 → "6.0", 3.25 → "3.25" (as the statistics office writes them)."""
    if value is None:
        return "—"
    tenth = value.quantize(Decimal("0.1"))
    return str(tenth) if tenth == value else str(value.normalize())


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class RegionRate:
    """One region's figures for the month: the index row it falls under, the
    thresholds and standard in force there, and what it pays (if anything)."""

    region: str
    index_region: str
    cpi_yoy: Decimal
    food_yoy: Decimal
    cpi_threshold: Decimal
    food_threshold: Decimal
    standard: Decimal
    rise: Decimal | None
    amount: Decimal | None

    @property
    def triggered(self) -> bool:
        return self.rise is not None and self.amount is not None and self.amount > 0


@dataclass(frozen=True)
class IndexFigures:
    """One price-index row and what it did to the regions under it."""

    region: str
    name: str
    cpi_yoy: Decimal
    food_yoy: Decimal
    cpi_threshold: Decimal | None  # in force at the index's own region (or the first region under it)
    food_threshold: Decimal | None
    regions: int
    triggered_regions: int

    @property
    def triggered(self) -> bool:
        return self.triggered_regions > 0

    def describe(self) -> str:
        return _("%(name)s CPI 同比 %(cpi)s%%（启动条件 %(ct)s%%），食品价格同比 %(food)s%%（启动条件 %(ft)s%%）") % {
            "name": self.name,
            "cpi": _pct(self.cpi_yoy),
            "ct": _pct(self.cpi_threshold),
            "food": _pct(self.food_yoy),
            "ft": _pct(self.food_threshold),
        }


@dataclass(frozen=True)
class Evaluation:
    month: dt.date
    regions: tuple[RegionRate, ...]
    indexes: tuple[IndexFigures, ...]
    missing_standards: tuple[str, ...] = ()  # regions under an index row with no complete standards

    @property
    def label(self) -> str:
        return _label(self.month)

    @property
    def triggered_rates(self) -> list[RegionRate]:
        return [r for r in self.regions if r.triggered]

    @property
    def triggered(self) -> bool:
        return any(r.triggered for r in self.regions)

    def describe(self) -> str:
        return "；".join(i.describe() for i in self.indexes)

    def refusal(self) -> str:
        message = _("%(m)s 未达到启动条件：%(figures)s，不发放价格临时补贴。") % {
            "m": self.label,
            "figures": self.describe(),
        }
        if self.missing_standards:
            message += _("（另有 %(n)d 个区划缺少救助标准，未能计算。）") % {"n": len(self.missing_standards)}
        return message


def _no_index_message(month: dt.date) -> str:
    return _(
        "%(m)s 尚无价格指数，无法判断是否启动物价补贴联动。请先导入统计部门发布的价格指数："
        "在“比对数据”页面上传，或运行 manage.py import_feed price_index 文件名。"
    ) % {"m": _label(month)}


def price_linkage_evaluate(*, month: dt.date, require_trigger: bool = True) -> Evaluation:
    """The month's figures for every region: the nearest price-index row up
    the tree, the thresholds and dibao standard in force on the month's first
    day, and the rise and amount where the month triggers.  Raises a
    DomainError when the month has no index, or (with `require_trigger`) when
    no region triggers, naming the figures."""
    if month.day != 1:
        raise DomainError(_("补贴月份须为某月1日。"))
    index = {row.region_id: row for row in PriceIndex.objects.filter(month=month).select_related("region")}
    if not index:
        raise DomainError(_no_index_message(month))
    codes = list(Region.objects.values_list("code", flat=True))
    standards = standards_by_region(month, regions=codes)
    rates: list[RegionRate] = []
    missing: list[str] = []
    under: dict[str, list[RegionRate]] = {code: [] for code in index}
    for code in codes:
        index_code = next((a for a in region_ancestors(code) if a in index), None)
        if index_code is None:
            continue  # no published figure covers it
        values = standards.get(code)
        if values is None:
            missing.append(code)
            continue
        row = index[index_code]
        rise = price_linkage_rise(
            cpi=row.cpi_yoy,
            food=row.food_yoy,
            cpi_threshold=values.price_cpi_threshold,
            food_threshold=values.price_food_threshold,
        )
        amount = price_linkage_amount(standard=values.dibao_standard, rise=rise) if rise is not None else None
        rate = RegionRate(
            region=code,
            index_region=index_code,
            cpi_yoy=row.cpi_yoy,
            food_yoy=row.food_yoy,
            cpi_threshold=values.price_cpi_threshold,
            food_threshold=values.price_food_threshold,
            standard=values.dibao_standard,
            rise=rise,
            amount=amount,
        )
        rates.append(rate)
        under[index_code].append(rate)
    figures = []
    for code, row in sorted(index.items()):
        own = standards.get(code)
        first = under[code][0] if under[code] else None
        figures.append(
            IndexFigures(
                region=code,
                name=row.region.name,
                cpi_yoy=row.cpi_yoy,
                food_yoy=row.food_yoy,
                cpi_threshold=own.price_cpi_threshold if own else (first.cpi_threshold if first else None),
                food_threshold=own.price_food_threshold if own else (first.food_threshold if first else None),
                regions=len(under[code]),
                triggered_regions=sum(1 for r in under[code] if r.triggered),
            )
        )
    evaluation = Evaluation(month=month, regions=tuple(rates), indexes=tuple(figures), missing_standards=tuple(missing))
    if require_trigger and not evaluation.triggered:
        raise DomainError(evaluation.refusal())
    return evaluation


# ---------------------------------------------------------------- the SQL

_RATE, _ROLL, _SUB = PriceSubsidyRate._meta.db_table, PriceSubsidyRoll._meta.db_table, PriceSubsidy._meta.db_table
_B, _M, _F = Benefit._meta.db_table, HouseholdMember._meta.db_table, FeedRecord._meta.db_table
_P, _REGION = Person._meta.db_table, Region._meta.db_table

_RATES_SQL = f"""
INSERT INTO {_RATE} (month, region_id, index_region_id, cpi_yoy, food_yoy, cpi_threshold, food_threshold,
                     rise, standard, amount)
SELECT %(month)s::date, t.* FROM unnest(%(region)s::varchar[], %(index)s::varchar[], %(cpi)s::numeric[],
    %(food)s::numeric[], %(cpi_t)s::numeric[], %(food_t)s::numeric[], %(rise)s::numeric[],
    %(standard)s::numeric[], %(amount)s::numeric[]) AS t
ON CONFLICT (month, region_id) DO NOTHING"""

_DISTRICT = "substr({col}, 1, 6) || '000000'"  # the level-3 region (区/县) of a street or community

# A roll for every district with a paying region; the ones nobody is paid in are removed at the end.
_ROLLS_SQL = f"""
INSERT INTO {_ROLL} (month, district_id, status)
SELECT %(month)s::date, d.code, 'generated' FROM {_REGION} d
WHERE d.code IN (SELECT {_DISTRICT.format(col="t.region_id")} FROM {_RATE} t
                 JOIN {_REGION} r ON r.code = t.region_id AND r.level >= 3 WHERE t.month = %(month)s)
ON CONFLICT (month, district_id) DO NOTHING"""

_PRUNE_ROLLS_SQL = f"""
DELETE FROM {_ROLL} r WHERE r.month = %(month)s AND r.status = 'generated'
AND NOT EXISTS (SELECT 1 FROM {_SUB} s WHERE s.roll_id = r.id)"""

# As the payroll: approval takes FOR UPDATE on its roll, so holding FOR SHARE
# on the month's open rolls while lines go in means no roll is approved
# half-filled, and one approved before this point takes no new lines.
_LOCK_OPEN_ROLLS_SQL = f"SELECT id FROM {_ROLL} WHERE month = %(month)s AND status = 'generated' FOR SHARE"

_PAYABLE = """b.status IN ('active', 'gradual_exit') AND b.start_month <= %(month)s
        AND (b.last_month IS NULL OR b.last_month >= %(month)s)"""

# Relief's covered groups (registered in relief/apps.py as CoveredGroup): who is
# in each in month %(month)s, as (person_id, region_id, bank_account).  Other
# areas register theirs (childcare: orphans and de-facto unsupported children).
DIBAO_MEMBERS_SQL = f"""
    SELECT m.person_id, b.region_id, b.bank_account FROM {_B} b JOIN {_M} m ON m.household_id = b.household_id
    WHERE b.kind = 'dibao' AND {_PAYABLE}"""  # every member of a household with a payable dibao benefit
TEKUN_SQL = f"""
    SELECT b.recipient_id, b.region_id, b.bank_account FROM {_B} b
    WHERE b.kind = 'tekun' AND {_PAYABLE}"""  # the recipient of a payable tekun benefit
# the month's feed lists (unemployment insurance, entitled veterans), where the person lives
_FEED_LIST_SQL = f"""
    SELECT p.id, p.residence_region_id, left(coalesce(f.detail->>'bank_account', ''), 32)
    FROM {_F} f JOIN {_P} p ON p.id_number = f.id_number
    WHERE f.kind = '%s' AND f.event_date = %%(month)s"""
UNEMPLOYMENT_SQL = _FEED_LIST_SQL % "unemployment"
VETERAN_SQL = _FEED_LIST_SQL % "veteran"

# Who is covered this month, once per attempt: each person once, under the
# registered group first in priority order, alive on the 1st.  A session temp
# table keyed by person id, so every chunk reads its slice by index instead of
# joining the month's lists to the registry again (a rebuilt table after a
# restart holds the same people for the same data).
_COVERED_TABLE = "linkage_covered"
_DROP_COVERED_SQL = f"DROP TABLE IF EXISTS {_COVERED_TABLE}"


def _covered_sql() -> tuple[str, ...]:
    """The statements that fill the temp table from every registered group."""
    union = " UNION ALL ".join(  # keys are checked plain names (price_linkage_groups)
        f"SELECT g.person_id, '{group.key}' AS grp, {rank} AS rank, g.region_id, g.bank_account "
        f"FROM ({group.select()}) AS g(person_id, region_id, bank_account)"
        for rank, group in enumerate(price_linkage_groups())
    )
    return (
        _DROP_COVERED_SQL,
        f"""CREATE TEMP TABLE {_COVERED_TABLE} AS
            SELECT DISTINCT ON (u.person_id) u.person_id, u.grp, u.region_id, u.bank_account
            FROM ({union}) u JOIN {_P} p ON p.id = u.person_id
            WHERE p.death_date IS NULL OR p.death_date >= %(month)s
            ORDER BY u.person_id, u.rank""",
        f"CREATE UNIQUE INDEX ON {_COVERED_TABLE} (person_id)",
        f"ANALYZE {_COVERED_TABLE}",
    )


# Already paid this month: left to ON CONFLICT alone (like the payroll's lines).  A NOT EXISTS on the
# subsidies planned on a never-analysed table (the first month ever) scanned every line written so far
# for each chunk: 15 s of 19 for 200 000 people, 1.6 s once the table had statistics.
_SUBSIDIES_SQL = f"""
INSERT INTO {_SUB} (roll_id, person_id, month, "group", region_id, amount, bank_account)
SELECT r.id, c.person_id, %(month)s::date, c.grp, c.region_id, t.amount, c.bank_account
FROM {_COVERED_TABLE} c
JOIN {_RATE} t ON t.month = %(month)s AND t.region_id = c.region_id
JOIN {_ROLL} r ON r.month = %(month)s AND r.district_id = {_DISTRICT.format(col="c.region_id")}
WHERE c.person_id >= %(lo)s AND c.person_id < %(hi)s AND r.status = 'generated'
ON CONFLICT (person_id, month) DO NOTHING"""

# Covered people of the chunk left unpaid because their district roll was approved first.
_BLOCKED_SQL = f"""
SELECT c.person_id, p.id_number FROM {_COVERED_TABLE} c
JOIN {_RATE} t ON t.month = %(month)s AND t.region_id = c.region_id
JOIN {_ROLL} r ON r.month = %(month)s AND r.district_id = {_DISTRICT.format(col="c.region_id")}
JOIN {_P} p ON p.id = c.person_id
WHERE c.person_id >= %(lo)s AND c.person_id < %(hi)s AND r.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM {_SUB} s WHERE s.person_id = c.person_id AND s.month = %(month)s)
ORDER BY c.person_id"""


@contextmanager
def _covered(month: dt.date) -> Iterator[None]:
    with connection.cursor() as cursor:
        for sql in _covered_sql():
            cursor.execute(sql, {"month": month})
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(_DROP_COVERED_SQL)


def _rates_write(evaluation: Evaluation) -> None:
    """The month's paying regions in one INSERT; rows already there (a first
    attempt's) are kept, so a resumed or repeated run pays the same."""
    rates = evaluation.triggered_rates
    if not rates:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _RATES_SQL,
            {
                "month": evaluation.month,
                "region": [r.region for r in rates],
                "index": [r.index_region for r in rates],
                "cpi": [r.cpi_yoy for r in rates],
                "food": [r.food_yoy for r in rates],
                "cpi_t": [r.cpi_threshold for r in rates],
                "food_t": [r.food_threshold for r in rates],
                "rise": [r.rise for r in rates],
                "standard": [r.standard for r in rates],
                "amount": [r.amount for r in rates],
            },
        )


def _chunk(month: dt.date, lo: int, hi: int, run_id: int | None = None) -> dict[str, int]:
    """Subsidies for persons with ids in [lo, hi): one INSERT … SELECT, inside
    the engine's chunk transaction.  Returns the rows added (0 when redone)
    and the people an approved roll kept out ("blocked"), which also go to
    the run's errors."""
    params = {"month": month, "lo": lo, "hi": hi}
    return chunk_write(
        statements=(_LOCK_OPEN_ROLLS_SQL,),
        lines_sql=_SUBSIDIES_SQL,
        blocked_sql=_BLOCKED_SQL,
        params=params,
        run_id=run_id,
        what=_("人员"),
    )


# ---------------------------------------------------------------- summary


def price_linkage_summary(*, month: dt.date) -> dict:
    """The month as it stands: people and money in all, by district, by group
    and by both (one GROUP BY), the rolls, and the rates paid."""
    rows = month_totals(PRICE_SUBSIDY, month=month)
    labels = group_labels()
    order = list(labels)  # the registry's priority order
    by_district: dict[str, dict] = {}
    by_group: dict[str, dict] = {}
    for r in rows:
        d = by_district.setdefault(
            r["district_id"], {"district_id": r["district_id"], "district": r["district"], "people": 0, "total": ZERO}
        )
        g = by_group.setdefault(
            r["group"],
            {"group": r["group"], "label": str(labels.get(r["group"], r["group"])), "people": 0, "total": ZERO},
        )
        for cell in (d, g):
            cell["people"] += r["lines"]
            cell["total"] += r["total"]
    statuses = list(PriceSubsidyRoll.objects.filter(month=month).values_list("status", flat=True))
    return {
        "month": _label(month),
        "people": sum(r["lines"] for r in rows),
        "total": sum((r["total"] for r in rows), ZERO),
        "rolls": len(statuses),
        "approved_rolls": sum(1 for s in statuses if s == PriceSubsidyRoll.Status.APPROVED),
        "by_district": list(by_district.values()),
        "by_group": sorted(by_group.values(), key=lambda g: order.index(g["group"]) if g["group"] in order else 99),
        "by_district_group": rows,
        "rates": month_rates(month=month),
    }


def _jsonable(value: dict) -> dict:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# ---------------------------------------------------------------- the run

ProgressCallback = Callable[[int, int], None]  # (person ids covered, ids in all)


def _pay(run: BatchRun, month: dt.date, progress: ProgressCallback | None) -> dict:
    try:
        evaluation = price_linkage_evaluate(month=month)
    except DomainError:
        # A resumed run keeps the rates its first attempt fixed, whatever the index says now.
        if not PriceSubsidyRate.objects.filter(month=month).exists():
            raise
    else:
        _rates_write(evaluation)
    with connection.cursor() as cursor:
        cursor.execute(_ROLLS_SQL, {"month": month})
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    first = bounds["lo"] or 0
    end = bounds["hi"] + 1 if bounds["hi"] is not None else first
    with _covered(month):
        counts = run_chunks(
            run_id=run.pk,
            first=first,
            end=end,
            chunk=CHUNK_IDS,
            step=lambda lo, hi: _chunk(month, lo, hi, run.pk),
            progress=progress,
        )
    with connection.cursor() as cursor:
        cursor.execute(_PRUNE_ROLLS_SQL, {"month": month})
    analyze(PriceSubsidy, PriceSubsidyRoll, PriceSubsidyRate)
    summary = _jsonable(
        {**price_linkage_summary(month=month), "added": counts.get("added", 0), "blocked": counts.get("blocked", 0)}
    )
    result_update(run_id=run.pk, summary=summary)
    audit_record(
        actor=run.created_by,
        action=AuditEvent.Action.CREATE,
        target_type="relief.pricesubsidyroll",
        target_id=summary["month"],
        region_code=run.region_id or "",
        changes={
            "price_linkage": {k: summary[k] for k in ("month", "added", "people", "total", "rolls", "blocked")},
            "run": run.pk,
        },
    )
    message = _("%(m)s 价格临时补贴：本次新增 %(a)d 人，共 %(n)d 人、%(r)d 个区县花名册，合计 %(t)s 元。") % {
        "m": summary["month"],
        "a": summary["added"],
        "n": summary["people"],
        "r": summary["rolls"],
        "t": summary["total"],
    }
    if summary["blocked"]:
        message += blocked_message(summary["blocked"])
    batchrun_finish(run_id=run.pk, message=message)
    return summary


def price_linkage_run(*, run_id: int, progress: ProgressCallback | None = None) -> dict | None:
    """What the Celery task and the command run: the BatchRun's month,
    resumable after a failure (from its last finished chunk).  Returns the
    month's summary (JSON-safe), or None when the run had already finished
    (a duplicate delivery)."""
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是物价补贴联动任务。") % {"id": run_id})
    try:
        month = parse_month(run.params.get("month"))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    return run_exclusive(
        run=run,
        key=month.year * 100 + month.month,
        label=_("%(m)s 物价补贴联动") % {"m": _label(month)},
        same={"month": _label(month)},
        work=lambda run: _pay(run, month, progress),
    )


def price_linkage_start(*, user, month: dt.date) -> BatchRun:
    """The bureau starts a month by hand: refused with the figures when the
    month does not trigger, otherwise queued as a Celery task with a progress bar."""
    if not has_capability(user, "price_linkage_run"):
        raise DomainError(_("您没有启动物价补贴联动的权限。"))
    evaluation = price_linkage_evaluate(month=month)
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": evaluation.label}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"price_linkage_month": evaluation.label, "figures": evaluation.describe()},
        )
        batchrun_enqueue(run)
    return run


def price_linkage_monthly() -> BatchRun | None:
    """Celery beat: last month's batch.  A month without an index or that does
    not trigger leaves a finished run saying so; a month already paid (or
    being paid) adds nothing."""
    month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    label = _label(month)
    runs = BatchRun.objects.filter(kind=KIND, params__month=label)
    if (
        runs.filter(status__in=(BatchRun.Status.PENDING, BatchRun.Status.RUNNING)).exists()
        or runs.filter(status=BatchRun.Status.SUCCEEDED, result__has_key="summary").exists()
    ):
        return None
    try:
        evaluation = price_linkage_evaluate(month=month)
    except DomainError as exc:
        with transaction.atomic():
            run = batchrun_create(kind=KIND, params={"month": label, "scheduled": True})
            BatchRun.objects.filter(pk=run.pk).update(result={"triggered": False})
            batchrun_finish(run_id=run.pk, message=str(exc))
        run.refresh_from_db()
        return run
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": label, "scheduled": True})
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"price_linkage_month": label, "figures": evaluation.describe()},
        )
        batchrun_enqueue(run)
    return run


# ---------------------------------------------------------------- approval


def subsidy_roll_approve(*, actor, roll: PriceSubsidyRoll) -> PriceSubsidyRoll:
    """Approved like a payroll roll (civil_affairs.rolls.roll_approve)."""
    return roll_approve(actor=actor, kind=PRICE_SUBSIDY, roll=roll)
