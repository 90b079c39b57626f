"""The nightly eligibility recheck (资格复核, DOMAIN.md "Dynamic management",
"Household economic verification").

Phase 1 matches the feed rows nobody has checked yet against every person on
a live benefit, in chunks of feed-row ids through the batch engine
(civil_affairs.batches): each chunk is one transaction of a few set-based
statements (deaths, asset and move hits, wages) that ends by marking its
rows checked, so a restarted run skips exactly the chunks that finished.
Phase 2 is four idempotent statements over the benefits, in one
transaction: pending amounts whose month has come, missing recheck dates,
rechecks falling due, and new amounts after a standard changes.

Every task goes in with ON CONFLICT (benefit, kind, key) DO NOTHING and
every benefit change is guarded by its own condition, so running the same
night again creates and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.batches import (
    BatchBusy,
    analyze,
    batchrun_enqueue,
    lock_class,
    result_update,
    run_chunks,
    run_exclusive,
)
from civil_affairs.life_events import LifeEventBatch, life_events_record_many
from civil_affairs.models import AuditEvent, BatchRun, FeedRecord, Person
from civil_affairs.months import next_month_start, twelve_month_window
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix
from civil_affairs.services import DomainError, audit_record, audit_rows_sql, batchrun_create, batchrun_finish

from ..models import Application, Benefit, Payment, ReviewTask
from ..selectors.standards import standards_by_region

KIND = "relief_recheck"  # BatchRun.kind; its task and capability are registered in relief/apps.py
CHUNK_IDS = 20_000  # feed-row ids per chunk: one transaction, one progress step
LOCK_CLASS = lock_class(KIND)  # session advisory lock (class, yyyymmdd): one run per night at a time
_SERIAL_KEY = 0  # (class, 0) transaction lock: runs for different dates never write at once
TASK_DAYS = 10  # a feed hit is due for review this many days after the run
DUE_WITHIN_DAYS = 30  # rechecks falling due within this many days get a task
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

ProgressCallback = Callable[[int, int], None]  # (feed ids covered, ids in all)

COUNT_LABELS = {
    "feed_rows": gettext_lazy("比对数据（条）"),
    "feed_hits": gettext_lazy("命中在享对象（条）"),
    "deaths_recorded": gettext_lazy("登记死亡（人）"),
    "stopped": gettext_lazy("停发（户）"),
    "suspended": gettext_lazy("暂停（户）"),
    "payments_removed": gettext_lazy("撤回未审核发放明细（条）"),
    "pending_folded": gettext_lazy("新金额生效（户）"),
    "next_recheck_filled": gettext_lazy("补定复核日期（户）"),
    "pending_set": gettext_lazy("标准调整待生效（户）"),
    "basis_updated": gettext_lazy("标准调整重算（户）"),
    **{f"tasks_{value}": label for value, label in ReviewTask.Kind.choices},
}

# Live benefit: paid, in gradual exit, or suspended (the payee must change); never temporary.
_LIVE = "('active', 'gradual_exit', 'suspended')"
_OPEN_APPLICATION = "(" + ", ".join(f"'{s}'" for s in Application.OPEN_STATES) + ")"
_B, _T, _F = "relief_benefit", "relief_reviewtask", FeedRecord._meta.db_table  # feed rows: the core's
_P, _M, _I = "civil_affairs_person", "civil_affairs_householdmember", "civil_affairs_incomerecord"
_TASK_COLUMNS = (
    "kind, benefit_id, person_id, region_id, key, feed_record_id, evidence, due, status, run_id, created_at, resolution"
)
_AUDIT_ROWS = audit_rows_sql("audit_rows")  # the statement's `audit_rows` CTE → audit events


def parse_day(value: str | None) -> dt.date:
    """'2026-11-02' → the date, or a DomainError that says what is wrong."""
    text = (value or "").strip()
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise DomainError(_("日期格式应为 YYYY-MM-DD（例如 2026-11-02），收到“%(v)s”。") % {"v": text}) from None
    if not 2000 <= day.year <= 2099:
        raise DomainError(_("年份应在 2000 至 2099 之间，收到“%(v)s”。") % {"v": text})
    return day


# ---------------------------------------------------------------- standards for the SQL

# (column, Standards attribute): "n_" in force on the run date, "x_" on the first of next month.
_STD_FIELDS = (
    ("dibao", "dibao_standard", "numeric"),
    ("ecr", "employment_cost_rate", "numeric"),
    ("capital", "business_capital_limit", "numeric"),
    ("rs", "recheck_months_stable", "int"),
    ("ro", "recheck_months_other", "int"),
    ("extra", "extra_rate", "numeric"),
    ("floor", "floor_rate", "numeric"),
    ("tekun", "tekun_basic_multiple", "numeric"),
    ("care_self", "care_self", "numeric"),
    ("care_partial", "care_partial", "numeric"),
    ("care_full", "care_full", "numeric"),
)


def _standard_columns(day: dt.date) -> dict[str, list]:
    """Per-region standards as column arrays for `unnest`: two queries for the whole city."""
    now, later = standards_by_region(day), standards_by_region(next_month_start(day))
    codes = sorted(set(now) | set(later))
    columns: dict[str, list] = {"region": codes}
    for prefix, source in (("n", now), ("x", later)):
        for column, attr, _type in _STD_FIELDS:
            columns[f"{prefix}_{column}"] = [getattr(source[c], attr) if c in source else None for c in codes]
    return columns


def _load_standards(cursor, columns: dict[str, list]) -> None:
    """The standards into a temporary table of this transaction, so the
    statements join them by region like any table."""
    specs = [("region", 'varchar(12) COLLATE "C" PRIMARY KEY', "varchar")]
    for prefix in ("n", "x"):
        specs += [(f"{prefix}_{column}", sql_type, sql_type) for column, _a, sql_type in _STD_FIELDS]
    cursor.execute("DROP TABLE IF EXISTS pg_temp.recheck_std")
    cursor.execute("CREATE TEMP TABLE recheck_std (" + ", ".join(f"{n} {t}" for n, t, _a in specs) + ") ON COMMIT DROP")
    cursor.execute(
        "INSERT INTO recheck_std SELECT * FROM unnest(" + ", ".join(f"%s::{a}[]" for _n, _t, a in specs) + ")",
        [columns[n] for n, _t, _a in specs],
    )


# ---------------------------------------------------------------- phase 1: feed rows, one chunk

# This chunk's unchecked feed rows of a person on a live benefit, one row per
# (feed row, benefit): "on" = a member of its household, or its recipient.
# The two joins go through HouseholdMember.person (unique) and Benefit.household /
# Benefit.recipient (indexed); the feed rows through the partial index of unchecked ids.
_HITS_FROM = """
CREATE TEMP TABLE recheck_hit ON COMMIT DROP AS
WITH f AS MATERIALIZED ({source}), fb AS (
    SELECT f.feed_id, b.id AS benefit_id
    FROM f JOIN {_M} m ON m.person_id = f.person_id JOIN {_B} b ON b.household_id = m.household_id
    WHERE b.kind <> 'temporary' AND b.status IN {_LIVE}
    UNION
    SELECT f.feed_id, b.id FROM f JOIN {_B} b ON b.recipient_id = f.person_id
    WHERE b.kind <> 'temporary' AND b.status IN {_LIVE}
)
SELECT f.*, b.id AS benefit_id, b.kind, b.status, b.region_id, b.household_id, b.recipient_id
FROM fb JOIN f ON f.feed_id = fb.feed_id JOIN {_B} b ON b.id = fb.benefit_id"""
_HITS_SQL = _HITS_FROM.format(
    _B=_B,
    _M=_M,
    _LIVE=_LIVE,
    source=f"""
    SELECT f.id AS feed_id, f.kind AS feed_kind, f.key AS feed_key, f.event_date, f.amount, f.detail,
           p.id AS person_id, p.name AS person_name, NULL::text AS task_key
    FROM {_F} f JOIN {_P} p ON p.id_number = f.id_number
    WHERE f.id >= %(lo)s AND f.id < %(hi)s AND f.checked_at IS NULL
      AND f.kind IN ('death', 'vehicle', 'property', 'business', 'hukou', 'wages')""",
)
# The deaths of a life-event batch (civil_affairs.life_events → deaths_apply):
# the same hit rows, one per (dead person, live benefit), so _DEATHS_SQL decides
# exactly as it always did for the night's feed.  A death without a feed row
# (a caseworker's) has feed id 0 (real ids start at 1) and a task key of its own.
NO_FEED = 0
_DEATH_HITS_SQL = _HITS_FROM.replace("recheck_hit", "death_hit").format(
    _B=_B,
    _M=_M,
    _LIVE=_LIVE,
    source=f"""
    SELECT COALESCE(e.feed_record_id, {NO_FEED})::bigint AS feed_id, 'death'::varchar AS feed_kind,
           NULL::varchar AS feed_key, e.event_date, NULL::numeric AS amount, '{{}}'::jsonb AS detail,
           p.id AS person_id, p.name AS person_name,
           'p' || p.id::text || ':' || to_char(e.event_date, 'YYYY-MM-DD') AS task_key
    FROM {LifeEventBatch.TABLE} e JOIN {_P} p ON p.id = e.person_id""",
)

# This chunk's unchecked death rows of people in the registry: the life events they raise.
_CHUNK_DEATHS_SQL = f"""
SELECT p.id, f.event_date, f.id FROM {_F} f JOIN {_P} p ON p.id_number = f.id_number
WHERE f.id >= %(lo)s AND f.id < %(hi)s AND f.checked_at IS NULL AND f.kind = 'death'
ORDER BY f.id"""

# Per touched benefit: stop when nobody in the household lives on (or the
# extremely poor person themself died), suspend when the payee died but
# others live, else it continues.  Stopped from the month after the death:
# lines already generated for later months, in rolls nobody approved, go.
_DEATHS_SQL = f"""
WITH touched AS (
    SELECT DISTINCT benefit_id FROM death_hit WHERE feed_kind = 'death'
), state AS (
    SELECT b.id, b.kind, b.status AS old_status, b.last_month AS old_last_month, r.death_date AS recipient_death,
           lv.living, lv.last_death
    FROM touched t JOIN {_B} b ON b.id = t.benefit_id JOIN {_P} r ON r.id = b.recipient_id
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE p.death_date IS NULL) AS living, max(p.death_date) AS last_death
        FROM {_M} m JOIN {_P} p ON p.id = m.person_id WHERE m.household_id = b.household_id) lv
), decision AS (
    SELECT s.*,
           CASE WHEN s.living = 0 OR (s.kind = 'tekun' AND s.recipient_death IS NOT NULL) THEN 'stopped'
                WHEN s.recipient_death IS NOT NULL THEN 'suspended'
                ELSE s.old_status END AS new_status,
           CASE WHEN s.recipient_death IS NOT NULL AND (s.living > 0 OR s.kind = 'tekun') THEN s.recipient_death
                ELSE COALESCE(s.last_death, s.recipient_death) END AS stop_date
    FROM state s
), changed AS (
    UPDATE {_B} b
    SET status = d.new_status,
        status_reason = left(replace(CASE WHEN d.new_status = 'stopped' THEN %(stop_reason)s
                                          ELSE %(suspend_reason)s END,
                                     '{{date}}', to_char(d.stop_date, 'YYYY-MM-DD')), 200),
        last_month = CASE WHEN d.new_status = 'stopped'
                          THEN GREATEST(b.start_month, LEAST(COALESCE(b.last_month, 'infinity'::date),
                                                             date_trunc('month', d.stop_date)::date))
                          ELSE b.last_month END,
        updated_at = now()
    FROM decision d
    WHERE b.id = d.id AND d.new_status <> d.old_status
    RETURNING b.id, b.region_id, b.status, b.last_month, d.old_status, d.old_last_month, d.stop_date
), removed AS (
    DELETE FROM relief_payment pay USING changed c, relief_payrollroll r
    WHERE pay.benefit_id = c.id AND r.id = pay.roll_id AND r.status = 'generated'
      AND pay.month > date_trunc('month', c.stop_date)
    RETURNING pay.benefit_id, pay.month, pay.amount
), removed_by_benefit AS (
    SELECT x.benefit_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('month', x.month, 'amount', x.amount::text) ORDER BY x.month) AS lines
    FROM removed x GROUP BY x.benefit_id
), audit_rows AS (
    SELECT %(actor_id)s, %(actor_label)s, 'update', 'relief.benefit', c.id::text, c.region_id,
           jsonb_build_object('step', %(step)s, 'status', jsonb_build_array(c.old_status, c.status),
                              'last_month', jsonb_build_array(c.old_last_month, c.last_month),
                              'death_date', c.stop_date, 'run', %(run)s,
                              'payments_removed', COALESCE(x.lines, '[]'::jsonb))
    FROM changed c LEFT JOIN removed_by_benefit x ON x.benefit_id = c.id
), audit AS ({_AUDIT_ROWS}), tasks AS (
    INSERT INTO {_T} ({_TASK_COLUMNS})
    SELECT 'death', h.benefit_id, h.person_id, h.region_id,
           COALESCE(NULLIF(h.feed_id, {NO_FEED})::text, h.task_key), NULLIF(h.feed_id, {NO_FEED}),
           jsonb_build_object('death_date', h.event_date, 'person', h.person_name, 'relation', m.relation,
                              'is_recipient', h.person_id = h.recipient_id, 'living_members', d.living,
                              'status_before', d.old_status,
                              'action', CASE WHEN d.new_status <> d.old_status THEN d.new_status
                                             ELSE 'unchanged' END,
                              'last_month', c.last_month, 'payments_removed', COALESCE(x.n, 0)),
           %(due)s, 'open', %(run)s, now(), ''
    FROM death_hit h JOIN decision d ON d.id = h.benefit_id
    LEFT JOIN changed c ON c.id = h.benefit_id
    LEFT JOIN removed_by_benefit x ON x.benefit_id = h.benefit_id
    LEFT JOIN {_M} m ON m.person_id = h.person_id AND m.household_id = h.household_id
    WHERE h.feed_kind = 'death'
    ON CONFLICT (benefit_id, kind, key) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM changed WHERE status = 'stopped'),
       (SELECT count(*) FROM changed WHERE status = 'suspended'),
       (SELECT count(*) FROM removed), (SELECT count(*) FROM tasks)"""

# Rolls approved meanwhile are left alone: approval takes FOR UPDATE on its
# roll, so holding FOR SHARE on the open ones orders us with it.
_LOCK_OPEN_ROLLS_SQL = "SELECT id FROM relief_payrollroll WHERE status = 'generated' FOR SHARE"

# Vehicle, property, business and moves out of the city: a task with the feed row as evidence.
_ASSET_TASKS_SQL = f"""
WITH ins AS (
    INSERT INTO {_T} ({_TASK_COLUMNS})
    SELECT CASE h.feed_kind WHEN 'hukou' THEN 'moved_out' ELSE h.feed_kind END,
           h.benefit_id, h.person_id, h.region_id, h.feed_id::text, h.feed_id,
           jsonb_build_object('feed_kind', h.feed_kind, 'key', h.feed_key, 'event_date', h.event_date,
                              'person', h.person_name, 'amount', h.amount::text)
           || h.detail
           || CASE h.feed_kind
                WHEN 'business' THEN jsonb_build_object('capital', h.amount::text,
                                                        'capital_limit', round(s.n_capital, 2)::text,
                                                        'over_limit', h.amount > s.n_capital)
                WHEN 'hukou' THEN jsonb_build_object('city_code', left(h.region_id, 4))
                ELSE '{{}}'::jsonb END,
           %(due)s, 'open', %(run)s, now(), ''
    FROM recheck_hit h LEFT JOIN recheck_std s ON s.region = h.region_id
    WHERE h.feed_kind IN ('vehicle', 'property', 'business', 'hukou')
      -- a mobility vehicle is allowed for a household with a disabled member (rules.asset_test)
      AND NOT (h.feed_kind = 'vehicle' AND h.detail->>'vehicle_type' = 'mobility' AND EXISTS (
               SELECT 1 FROM {_M} m JOIN {_P} p ON p.id = m.person_id
               WHERE m.household_id = h.household_id AND p.disability_grade > 0 AND p.death_date IS NULL))
      -- a move within the city (same first four digits as the benefit's region) is no hit
      AND NOT (h.feed_kind = 'hukou' AND COALESCE(h.detail->>'to_region_code', '') <> ''
               AND left(h.detail->>'to_region_code', 4) = left(h.region_id, 4) COLLATE "C")
    ON CONFLICT (benefit_id, kind, key) DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM ins GROUP BY kind"""

# Wages: the household's per-capita monthly income over the 12 months before
# the run date, as rules.per_capita_income computes it, where a person's
# feed wages (a month per row) replace their declared/verified wage records.
_WAGE_SHARE = """({amount} * ((LEAST({end}, %(we)s::date) - GREATEST({start}, %(ws)s::date)) + 1)
                  / (({end} - {start}) + 1))"""
_FEED_SHARE = _WAGE_SHARE.format(amount="COALESCE(f.amount, 0)", start="w.period_start", end="w.period_end")
_RECORD_SHARE = _WAGE_SHARE.format(amount="r.amount", start="r.period_start", end="r.period_end")
_WAGES_SQL = f"""
WITH touched AS (
    SELECT h.benefit_id, h.household_id, h.region_id, min(h.feed_id) AS feed_id,
           (array_agg(h.person_id ORDER BY h.feed_id))[1] AS person_id
    FROM recheck_hit h
    WHERE h.feed_kind = 'wages' AND h.kind = 'dibao' AND h.status IN ('active', 'suspended')
      AND NOT EXISTS (SELECT 1 FROM {_T} t WHERE t.benefit_id = h.benefit_id AND t.kind = 'income'
                      AND t.status = 'open')
    GROUP BY h.benefit_id, h.household_id, h.region_id
), people AS (
    SELECT t.benefit_id, p.id AS person_id, p.name, p.id_number,
           (p.death_date IS NULL OR p.death_date > %(day)s) AS living
    FROM touched t JOIN {_M} m ON m.household_id = t.household_id JOIN {_P} p ON p.id = m.person_id
), fed AS (
    SELECT pe.benefit_id, pe.person_id, pe.name,
           sum({_FEED_SHARE}) AS wages
    FROM people pe
    JOIN {_F} f ON f.id_number = pe.id_number AND f.kind = 'wages'
    CROSS JOIN LATERAL (
        SELECT date_trunc('month', f.event_date)::date AS period_start,
               (date_trunc('month', f.event_date) + interval '1 month' - interval '1 day')::date AS period_end) w
    WHERE w.period_end >= %(ws)s AND w.period_start <= %(we)s
    GROUP BY pe.benefit_id, pe.person_id, pe.name
), recs AS (
    SELECT t.benefit_id, r.person_id, r.kind,
           sum({_RECORD_SHARE}) AS amount
    FROM touched t JOIN {_I} r ON r.household_id = t.household_id
    WHERE r.kind IN ('wages', 'business', 'property', 'transfer')
      AND r.period_end >= %(ws)s AND r.period_start <= %(we)s
      AND NOT (r.kind = 'wages' AND EXISTS (SELECT 1 FROM fed WHERE fed.benefit_id = t.benefit_id
                                                              AND fed.person_id = r.person_id))
    GROUP BY t.benefit_id, r.person_id, r.kind
), living AS (
    SELECT benefit_id, count(*) AS n FROM people WHERE living GROUP BY benefit_id
), fed_total AS (
    SELECT benefit_id, sum(wages) AS wages FROM fed GROUP BY benefit_id
), rec_total AS (
    SELECT benefit_id, sum(amount) FILTER (WHERE kind = 'wages') AS wages,
           sum(amount) FILTER (WHERE kind <> 'wages') AS other
    FROM recs GROUP BY benefit_id
), by_person AS (
    SELECT x.benefit_id, jsonb_agg(jsonb_build_object('name', x.name, 'source', x.source,
                                                      'wages', round(x.wages, 2)::text)
                                   ORDER BY x.source, x.name) AS rows
    FROM (SELECT fed.benefit_id, fed.name, 'feed' AS source, fed.wages FROM fed
          UNION ALL
          SELECT x.benefit_id, p.name, 'record', x.amount FROM recs x JOIN {_P} p ON p.id = x.person_id
          WHERE x.kind = 'wages') x
    GROUP BY x.benefit_id
), calc AS (
    SELECT t.benefit_id, t.region_id, t.feed_id, t.person_id, s.n_dibao AS standard, s.n_ecr AS rate,
           lv.n AS members, COALESCE(ft.wages, 0) + COALESCE(rt.wages, 0) AS wages, COALESCE(rt.other, 0) AS other
    FROM touched t JOIN recheck_std s ON s.region = t.region_id
    JOIN living lv ON lv.benefit_id = t.benefit_id
    LEFT JOIN fed_total ft ON ft.benefit_id = t.benefit_id
    LEFT JOIN rec_total rt ON rt.benefit_id = t.benefit_id
), result AS (
    SELECT c.*, c.wages * c.rate AS cost, GREATEST(0, c.wages + c.other - c.wages * c.rate) AS annual,
           GREATEST(0, c.wages + c.other - c.wages * c.rate) AS annual_exact
    FROM calc c
), ins AS (
    INSERT INTO {_T} ({_TASK_COLUMNS})
    SELECT 'income', r.benefit_id, r.person_id, r.region_id, %(key)s, r.feed_id,
           jsonb_build_object(
               'proposal', 'gradual_exit', 'per_capita', round(r.annual_exact / 12 / r.members, 2)::text,
               'standard', round(r.standard, 2)::text, 'members', r.members,
               'window', jsonb_build_array(%(ws)s::date, %(we)s::date),
               'wages', round(r.wages, 2)::text, 'other_income', round(r.other, 2)::text,
               'employment_cost', round(r.cost, 2)::text, 'monthly_total', round(r.annual / 12, 2)::text,
               'wages_by_person', COALESCE(bp.rows, '[]'::jsonb)),
           %(due)s, 'open', %(run)s, now(), ''
    FROM result r LEFT JOIN by_person bp ON bp.benefit_id = r.benefit_id
    WHERE r.annual_exact >= r.standard * 12 * r.members  -- per capita ≥ standard, without dividing
    ON CONFLICT (benefit_id, kind, key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM ins"""

# Every unchecked row of the chunk, whatever its kind: the monthly lists the
# recheck does not match (unemployment, veterans) would otherwise stay in the
# partial index of unchecked rows for ever.
_MARK_CHECKED_SQL = f"UPDATE {_F} SET checked_at = now() WHERE id >= %(lo)s AND id < %(hi)s AND checked_at IS NULL"


def _chunk(*, run_id: int, day: dt.date, lo: int, hi: int, standards: dict[str, list]) -> dict[str, int]:
    """Feed rows with ids in [lo, hi): runs inside the engine's chunk transaction."""
    params = {
        "lo": lo,
        "hi": hi,
        "run": run_id,
        "day": day,
        "due": day + dt.timedelta(days=TASK_DAYS),
    }
    params["ws"], params["we"] = twelve_month_window(day)
    # An income task is one per household and night, whatever the number of wage rows: keyed by its due date.
    params["key"] = params["due"].isoformat()
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, _SERIAL_KEY])
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves on statements this size
        _load_standards(cursor, standards)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.recheck_hit")
        cursor.execute(_HITS_SQL, params)
        cursor.execute("ANALYZE recheck_hit")
        cursor.execute("SELECT feed_kind, count(DISTINCT feed_id) FROM recheck_hit GROUP BY feed_kind")
        by_kind = dict(cursor.fetchall())
        counts["feed_hits"] = sum(by_kind.values())
        # Deaths are life events: the core records the dates it did not hold and calls every area's
        # handler (relief's own is deaths_apply below), so a death an import already raised changes nothing.
        cursor.execute(_CHUNK_DEATHS_SQL, params)
        recorded = life_events_record_many(kind="death", rows=cursor.fetchall(), source="feed", run_id=run_id)
        counts["deaths_recorded"] = recorded.count
        if by_kind.get("death"):
            counts.update(recorded.results.get("relief") or dict.fromkeys(DEATH_COUNTS, 0))
        if any(by_kind.get(k) for k in ("vehicle", "property", "business", "hukou")):
            cursor.execute(_ASSET_TASKS_SQL, params)
            for kind, n in cursor.fetchall():
                counts[f"tasks_{kind}"] = n
        if by_kind.get("wages"):
            cursor.execute(_WAGES_SQL, params)
            counts["tasks_income"] = cursor.fetchone()[0]
        cursor.execute(_MARK_CHECKED_SQL, params)
        counts["feed_rows"] = cursor.rowcount
        cursor.execute("DROP TABLE IF EXISTS pg_temp.recheck_hit")
    return counts


DEATH_COUNTS = ("stopped", "suspended", "payments_removed", "tasks_death")


def deaths_apply(batch: LifeEventBatch) -> dict[str, int]:
    """Relief's set-based death handler (Area.life_events_many["death"], called
    by civil_affairs.life_events in the transaction that records the deaths):
    each dead person's live benefits are stopped or suspended from the month
    after, unapproved later payment lines withdrawn and a death task made per
    (person, benefit), audited as the batch's actor (step "feed_death" for a
    feed's deaths, "death" for a caseworker's).  Tasks are keyed by the feed
    row (or person and date), so the same death never makes two."""
    day = clock.today()
    feed = batch.source == "feed"
    actor = batch.actor if getattr(batch.actor, "is_authenticated", False) else None
    params = {
        "run": batch.run_id,
        "day": day,
        "due": day + dt.timedelta(days=TASK_DAYS),
        "stop_reason": _("数据比对：死亡（{date}）") if feed else _("登记死亡（{date}）"),
        "suspend_reason": _("数据比对：领取人死亡（{date}），需变更领取人")
        if feed
        else _("领取人死亡（{date}），需变更领取人"),
        "actor_id": actor.pk if actor else None,
        "actor_label": actor.get_username() if actor else "system",
        "step": "feed_death" if feed else "death",
    }
    with connection.cursor() as cursor:
        batch.table(cursor)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.death_hit")
        cursor.execute(_DEATH_HITS_SQL, params)
        cursor.execute("SELECT EXISTS (SELECT 1 FROM death_hit)")
        if not cursor.fetchone()[0]:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.death_hit")
            return dict.fromkeys(DEATH_COUNTS, 0)
        cursor.execute(_LOCK_OPEN_ROLLS_SQL)
        cursor.execute(_DEATHS_SQL, params)
        counts = dict(zip(DEATH_COUNTS, cursor.fetchone()))
        cursor.execute("DROP TABLE IF EXISTS pg_temp.death_hit")
    return counts


# ---------------------------------------------------------------- phase 2: the benefits

_FOLD_SQL = f"""
WITH changed AS (
    UPDATE {_B} b SET monthly_amount = b.pending_amount, pending_amount = NULL, pending_from = NULL,
                      updated_at = now()
    FROM {_B} o
    WHERE o.id = b.id AND b.pending_from IS NOT NULL AND b.pending_from <= %(day)s
    RETURNING b.id, b.region_id, o.monthly_amount AS old_amount, b.monthly_amount AS new_amount, o.pending_from
), audit_rows AS (
    SELECT NULL, 'system', 'update', 'relief.benefit', c.id::text, c.region_id,
           jsonb_build_object('step', 'pending_folded',
                              'monthly_amount', jsonb_build_array(c.old_amount::text, c.new_amount::text),
                              'from', c.pending_from, 'run', %(run)s)
    FROM changed c
), audit AS ({_AUDIT_ROWS})
SELECT count(*) FROM changed"""

_FILL_RECHECK_SQL = f"""
WITH changed AS (
    UPDATE {_B} b
    SET next_recheck = (b.start_month + make_interval(months => CASE WHEN b.stable THEN s.n_rs ELSE s.n_ro END))::date,
        updated_at = now()
    FROM recheck_std s
    WHERE s.region = b.region_id AND b.next_recheck IS NULL AND b.kind <> 'temporary' AND b.status IN {_LIVE}
      AND s.n_rs IS NOT NULL AND s.n_ro IS NOT NULL
    RETURNING b.id, b.region_id, b.next_recheck, b.stable
), audit_rows AS (
    SELECT NULL, 'system', 'update', 'relief.benefit', c.id::text, c.region_id,
           jsonb_build_object('step', 'next_recheck_filled', 'next_recheck', jsonb_build_array(NULL, c.next_recheck),
                              'stable', c.stable, 'run', %(run)s)
    FROM changed c
), audit AS ({_AUDIT_ROWS})
SELECT count(*) FROM changed"""

_RECHECK_DUE_SQL = f"""
WITH ins AS (
    INSERT INTO {_T} ({_TASK_COLUMNS})
    SELECT 'recheck_due', b.id, b.recipient_id, b.region_id, to_char(b.next_recheck, 'YYYY-MM-DD'), NULL,
           jsonb_build_object('next_recheck', b.next_recheck, 'stable', b.stable, 'start_month', b.start_month,
                              'status', b.status, 'monthly_amount', b.monthly_amount::text),
           b.next_recheck, 'open', %(run)s, now(), ''
    FROM {_B} b
    WHERE b.next_recheck <= %(horizon)s AND b.kind <> 'temporary' AND b.status IN {_LIVE}
      AND NOT EXISTS (SELECT 1 FROM relief_application a
                      WHERE a.recheck_of_id = b.id AND a.state IN {_OPEN_APPLICATION})
    ON CONFLICT (benefit_id, kind, key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM ins"""


# The household's monthly income the amount was worked from: exact where the
# benefit keeps it, else (roster imports, older grants) per capita × members.
_MONTHLY_INCOME = "COALESCE(b.basis_monthly_income, b.basis_per_capita * b.members)"


def _amount_sql(p: str) -> str:
    """rules.dibao's amount from the basis (per-capita income, members,
    extras) or rules.tekun's (basic living + care), with the standards of
    prefix `p` ('n' now, 'x' next month); from the exact basis, rounded to the
    fen once, at the end, as the rules do."""
    dibao = (
        f"round(GREATEST(s.{p}_dibao * b.members - {_MONTHLY_INCOME}"
        f" + s.{p}_dibao * s.{p}_extra * b.basis_extras,"
        f" s.{p}_dibao * s.{p}_floor * b.members), 2)"
    )
    tekun = (
        f"round(s.{p}_dibao * s.{p}_tekun + CASE b.care_level WHEN 'self' THEN s.{p}_care_self"
        f" WHEN 'partial' THEN s.{p}_care_partial WHEN 'full' THEN s.{p}_care_full END, 2)"
    )
    return f"CASE b.kind WHEN 'dibao' THEN {dibao} ELSE {tekun} END"


# A dibao standard that differs from the one the amount was worked out with
# (or, for any standard, next month's amount differing from this month's):
# the new amount waits in pending_amount for next month, and the basis moves
# to the new standard in the same statement, so a rerun finds nothing to do.
_STANDARD_CHANGED_SQL = f"""
WITH calc AS (
    SELECT b.id, b.monthly_amount, b.pending_amount AS old_pending, b.pending_from AS old_from,
           b.basis_standard AS old_standard, round(s.x_dibao, 2) AS new_standard,
           {_amount_sql("x")} AS amount, {_amount_sql("n")} AS amount_now
    FROM {_B} b JOIN recheck_std s ON s.region = b.region_id
    WHERE b.status IN {_LIVE} AND b.basis_standard IS NOT NULL AND s.x_dibao IS NOT NULL
      AND ((b.kind = 'dibao' AND b.basis_per_capita IS NOT NULL AND {_MONTHLY_INCOME} < s.x_dibao * b.members)
           OR (b.kind = 'tekun' AND b.care_level IN ('self', 'partial', 'full')))
), due AS (
    SELECT c.* FROM calc c
    WHERE c.amount IS NOT NULL
      AND (c.new_standard <> c.old_standard
           OR (c.amount <> c.amount_now AND COALESCE(c.old_pending, c.monthly_amount) <> c.amount))
), changed AS (
    UPDATE {_B} b
    SET pending_amount = CASE WHEN d.amount = b.monthly_amount THEN NULL ELSE d.amount END,
        pending_from = CASE WHEN d.amount = b.monthly_amount THEN NULL ELSE %(next_month)s::date END,
        basis_standard = d.new_standard, updated_at = now()
    FROM due d WHERE b.id = d.id
    RETURNING b.id, b.region_id, b.monthly_amount, b.pending_amount, b.pending_from, d.old_pending, d.old_from,
              d.old_standard, d.new_standard
), audit_rows AS (
    SELECT NULL, 'system', 'update', 'relief.benefit', c.id::text, c.region_id,
           jsonb_build_object('step', 'standard_changed',
                              'basis_standard', jsonb_build_array(c.old_standard::text, c.new_standard::text),
                              'pending_amount', jsonb_build_array(c.old_pending::text, c.pending_amount::text),
                              'pending_from', jsonb_build_array(c.old_from, c.pending_from),
                              'monthly_amount', c.monthly_amount::text, 'run', %(run)s)
    FROM changed c
), audit AS ({_AUDIT_ROWS})
SELECT count(*) FILTER (WHERE pending_amount IS NOT NULL), count(*) FROM changed"""


# Communities with live benefits but no complete set of standards: their
# benefits are skipped by the rules that need one, and the run says so.
_MISSING_STANDARDS_SQL = f"""
SELECT array_agg(DISTINCT b.region_id ORDER BY b.region_id) FROM {_B} b
WHERE b.kind <> 'temporary' AND b.status IN {_LIVE}
  AND NOT EXISTS (SELECT 1 FROM recheck_std s WHERE s.region = b.region_id AND s.n_dibao IS NOT NULL)"""


def _benefits(*, run_id: int, day: dt.date, standards: dict[str, list]) -> tuple[dict[str, int], list[str]]:
    """Phase 2 in one transaction, with its counts added to the run's: a
    crash rolls it all back, and a rerun of these statements adds nothing."""
    params = {
        "run": run_id,
        "day": day,
        "horizon": day + dt.timedelta(days=DUE_WITHIN_DAYS),
        "next_month": next_month_start(day),
    }
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, _SERIAL_KEY])
        cursor.execute("SET LOCAL jit = off")
        _load_standards(cursor, standards)
        cursor.execute(_FOLD_SQL, params)
        counts["pending_folded"] = cursor.fetchone()[0]
        cursor.execute(_FILL_RECHECK_SQL, params)
        counts["next_recheck_filled"] = cursor.fetchone()[0]
        cursor.execute(_RECHECK_DUE_SQL, params)
        counts["tasks_recheck_due"] = cursor.fetchone()[0]
        cursor.execute(_STANDARD_CHANGED_SQL, params)
        counts["pending_set"], counts["basis_updated"] = cursor.fetchone()
        cursor.execute(_MISSING_STANDARDS_SQL)
        missing = cursor.fetchone()[0] or []
        run = BatchRun.objects.select_for_update().only("result").get(pk=run_id)
        total = dict(run.result.get("counts", {}))
        for name, n in counts.items():
            total[name] = total.get(name, 0) + n
        BatchRun.objects.filter(pk=run_id).update(result={**run.result, "counts": total})
    return total, missing


# ---------------------------------------------------------------- the run


def _summary(day: dt.date, counts: dict[str, int], missing: list[str]) -> dict:
    tasks = {kind: counts.get(f"tasks_{kind}", 0) for kind in ReviewTask.Kind.values}
    return {
        "date": day.isoformat(),
        "counts": counts,
        "tasks": tasks,
        "tasks_total": sum(tasks.values()),
        "stopped": counts.get("stopped", 0),
        "suspended": counts.get("suspended", 0),
        "pending_set": counts.get("pending_set", 0),
        "recheck_due": tasks["recheck_due"],
        "regions_missing_standards": missing,
    }


def _message(summary: dict) -> str:
    labels = dict(ReviewTask.Kind.choices)
    by_kind = "、".join(f"{labels[k]} {n}" for k, n in summary["tasks"].items() if n) or _("无")
    message = _(
        "%(d)s 资格复核：比对数据 %(rows)d 条，新增核查任务 %(t)d 件（%(kinds)s）；停发 %(s)d 户，暂停 %(p)d 户，"
        "标准调整待生效 %(n)d 户，到期复核 %(r)d 件。"
    ) % {
        "d": summary["date"],
        "rows": summary["counts"].get("feed_rows", 0),
        "t": summary["tasks_total"],
        "kinds": by_kind,
        "s": summary["stopped"],
        "p": summary["suspended"],
        "n": summary["pending_set"],
        "r": summary["recheck_due"],
    }
    missing = summary["regions_missing_standards"]
    if missing:
        message += _("%(n)d 个社区/村缺少救助标准，其待遇未按标准核对，请管理员补充：%(codes)s。") % {
            "n": len(missing),
            "codes": "、".join(missing[:20]),
        }
    return message


def _recheck(run: BatchRun, day: dt.date, progress: ProgressCallback | None) -> dict:
    standards = _standard_columns(day)
    with connection.cursor() as cursor:
        # Feeds arrive in bulk just before the night: fresh statistics keep the
        # planner on index joins (stale ones made a chunk 10× slower in bench/batches.py).
        cursor.execute(f"ANALYZE {_F}")
    unchecked = FeedRecord.objects.filter(checked_at__isnull=True).aggregate(lo=Min("id"), hi=Max("id"))
    first = unchecked["lo"] or 0
    end = unchecked["hi"] + 1 if unchecked["hi"] is not None else first

    def step(lo: int, hi: int) -> dict[str, int]:
        return _chunk(run_id=run.pk, day=day, lo=lo, hi=hi, standards=standards)

    run_chunks(run_id=run.pk, first=first, end=end, chunk=CHUNK_IDS, step=step, progress=progress)
    counts, missing = _benefits(run_id=run.pk, day=day, standards=standards)
    analyze(ReviewTask, Benefit, FeedRecord, Payment, Person)
    summary = _summary(day, counts, missing)
    result_update(run_id=run.pk, summary=summary)
    audit_record(
        actor=run.created_by,
        action=AuditEvent.Action.UPDATE,
        target=run,
        region_code=run.region_id or "",
        changes={"recheck": summary},
    )
    batchrun_finish(run_id=run.pk, message=_message(summary))
    return summary


def recheck_run(*, run_id: int, progress: ProgressCallback | None = None) -> dict | None:
    """What the Celery task, the beat task and the command run: the BatchRun's
    night, resumable after a failure (from its last finished chunk).  Returns
    the summary, or None when the run had already finished (a duplicate
    delivery) or this very run is running in another worker."""
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是资格复核任务。") % {"id": run_id})
    try:
        day = parse_day(run.params.get("date"))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    return run_exclusive(
        run=run,
        key=int(day.strftime("%Y%m%d")),
        label=_("%(d)s 资格复核") % {"d": day.isoformat()},
        same={"date": day.isoformat()},
        work=lambda run: _recheck(run, day, progress),
    )


def recheck_start(*, user, day: dt.date) -> BatchRun:
    """The bureau runs a night's recheck by hand: queued as a Celery task with a progress bar."""
    if not has_capability(user, "recheck_run"):
        raise DomainError(_("您没有启动资格复核的权限。"))
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"date": day.isoformat()}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"recheck_date": day.isoformat()},
        )
        batchrun_enqueue(run)
    return run


def recheck_eligibility(*, day: dt.date, user=None, progress: ProgressCallback | None = None) -> dict:
    """`manage.py recheck_eligibility`: a run for the day, done here and now."""
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"date": day.isoformat()}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"recheck_date": day.isoformat()},
        )
    return recheck_run(run_id=run.pk, progress=progress)


def recheck_nightly() -> BatchRun:
    """Celery beat (02:00): tonight's run, in the beat task's own worker.  A
    night that already succeeded is left alone; an interrupted one resumes."""
    day = clock.today()
    runs = BatchRun.objects.filter(kind=KIND, params__date=day.isoformat())
    done = runs.filter(status=BatchRun.Status.SUCCEEDED).order_by("-pk").first()
    if done is not None:
        return done
    run = runs.order_by("-pk").first()
    if run is None:
        with transaction.atomic():
            run = batchrun_create(kind=KIND, params={"date": day.isoformat(), "scheduled": True})
            audit_record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                target=run,
                region_code=run.region_id or "",
                changes={"recheck_date": day.isoformat(), "scheduled": True},
            )
    elif run.status == BatchRun.Status.FAILED:
        BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING, finished_at=None, message="")
    try:
        recheck_run(run_id=run.pk)
    except BatchBusy:
        pass  # tonight's run is under way in another worker
    run.refresh_from_db()
    return run


# ---------------------------------------------------------------- the caseworker's side


def _task_for_handler(actor, task: ReviewTask) -> ReviewTask:
    """The task, locked, if the actor handles relief cases in its region."""
    if not has_capability(actor, "relief_handle"):
        raise DomainError(_("您没有处理核查任务的权限。"))
    task = ReviewTask.objects.select_for_update(of=("self",)).select_related("benefit").get(pk=task.pk)
    prefix = jurisdiction_prefix(actor)
    if prefix is None or not task.region_id.startswith(prefix):
        raise DomainError(_("该核查任务不在您的管辖范围内。"))
    if task.status != ReviewTask.Status.OPEN:
        raise DomainError(_("该核查任务已处理（%(s)s），不能重复处理。") % {"s": task.get_status_display()})
    return task


def _close(actor, task: ReviewTask, status: str, note: str, **changes) -> ReviewTask:
    task.status, task.resolution = status, note
    task.resolved_by, task.resolved_at = actor, timezone.now()
    task.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=task,
        region_code=task.region_id,
        changes={
            "step": "resolve",
            "status": [ReviewTask.Status.OPEN, status],
            "note": note,
            "benefit": task.benefit_id,
            **changes,
        },
    )
    return task


@transaction.atomic
def task_resolve(*, actor, task: ReviewTask, status: str, note: str) -> ReviewTask:
    """Close a task as done (adjusted) or dismissed (checked, nothing to change), with a note."""
    if status not in (ReviewTask.Status.DONE, ReviewTask.Status.DISMISSED):
        raise DomainError(_("请选择“已处理”或“核实无误，不作调整”。"))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写处理说明。"))
    task = _task_for_handler(actor, task)
    return _close(actor, task, status, note)


@transaction.atomic
def task_recheck_start(*, actor, task: ReviewTask) -> Application:
    """Act on a task by opening a recheck of its benefit through the usual
    procedure; the task is done and names the new application."""
    from .benefits import benefit_recheck_start

    task = _task_for_handler(actor, task)
    application = benefit_recheck_start(actor=actor, benefit=task.benefit)
    _close(
        actor,
        task,
        ReviewTask.Status.DONE,
        _("已发起复核，申请编号 %(n)s。") % {"n": application.number},
        application=application.pk,
    )
    return application
