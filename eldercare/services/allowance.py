"""The senior allowance (尊老金, 免申即享): each month everyone with a
registered residence (户籍) in the city, alive at the start of the month and
aged 80+ by the end of the month before, is paid the band amount in force
for their community; no application.

Set-based on the shared batch engine: the month's band amounts per region
are computed once (dated parameters, every region in two queries) into a
session temp table; the eligible people are gathered once by the
birth-date index into another; then one INSERT … SELECT per chunk of person
ids writes the lines onto the district rolls.  (person, month) is unique in
the database, so a rerun or a restarted run pays nobody twice; an approved
roll is never changed (its would-be lines are reported as "blocked"); a
second start of the same month while one runs is refused by the advisory lock.
A death stops the allowance from the month after (`on_death`, the core's
life-event hook)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.batches import analyze, batchrun_enqueue, result_update, run_chunks, run_exclusive
from civil_affairs.models import AuditEvent, BatchRun, Person, Region
from civil_affairs.months import next_month_start, parse_month
from civil_affairs.parameters import parameters_by_region
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import blocked_message, chunk_write, roll_approve
from civil_affairs.services import DomainError, audit_record, batchrun_create, batchrun_finish

from .. import rules
from ..models import AllowanceAccount, SeniorAllowance, SeniorAllowanceRoll
from ..parameters import with_defaults
from ..selectors.allowance import RUN_KIND, SENIOR_ALLOWANCE
from ..selectors.indicators import summary_changed

KIND = RUN_KIND
CHUNK_IDS = 100_000  # person ids per chunk: one transaction, one INSERT, one progress step
ZERO = Decimal("0.00")
COUNT_LABELS = {
    "added": gettext_lazy("新增发放"),
    "removed": gettext_lazy("撤销（已死亡）"),
}

_P, _R = Person._meta.db_table, Region._meta.db_table
_ROLL, _LINE, _ACC = SeniorAllowanceRoll._meta.db_table, SeniorAllowance._meta.db_table, AllowanceAccount._meta.db_table
_RATES, _ELIGIBLE = "senior_rates", "senior_eligible"
_DISTRICT = "substr({col}, 1, 6) || '000000'"


def _label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def month_checked(month: dt.date) -> dt.date:
    """A payable month: the first of a month not after the current one."""
    if month.day != 1:
        raise DomainError(_("发放月份须为某月1日。"))
    if month > clock.today().replace(day=1):
        raise DomainError(_("不能预先发放 %(m)s 的尊老金：须到该月才能确认老人在世。") % {"m": _label(month)})
    return month


# ---------------------------------------------------------------- the SQL

_RATES_SQL = (
    f"DROP TABLE IF EXISTS {_RATES}",
    f"""CREATE TEMP TABLE {_RATES} AS SELECT * FROM unnest(%(region)s::varchar[], %(a80)s::numeric[],
        %(a90)s::numeric[], %(a100)s::numeric[]) AS t(region_id, a80, a90, a100)""",
    f"CREATE UNIQUE INDEX ON {_RATES} (region_id)",
)

_BAND_SQL = "CASE WHEN e.age >= 100 THEN '100' WHEN e.age >= 90 THEN '90' ELSE '80' END"
_AMOUNT_SQL = "round(CASE WHEN e.age >= 100 THEN t.a100 WHEN e.age >= 90 THEN t.a90 ELSE t.a80 END, 2)"

# Everyone payable this month, once per attempt: 户籍 in a district of the city
# (the rates table holds every region of level ≥ 3), born before the cut-off
# (80+ by the end of last month: a range of the birth-date index), alive on the
# 1st; the age by the end of last month in whole years (rules.allowance_age),
# the band, the amount in force for the community and the district computed
# here once, so each chunk only reads its slice by person id and writes it.
_ELIGIBLE_SQL = (
    f"DROP TABLE IF EXISTS {_ELIGIBLE}",
    f"""CREATE TEMP TABLE {_ELIGIBLE} AS
        SELECT p.id AS person_id, p.hukou_region_id AS region_id,
               {_DISTRICT.format(col="p.hukou_region_id")} AS district_id, e.age,
               {_BAND_SQL} AS band, {_AMOUNT_SQL} AS amount
        FROM {_P} p JOIN {_RATES} t ON t.region_id = p.hukou_region_id
        CROSS JOIN LATERAL (
            SELECT ((%(month_index)s - 1 - (extract(year FROM p.birth_date)::int * 12
                                             + extract(month FROM p.birth_date)::int - 1)) / 12)::int AS age
        ) e
        WHERE p.birth_date < %(born_before)s AND (p.death_date IS NULL OR p.death_date >= %(month)s)
          AND {_AMOUNT_SQL} > 0""",
    f"CREATE UNIQUE INDEX ON {_ELIGIBLE} (person_id)",
    f"ANALYZE {_ELIGIBLE}",
)
_DROP_SQL = f"DROP TABLE IF EXISTS {_ELIGIBLE}; DROP TABLE IF EXISTS {_RATES}"

_ROLLS_SQL = f"""
INSERT INTO {_ROLL} (month, district_id, status)
SELECT %(month)s::date, d.code, 'generated' FROM {_R} d
WHERE d.code IN (SELECT DISTINCT e.district_id FROM {_ELIGIBLE} e)
ON CONFLICT (month, district_id) DO NOTHING"""

_PRUNE_ROLLS_SQL = f"""
DELETE FROM {_ROLL} r WHERE r.month = %(month)s AND r.status = 'generated'
AND NOT EXISTS (SELECT 1 FROM {_LINE} s WHERE s.roll_id = r.id)"""

# approval takes FOR UPDATE on its roll: no roll is approved half-filled
_LOCK_OPEN_ROLLS_SQL = f"SELECT id FROM {_ROLL} WHERE month = %(month)s AND status = 'generated' FOR SHARE"
# A chunk's commit (its lines and the run's progress, together) does not wait for the WAL to reach the
# disk: the run's last, synchronous commit flushes every chunk's before it, so a finished run is durable;
# after a crash mid-run the lost chunks are lost with their progress and the resumed run redoes them.
_ASYNC_COMMIT_SQL = "SET LOCAL synchronous_commit = off"

_LINES_SQL = f"""
INSERT INTO {_LINE} (roll_id, person_id, month, band, age, region_id, amount, bank_account, held)
SELECT r.id, e.person_id, %(month)s::date, e.band, e.age, e.region_id, e.amount, coalesce(a.bank_account, ''), false
FROM {_ELIGIBLE} e
JOIN {_ROLL} r ON r.month = %(month)s AND r.district_id = e.district_id
LEFT JOIN {_ACC} a ON a.person_id = e.person_id
WHERE e.person_id >= %(lo)s AND e.person_id < %(hi)s AND r.status = 'generated'
ORDER BY e.person_id
ON CONFLICT (person_id, month) DO NOTHING"""

_BLOCKED_SQL = f"""
SELECT e.person_id, p.id_number FROM {_ELIGIBLE} e
JOIN {_ROLL} r ON r.month = %(month)s AND r.district_id = e.district_id
JOIN {_P} p ON p.id = e.person_id
WHERE e.person_id >= %(lo)s AND e.person_id < %(hi)s AND r.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM {_LINE} s WHERE s.person_id = e.person_id AND s.month = %(month)s)
ORDER BY e.person_id"""

# Lines of an open roll for people whose death (recorded since) falls before the month.
_REMOVE_DEAD_SQL = f"""
WITH gone AS (
    DELETE FROM {_LINE} s USING {_ROLL} r, {_P} p
    WHERE s.roll_id = r.id AND r.status = 'generated' AND s.month = %(month)s
      AND p.id = s.person_id AND p.death_date < %(month)s
    RETURNING s.person_id, s.region_id, s.amount, p.death_date
)
SELECT count(*) FROM gone"""


def _rates(month: dt.date) -> dict[str, list]:
    """Band amounts in force on the month's first day for every region (defaults where none)."""
    by_region = parameters_by_region(month, keys=rules.BAND_KEYS.values())
    codes = list(Region.objects.filter(level__gte=3).values_list("code", flat=True))
    columns: dict[str, list] = {"region": [], "a80": [], "a90": [], "a100": []}
    for code in codes:
        values = with_defaults(by_region.get(code, {}))
        columns["region"].append(code)
        for band, key in rules.BAND_KEYS.items():
            columns[f"a{band}"].append(values[key])
    return columns


@contextmanager
def _month_tables(month: dt.date) -> Iterator[None]:
    params = {
        **_rates(month),
        "month": month,
        "month_index": rules.month_index(month),
        "born_before": rules.born_before_for(month),
    }
    with connection.cursor() as cursor:
        for sql in (*_RATES_SQL, *_ELIGIBLE_SQL):
            cursor.execute(sql, params)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(_DROP_SQL)


_NONE_BLOCKED_SQL = "SELECT NULL, NULL WHERE false"


def _outer_transaction() -> bool:
    """Inside a transaction of the caller's (not only the chunk's own): its commit stays synchronous."""
    return bool(connection.savepoint_ids)  # the chunk's atomic block is nested in another


def _chunk(month: dt.date, lo: int, hi: int, run_id: int | None = None, any_approved: bool = True) -> dict[str, int]:
    """One chunk of lines.  Without an approved roll of the month when the attempt
    began (none can be approved while the month's run is unfinished:
    rolls.roll_approval_blocker), no line can be blocked and that query is skipped."""
    return chunk_write(
        statements=(_ASYNC_COMMIT_SQL, _LOCK_OPEN_ROLLS_SQL) if not _outer_transaction() else (_LOCK_OPEN_ROLLS_SQL,),
        lines_sql=_LINES_SQL,
        blocked_sql=_BLOCKED_SQL if any_approved else _NONE_BLOCKED_SQL,
        params={"month": month, "lo": lo, "hi": hi},
        run_id=run_id,
        what=_("人员"),
    )


# ---------------------------------------------------------------- summary


def allowance_summary(*, month: dt.date) -> dict:
    """The month as it stands: people and money in all and by band, the rolls (one GROUP BY)."""
    rows = list(
        SeniorAllowance.objects.filter(month=month)
        .order_by()
        .values("band")
        .annotate(people=Count("id"), total=Sum("amount"))
        .order_by("band")
    )
    statuses = list(SeniorAllowanceRoll.objects.filter(month=month).values_list("status", flat=True))
    return {
        "month": _label(month),
        "people": sum(r["people"] for r in rows),
        "total": str(sum((r["total"] for r in rows), ZERO)),
        "by_band": {r["band"]: {"people": r["people"], "total": str(r["total"])} for r in rows},
        "rolls": len(statuses),
        "approved_rolls": sum(1 for s in statuses if s == SeniorAllowanceRoll.Status.APPROVED),
    }


# ---------------------------------------------------------------- the run

ProgressCallback = Callable[[int, int], None]


def _pay(run: BatchRun, month: dt.date, progress: ProgressCallback | None) -> dict:
    with _month_tables(month):
        with connection.cursor() as cursor:
            cursor.execute(_ROLLS_SQL, {"month": month})
            cursor.execute(f"SELECT min(person_id), max(person_id) FROM {_ELIGIBLE}")
            lo, hi = cursor.fetchone()
        first = lo or 0
        end = hi + 1 if hi is not None else first
        any_approved = SeniorAllowanceRoll.objects.filter(
            month=month, status=SeniorAllowanceRoll.Status.APPROVED
        ).exists()
        counts = run_chunks(
            run_id=run.pk,
            first=first,
            end=end,
            chunk=CHUNK_IDS,
            step=lambda a, b: _chunk(month, a, b, run.pk, any_approved),
            progress=progress,
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK_OPEN_ROLLS_SQL, {"month": month})
        cursor.execute(_REMOVE_DEAD_SQL, {"month": month})
        removed = cursor.fetchone()[0]
        cursor.execute(_PRUNE_ROLLS_SQL, {"month": month})
    analyze(SeniorAllowance, SeniorAllowanceRoll)
    summary_changed("allowance_people", month)  # the dashboard's count of the month is read again
    summary = {
        **allowance_summary(month=month),
        "added": counts.get("added", 0),
        "blocked": counts.get("blocked", 0),
        "removed": removed,
    }
    result_update(run_id=run.pk, summary=summary)
    audit_record(
        actor=run.created_by,
        action=AuditEvent.Action.CREATE,
        target_type=SeniorAllowance._meta.label_lower,
        target_id=summary["month"],
        region_code=run.region_id or "",
        changes={
            "step": "senior_allowance",
            **{k: summary[k] for k in ("month", "added", "removed", "people", "total", "rolls", "blocked")},
            "run": run.pk,
        },
    )
    message = _("%(m)s 尊老金：本次新增 %(a)d 人，共 %(n)d 人、%(r)d 个区县花名册，合计 %(t)s 元。") % {
        "m": summary["month"],
        "a": summary["added"],
        "n": summary["people"],
        "r": summary["rolls"],
        "t": summary["total"],
    }
    if removed:
        message += _("撤销已死亡人员的未审核明细 %(n)d 条。") % {"n": removed}
    if summary["blocked"]:
        message += blocked_message(summary["blocked"])
    batchrun_finish(run_id=run.pk, message=message)
    return summary


def allowance_run(*, run_id: int, progress: ProgressCallback | None = None) -> dict | None:
    """What the Celery task and the command run: the BatchRun's month, resumable
    from its last finished chunk.  Returns the month's summary, or None when the
    run had already finished (a duplicate delivery)."""
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是尊老金发放任务。") % {"id": run_id})
    try:
        month = month_checked(parse_month(run.params.get("month")))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    return run_exclusive(
        run=run,
        key=month.year * 100 + month.month,
        label=_("%(m)s 尊老金发放") % {"m": _label(month)},
        same={"month": _label(month)},
        work=lambda run: _pay(run, month, progress),
    )


def allowance_start(*, user, month: dt.date) -> BatchRun:
    """The bureau starts a month by hand (the button): queued, with a progress bar."""
    if not has_capability(user, "allowance_run"):
        raise DomainError(_("您没有发放尊老金的权限。"))
    month = month_checked(month)
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": _label(month)}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"step": "senior_allowance_start", "month": _label(month)},
        )
        batchrun_enqueue(run)
    return run


def allowance_monthly() -> BatchRun | None:
    """Celery beat (the 1st, 04:00): this month's batch; nothing when it is
    already paid or being paid."""
    month = clock.today().replace(day=1)
    label = _label(month)
    runs = BatchRun.objects.filter(kind=KIND, params__month=label)
    if runs.filter(status__in=(BatchRun.Status.PENDING, BatchRun.Status.RUNNING, BatchRun.Status.SUCCEEDED)).exists():
        return None
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": label, "scheduled": True})
        batchrun_enqueue(run)
    return run


def allowance_roll_approve(*, actor, roll: SeniorAllowanceRoll) -> SeniorAllowanceRoll:
    """Approved like the relief payroll (civil_affairs.rolls.roll_approve)."""
    return roll_approve(actor=actor, kind=SENIOR_ALLOWANCE, roll=roll)


@transaction.atomic
def account_set(*, actor, person: Person, bank_account: str) -> AllowanceAccount:
    """Record (or change) the account a person's allowance is paid into; from the next unpaid month on."""
    bank_account = "".join((bank_account or "").split())
    if not bank_account.isdigit() or not 12 <= len(bank_account) <= 32:
        raise DomainError(_("银行账号应为12至32位数字。"))
    account, created = AllowanceAccount.objects.update_or_create(person=person, defaults={"bank_account": bank_account})
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=account,
        region_code=person.hukou_region_id,
        changes={"bank_account": f"****{bank_account[-4:]}"},
    )
    return account


# ---------------------------------------------------------------- death


def on_death(event) -> dict:
    """Life-event hook (civil_affairs.life_events): the person's allowance stops
    from the month after the death.  Lines of later months on open rolls are
    removed; lines on approved rolls were paid and are reported for recovery.
    Runs once per death (the core calls it only when the fact is new)."""
    stop = next_month_start(event.date)
    lines = SeniorAllowance.objects.filter(person_id=event.person.pk, month__gte=stop).select_related("roll")
    removed, overpaid = [], []
    for line in lines.select_for_update(of=("self",)):
        (overpaid if line.roll.status == SeniorAllowanceRoll.Status.APPROVED else removed).append(line)
    if removed:
        SeniorAllowance.objects.filter(pk__in=[line.pk for line in removed]).delete()
        for month in {line.month for line in removed}:
            summary_changed("allowance_people", month)
    if removed or overpaid:
        audit_record(
            actor=event.actor,
            action=AuditEvent.Action.UPDATE,
            target=event.person,
            region_code=event.person.hukou_region_id,
            changes={
                "step": "allowance_stopped",
                "death_date": event.date,
                "removed_months": [_label(line.month) for line in removed],
                "overpaid_months": [_label(line.month) for line in overpaid],
                "overpaid_total": sum((line.amount for line in overpaid), ZERO),
            },
        )
    return {"removed": len(removed), "overpaid": len(overpaid)}


_DEATHS_SQL = f"""
WITH gone AS (
    DELETE FROM {_LINE} s USING {_ROLL} r, {{rows}} e
    WHERE s.roll_id = r.id AND r.status = 'generated' AND s.person_id = e.person_id
      AND s.month >= (date_trunc('month', e.event_date) + interval '1 month')::date
    RETURNING s.person_id, s.region_id, s.month, s.amount, e.event_date
), paid AS (
    SELECT s.person_id, s.region_id, s.month, s.amount, e.event_date
    FROM {_LINE} s JOIN {_ROLL} r ON r.id = s.roll_id JOIN {{rows}} e ON e.person_id = s.person_id
    WHERE r.status = 'approved' AND s.month >= (date_trunc('month', e.event_date) + interval '1 month')::date
), touched AS (
    SELECT x.person_id, max(x.region_id) AS region_id, max(x.event_date) AS event_date,
           coalesce(jsonb_agg(to_char(x.month, 'YYYY-MM') ORDER BY x.month) FILTER (WHERE x.kind = 'removed'),
                    '[]'::jsonb) AS removed,
           coalesce(jsonb_agg(to_char(x.month, 'YYYY-MM') ORDER BY x.month) FILTER (WHERE x.kind = 'overpaid'),
                    '[]'::jsonb) AS overpaid,
           coalesce(sum(x.amount) FILTER (WHERE x.kind = 'overpaid'), 0) AS overpaid_total
    FROM (SELECT 'removed' AS kind, g.* FROM gone g UNION ALL SELECT 'overpaid', p.* FROM paid p) x
    GROUP BY x.person_id
), audit_rows AS (
    SELECT %(actor_id)s, %(actor_label)s, 'update', 'civil_affairs.person', t.person_id::text, t.region_id,
           jsonb_build_object('step', 'allowance_stopped', 'death_date', t.event_date, 'removed_months', t.removed,
                              'overpaid_months', t.overpaid, 'overpaid_total', to_char(t.overpaid_total, 'FM9999999990.00'),
                              'run', %(run)s::bigint)
    FROM touched t
), audit AS ({{audit}})
SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM paid)"""


def on_deaths(batch) -> dict:
    """Set-based life-event hook (Area.life_events_many): the same as
    `on_death` for a batch of deaths in one statement, one audit row per
    person whose allowance it touched."""
    from civil_affairs.services import audit_rows_sql

    actor = batch.actor if getattr(batch.actor, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        rows = batch.table(cursor)
        cursor.execute(
            _DEATHS_SQL.format(rows=rows, audit=audit_rows_sql("audit_rows")),
            {
                "actor_id": actor.pk if actor else None,
                "actor_label": actor.get_username() if actor else "system",
                "run": batch.run_id,
            },
        )
        removed, overpaid = cursor.fetchone()
    if removed:
        for month in SeniorAllowanceRoll.objects.filter(status="generated").values_list("month", flat=True).distinct():
            summary_changed("allowance_people", month)
    return {"removed": removed, "overpaid": overpaid}
