"""The monthly payroll: one payment line per payable benefit per month,
written by set-based SQL in chunks of benefit ids, each chunk its own
transaction with its progress in a BatchRun.  A (benefit, month) pair is
unique in the database, so a rerun or a restarted run adds nothing twice;
an approved district roll is never changed."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.batches import run_chunks
from civil_affairs.models import AuditEvent, BatchRun
from civil_affairs.permissions import has_capability
from civil_affairs.services import (
    DomainError,
    audit_record,
    batchrun_create,
    batchrun_finish,
)

from ..models import Benefit, Payment, PayrollRoll

CHUNK_IDS = 20_000  # benefit ids per chunk: one transaction, one progress step
KIND = "relief_payroll"  # BatchRun.kind; civil_affairs.tasks.task_for_kind maps it to relief.tasks.payroll_task
FEN = Decimal("0.01")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_LOCK_CLASS = 0x5041  # pg_advisory_xact_lock(class, yyyymm): one writer per month at a time


def parse_month(value: str | None) -> dt.date:
    """'2026-12' → 2026-12-01, or a DomainError that says what is wrong."""
    text = (value or "").strip()
    match = _MONTH.match(text)
    if not match:
        raise DomainError(_("月份格式应为 YYYY-MM（例如 2026-12），收到“%(v)s”。") % {"v": text})
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise DomainError(_("月份应在 01 至 12 之间，收到“%(v)s”。") % {"v": text})
    if not 2000 <= year <= 2099:
        raise DomainError(_("年份应在 2000 至 2099 之间，收到“%(v)s”。") % {"v": text})
    return dt.date(year, month, 1)


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

_ROLLS_SQL = f"""
INSERT INTO {_R} (month, district_id, status, generated_at)
SELECT DISTINCT %(month)s::date, {_DISTRICT}, 'generated', now()
FROM {_B} b WHERE {_PAYABLE}
ON CONFLICT (month, district_id) DO NOTHING"""

# Approval takes FOR UPDATE on its roll; holding FOR SHARE on the month's open
# rolls while lines go in means no roll is approved half-filled, and a roll
# approved before this point is seen as approved by the INSERT below.
_LOCK_OPEN_ROLLS_SQL = f"SELECT id FROM {_R} WHERE month = %(month)s AND status = 'generated' FOR SHARE"

_LINES_SQL = f"""
INSERT INTO {_P} (roll_id, benefit_id, month, kind, region_id, recipient_id, amount, bank_account)
SELECT r.id, b.id, %(month)s::date, b.kind, b.region_id, b.recipient_id, {_AMOUNT}, b.bank_account
FROM {_B} b
JOIN {_R} r ON r.month = %(month)s AND r.district_id = {_DISTRICT}
WHERE {_PAYABLE} AND r.status = 'generated'
ON CONFLICT (benefit_id, month) DO NOTHING"""


def _chunk(month: dt.date, lo: int, hi: int) -> int:
    """Rolls, then lines, for benefits with ids in [lo, hi), inside the
    engine's chunk transaction.  Returns the lines added (0 when redone)."""
    params = {"month": month, "lo": lo, "hi": hi}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, month.year * 100 + month.month])
        cursor.execute(_ROLLS_SQL, params)
        cursor.execute(_LOCK_OPEN_ROLLS_SQL, params)
        cursor.execute(_LINES_SQL, params)
        return cursor.rowcount


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

    @property
    def label(self) -> str:
        return _month_label(self.month)

    def as_dict(self) -> dict:
        """JSON-safe (for the Celery result and the audit log)."""
        return {"month": self.label, "added": self.added, "lines": self.lines, "total": str(self.total),
                "rolls": self.rolls, "approved_rolls": self.approved_rolls}


def payroll_summary(*, month: dt.date, added: int = 0) -> PayrollSummary:
    """The month as it stands: three small queries (the rolls, one GROUP BY)."""
    from ..selectors.payroll import month_totals

    rolls = list(PayrollRoll.objects.filter(month=month).values_list("status", flat=True))
    rows = month_totals(month=month)
    return PayrollSummary(
        month=month, added=added, lines=sum(r["lines"] for r in rows),
        total=sum((r["total"] for r in rows), Decimal("0.00")).quantize(FEN), rolls=len(rolls),
        approved_rolls=sum(1 for s in rolls if s == PayrollRoll.Status.APPROVED), by_district_kind=rows)


ProgressCallback = Callable[[int, int], None]  # (ids covered, ids in all)


def payroll_generate(*, month: dt.date, run_id: int | None = None,
                     progress: ProgressCallback | None = None) -> PayrollSummary:
    """Generate (or complete) the month's district rolls.

    Benefits are taken in chunks of CHUNK_IDS ids by the batch engine, each
    chunk in its own transaction.  With a BatchRun, `done` counts the benefit
    ids covered, so a restarted run continues after the last finished chunk;
    redoing a chunk would add nothing anyway (unique benefit + month)."""
    if month.day != 1:
        raise DomainError(_("发放月份须为某月1日。"))
    bounds = Benefit.objects.aggregate(lo=Min("id"), hi=Max("id"))
    first = bounds["lo"] or 0
    end = (bounds["hi"] or 0) + 1 if bounds["hi"] is not None else first
    run = BatchRun.objects.select_related("created_by").get(pk=run_id) if run_id is not None else None
    counts = run_chunks(run_id=run_id, first=first, end=end, chunk=CHUNK_IDS,
                        step=lambda lo, hi: {"added": _chunk(month, lo, hi)}, progress=progress)
    added = counts.get("added", 0)
    summary = payroll_summary(month=month, added=added)
    actor = run.created_by if run is not None else None
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target_type="relief.payrollroll",
                 target_id=summary.label, region_code=getattr(run, "region_id", None) or "",
                 changes={"payroll": summary.as_dict(), "run": run_id})
    if run_id is not None:
        batchrun_finish(run_id=run_id, message=_("%(m)s：本次新增 %(a)d 条，共 %(n)d 条、%(r)d 个区县花名册，"
                                                 "合计 %(t)s 元。") % {
            "m": summary.label, "a": added, "n": summary.lines, "r": summary.rolls, "t": summary.total})
    return summary


def payroll_start(*, user, month: dt.date) -> BatchRun:
    """Queue the month's payroll as a Celery task, with a progress bar."""
    from ..tasks import payroll_task

    if not has_capability(user, "payroll_run"):
        raise DomainError(_("您没有生成发放花名册的权限。"))
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": _month_label(month)}, user=user)
        audit_record(actor=user, action=AuditEvent.Action.CREATE, target=run, region_code=run.region_id or "",
                     changes={"payroll_month": _month_label(month)})
        transaction.on_commit(lambda: payroll_task.delay(run.pk))
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
        return payroll_generate(month=parse_month(run.params.get("month")), run_id=run_id)
    except OperationalError:
        raise  # transient (database restart, deadlock): the task retries and resumes from `done`
    except Exception as exc:
        batchrun_finish(run_id=run_id, failed=True,
                        message=_("花名册生成中断：%(e)s。可重新运行，将从中断处继续。") % {"e": exc})
        raise


# ---------------------------------------------------------------- approval

def roll_approvable_by(user, roll: PayrollRoll) -> bool:
    """The approver's role and jurisdiction (the roll's district inside it);
    used by the service and by pages to decide whether to offer the button."""
    return (has_capability(user, "payroll_approve") and user.region_id is not None
            and roll.district_id.startswith(user.region.prefix))


@transaction.atomic
def district_roll_approve(*, actor, roll, lines: str, totals: Callable[[object], dict]):
    """Approval of a district roll (a payroll roll or a price-subsidy roll):
    a reviewer of the district or the bureau, once, never an empty roll.
    After this its bank file can be downloaded and it never changes again.
    `lines` names the roll's lines; `totals(roll)` gives the audit figures."""
    if not has_capability(actor, "payroll_approve"):
        raise DomainError(_("您没有审核发放花名册的权限。"))
    roll = type(roll).objects.select_for_update().select_related("district").get(pk=roll.pk)
    if not roll_approvable_by(actor, roll):
        raise DomainError(_("该花名册（%(d)s）不在您的管辖范围内。") % {"d": roll.district.name})
    if roll.status == PayrollRoll.Status.APPROVED:
        raise DomainError(_("该花名册已审核，不能重复审核。"))
    if not getattr(roll, lines).exists():
        raise DomainError(_("花名册没有发放明细，不能审核。"))
    roll.status, roll.approved_by, roll.approved_at = PayrollRoll.Status.APPROVED, actor, timezone.now()
    roll.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=roll, region_code=roll.district_id,
                 changes={"step": "approve", "month": _month_label(roll.month), **totals(roll)})
    return roll


def payroll_approve(*, actor, roll: PayrollRoll) -> PayrollRoll:
    from ..selectors.payroll import month_totals

    def totals(roll: PayrollRoll) -> dict:
        rows = month_totals(month=roll.month, rolls=[roll.pk])
        return {"lines": sum(r["lines"] for r in rows), "total": sum(r["total"] for r in rows)}

    return district_roll_approve(actor=actor, roll=roll, lines="payments", totals=totals)
