"""The monthly payroll: one payment line per payable benefit per month,
written by set-based SQL in chunks of benefit ids, each chunk its own
transaction with its progress in a BatchRun.  A (benefit, month) pair is
unique in the database, so a rerun or a restarted run adds nothing twice;
an approved district roll is never changed: a payable benefit whose roll
was approved without it is reported as an error of the run ("blocked"),
and a roll is not approved while its month's run is unfinished.  A line
above the review limit in force for its region is held: kept out of the
bank file until a reviewer releases it (or withdraws it from the roll)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from civil_affairs.batches import analyze, batchrun_enqueue, lock_class, run_chunks, run_exclusive
from civil_affairs.models import AuditEvent, BatchRun, Person
from civil_affairs.money import FEN
from civil_affairs.months import parse_month  # noqa: F401 - relief's views and commands take it from here
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import blocked_message, chunk_write, month_totals, roll_approve
from civil_affairs.services import (
    DomainError,
    audit_record,
    batchrun_create,
    batchrun_finish,
)

from ..models import Benefit, Payment, PayrollRoll
from ..selectors.payroll import PAYROLL, payment_review_limits

CHUNK_IDS = 20_000  # benefit ids per chunk: one transaction, one progress step
KIND = PAYROLL.run_kind  # BatchRun.kind ("relief_payroll"); its task and capability are registered in relief/apps.py
_LOCK_CLASS = lock_class(KIND)  # advisory lock (class, yyyymm): one writer per month at a time


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


# ---------------------------------------------------------------- the SQL

_B, _R, _P = Benefit._meta.db_table, PayrollRoll._meta.db_table, Payment._meta.db_table

# The amount for month %(month)s: a pending new amount once its month has come.
_AMOUNT = "CASE WHEN b.pending_from <= %(month)s THEN b.pending_amount ELSE b.monthly_amount END"

# Payable in month %(month)s: live, started, not past its last month, with money to pay.
_PAYABLE = f"""
    b.status IN ('active', 'gradual_exit') AND b.start_month <= %(month)s
    AND (b.last_month IS NULL OR b.last_month >= %(month)s) AND {_AMOUNT} > 0
    AND b.id >= %(lo)s AND b.id < %(hi)s"""
_DISTRICT = "substr(b.region_id, 1, 6) || '000000'"  # the level-3 region (区/县) of a community

_LOCK_MONTH_SQL = "SELECT pg_advisory_xact_lock(%(lock_class)s, %(lock_key)s)"  # one writer per month

_ROLLS_SQL = f"""
INSERT INTO {_R} (month, district_id, status, generated_at)
SELECT DISTINCT %(month)s::date, {_DISTRICT}, 'generated', now()
FROM {_B} b WHERE {_PAYABLE}
ON CONFLICT (month, district_id) DO NOTHING"""

# Approval takes FOR UPDATE on its roll; holding FOR SHARE on the month's open
# rolls while lines go in means no roll is approved half-filled, and a roll
# approved before this point is seen as approved by the INSERT below.
_LOCK_OPEN_ROLLS_SQL = f"SELECT id FROM {_R} WHERE month = %(month)s AND status = 'generated' FOR SHARE"

# A line above the review limit in force for its region is held (no limit: not held).
# The limits travel as two arrays (region code, yuan), one pair per region under a limit.
_LINES_SQL = f"""
INSERT INTO {_P} (roll_id, benefit_id, month, kind, region_id, recipient_id, amount, bank_account, held)
SELECT r.id, b.id, %(month)s::date, b.kind, b.region_id, b.recipient_id, {_AMOUNT}, b.bank_account,
       coalesce({_AMOUNT} > lim.value, false)
FROM {_B} b
JOIN {_R} r ON r.month = %(month)s AND r.district_id = {_DISTRICT}
LEFT JOIN unnest(%(limit_regions)s::varchar[], %(limit_values)s::numeric[]) AS lim(region_id, value)
       ON lim.region_id = b.region_id
WHERE {_PAYABLE} AND r.status = 'generated'
ON CONFLICT (benefit_id, month) DO NOTHING"""

# Payable benefits of the chunk that have no line this month because their
# district roll was approved first: the people a rerun cannot reach.
_BLOCKED_SQL = f"""
SELECT b.id, p.id_number FROM {_B} b
JOIN {_R} r ON r.month = %(month)s AND r.district_id = {_DISTRICT}
JOIN {Person._meta.db_table} p ON p.id = b.recipient_id
WHERE {_PAYABLE} AND r.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM {_P} x WHERE x.benefit_id = b.id AND x.month = %(month)s)
ORDER BY b.id"""


def _chunk(
    month: dt.date, lo: int, hi: int, limits: dict[str, Decimal] | None = None, run_id: int | None = None
) -> dict[str, int]:
    """Rolls, then lines, for benefits with ids in [lo, hi), inside the
    engine's chunk transaction.  Returns the lines added (0 when redone) and
    the payable benefits an approved roll kept out ("blocked"), which also go
    to the run's errors."""
    limits = limits or {}
    params = {"month": month, "lo": lo, "hi": hi, "limit_regions": list(limits), "limit_values": list(limits.values())}
    params.update(lock_class=_LOCK_CLASS, lock_key=month.year * 100 + month.month)
    return chunk_write(
        statements=(_LOCK_MONTH_SQL, _ROLLS_SQL, _LOCK_OPEN_ROLLS_SQL),
        lines_sql=_LINES_SQL,
        blocked_sql=_BLOCKED_SQL,
        params=params,
        run_id=run_id,
        what=_("待遇"),
    )


# ---------------------------------------------------------------- generation


@dataclass(frozen=True)
class PayrollSummary:
    """What a payroll run did, and where the month stands afterwards."""

    month: dt.date
    added: int  # lines written by this run (0 on a rerun)
    lines: int  # lines in the month's rolls
    total: Decimal  # money in the month's rolls
    rolls: int
    approved_rolls: int
    by_district_kind: list[dict] = field(default_factory=list)  # district_id, district, kind, lines, total
    blocked: int = 0  # payable benefits this run could not add: their district roll was already approved

    @property
    def label(self) -> str:
        return _month_label(self.month)

    def as_dict(self) -> dict:
        """JSON-safe (for the Celery result and the audit log)."""
        return {
            "month": self.label,
            "added": self.added,
            "lines": self.lines,
            "total": str(self.total),
            "rolls": self.rolls,
            "approved_rolls": self.approved_rolls,
            "blocked": self.blocked,
        }


def payroll_summary(*, month: dt.date, added: int = 0, blocked: int = 0) -> PayrollSummary:
    """The month as it stands: three small queries (the rolls, one GROUP BY)."""
    rolls = list(PayrollRoll.objects.filter(month=month).values_list("status", flat=True))
    rows = month_totals(PAYROLL, month=month)
    return PayrollSummary(
        month=month,
        added=added,
        lines=sum(r["lines"] for r in rows),
        total=sum((r["total"] for r in rows), Decimal("0.00")).quantize(FEN),
        rolls=len(rolls),
        approved_rolls=sum(1 for s in rolls if s == PayrollRoll.Status.APPROVED),
        by_district_kind=rows,
        blocked=blocked,
    )


ProgressCallback = Callable[[int, int], None]  # (ids covered, ids in all)


def payroll_generate(
    *, month: dt.date, run_id: int | None = None, progress: ProgressCallback | None = None
) -> PayrollSummary | None:
    """Generate (or complete) the month's district rolls.

    Benefits are taken in chunks of CHUNK_IDS ids by the batch engine, each
    chunk in its own transaction.  With a BatchRun, `done` counts the benefit
    ids covered, so a restarted run continues after the last finished chunk;
    redoing a chunk would add nothing anyway (unique benefit + month).  A run
    holds the month's advisory lock throughout (run_exclusive), so a run
    resumed as interrupted while its worker is in fact alive does nothing;
    it returns None for a run already finished."""
    if month.day != 1:
        raise DomainError(_("发放月份须为某月1日。"))
    if run_id is None:
        return _generate(month, None, progress)
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    label = _month_label(month)
    return run_exclusive(
        run=run,
        key=month.year * 100 + month.month,
        label=_("%(m)s 发放花名册") % {"m": label},
        same={"month": label},
        work=lambda run: _generate(month, run, progress),
    )


def _generate(month: dt.date, run: BatchRun | None, progress: ProgressCallback | None) -> PayrollSummary:
    bounds = Benefit.objects.aggregate(lo=Min("id"), hi=Max("id"))
    first = bounds["lo"] or 0
    end = (bounds["hi"] or 0) + 1 if bounds["hi"] is not None else first
    run_id = run.pk if run is not None else None
    limits = payment_review_limits(on=month)
    counts = run_chunks(
        run_id=run_id,
        first=first,
        end=end,
        chunk=CHUNK_IDS,
        step=lambda lo, hi: _chunk(month, lo, hi, limits, run_id),
        progress=progress,
    )
    analyze(Payment, PayrollRoll)
    summary = payroll_summary(month=month, added=counts.get("added", 0), blocked=counts.get("blocked", 0))
    audit_record(
        actor=run.created_by if run is not None else None,
        action=AuditEvent.Action.CREATE,
        target_type="relief.payrollroll",
        target_id=summary.label,
        region_code=getattr(run, "region_id", None) or "",
        changes={"payroll": summary.as_dict(), "run": run_id},
    )
    if run_id is not None:
        message = _("%(m)s：本次新增 %(a)d 条，共 %(n)d 条、%(r)d 个区县花名册，合计 %(t)s 元。") % {
            "m": summary.label,
            "a": summary.added,
            "n": summary.lines,
            "r": summary.rolls,
            "t": summary.total,
        }
        if summary.blocked:
            message += blocked_message(summary.blocked)
        batchrun_finish(run_id=run_id, message=message)
    return summary


def payroll_start(*, user, month: dt.date) -> BatchRun:
    """Queue the month's payroll as a Celery task, with a progress bar."""
    if not has_capability(user, "payroll_run"):
        raise DomainError(_("您没有生成发放花名册的权限。"))
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": _month_label(month)}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"payroll_month": _month_label(month)},
        )
        batchrun_enqueue(run)
    return run


def payroll_run(*, run_id: int) -> PayrollSummary | None:
    """What the Celery task runs: the BatchRun's month, resumable.  Returns
    None when the run had already finished (a duplicate delivery)."""
    run = BatchRun.objects.get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是发放花名册任务。") % {"id": run_id})
    if run.is_finished:
        return None
    try:
        month = parse_month(run.params.get("month"))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    # run_exclusive fails the run with its reason on any error but a transient
    # database one, which the task retries (resuming from `done`).
    return payroll_generate(month=month, run_id=run_id)


# ---------------------------------------------------------------- approval


def payroll_approve(*, actor, roll: PayrollRoll) -> PayrollRoll:
    """A district roll's approval (civil_affairs.rolls.roll_approve; its residents are told, relief/apps.py)."""
    return roll_approve(actor=actor, kind=PAYROLL, roll=roll)
