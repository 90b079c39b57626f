"""The monthly payroll: one payment line per payable benefit per month,
written by set-based SQL in chunks of benefit ids, each chunk its own
transaction with its progress in a BatchRun.  A (benefit, month) pair is
unique in the database, so a rerun or a restarted run adds nothing twice;
an approved district roll is never changed."""
from __future__ import annotations

import datetime as dt
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.models import AuditEvent, BatchRun
from civil_affairs.permissions import has_capability
from civil_affairs.services import (DomainError, audit_record, batchrun_create, batchrun_finish, batchrun_progress,
                                    batchrun_started)

from ..models import Benefit, Payment, PayrollRoll

CHUNK_IDS = 20_000
KIND = "relief_payroll"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date:
    """'2026-12' → 2026-12-01, or a DomainError that says what is wrong."""
    match = _MONTH.match((value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise DomainError(_("月份格式应为 YYYY-MM（例如 2026-12），收到“%(v)s”。") % {"v": value})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


# Payable in month %(month)s: live, started, not past its last month, with money to pay.
_PAYABLE = """
    b.status IN ('active', 'gradual_exit') AND b.start_month <= %(month)s
    AND (b.last_month IS NULL OR b.last_month >= %(month)s) AND b.monthly_amount > 0
    AND b.id >= %(lo)s AND b.id < %(hi)s"""

_ROLLS_SQL = f"""
INSERT INTO relief_payrollroll (month, district_id, status, generated_at)
SELECT DISTINCT %(month)s, substr(b.region_id, 1, 6) || '000000', 'generated', now()
FROM relief_benefit b WHERE {_PAYABLE}
ON CONFLICT (month, district_id) DO NOTHING"""

_LINES_SQL = f"""
INSERT INTO relief_payment (roll_id, benefit_id, month, kind, region_id, recipient_id, amount, bank_account)
SELECT r.id, b.id, %(month)s, b.kind, b.region_id, b.recipient_id, b.monthly_amount, b.bank_account
FROM relief_benefit b
JOIN relief_payrollroll r ON r.month = %(month)s AND r.district_id = substr(b.region_id, 1, 6) || '000000'
WHERE {_PAYABLE} AND r.status = 'generated'
ON CONFLICT (benefit_id, month) DO NOTHING"""


def _chunk(month: dt.date, lo: int, hi: int) -> int:
    """Rolls, then lines, for benefits with ids in [lo, hi): one transaction."""
    params = {"month": month, "lo": lo, "hi": hi}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ROLLS_SQL, params)
        cursor.execute(_LINES_SQL, params)
        return cursor.rowcount


def month_totals(month: dt.date) -> list[dict]:
    """Lines and money by district and kind for a month: one GROUP BY."""
    from django.db.models import Count, Sum

    return list(Payment.objects.filter(month=month).order_by().values("roll__district_id", "roll__district__name",
                                                                      "kind")
                .annotate(lines=Count("id"), total=Sum("amount")).order_by("roll__district_id", "kind"))


def payroll_generate(*, month: dt.date, run_id: int | None = None) -> dict:
    """Generate (or complete) the month's rolls.  Returns lines added, lines in
    the month and the month's total."""
    from django.db.models import Count, Max, Min, Sum

    bounds = Benefit.objects.aggregate(lo=Min("id"), hi=Max("id"))
    lo, hi = bounds["lo"] or 0, (bounds["hi"] or 0) + 1
    chunks = list(range(lo, hi, CHUNK_IDS)) if bounds["lo"] is not None else []
    done_chunks = 0
    if run_id is not None:
        run = BatchRun.objects.get(pk=run_id)
        done_chunks = run.done  # resume: the finished chunks are skipped (redoing one would add nothing)
        batchrun_started(run_id=run_id, total=len(chunks))
    added = 0
    for start in chunks[done_chunks:]:
        added += _chunk(month, start, min(start + CHUNK_IDS, hi))
        if run_id is not None:
            batchrun_progress(run_id=run_id, done=1)
    summary = Payment.objects.filter(month=month).aggregate(lines=Count("id"), total=Sum("amount"))
    result = {"month": month.strftime("%Y-%m"), "added": added, "lines": summary["lines"],
              "total": summary["total"] or 0}
    audit_record(actor=None, action=AuditEvent.Action.CREATE, target_type="relief.payrollroll",
                 target_id=result["month"], changes=result)
    if run_id is not None:
        batchrun_finish(run_id=run_id, message=_("%(m)s：新增 %(a)d 条，共 %(n)d 条，合计 %(t)s 元。") % {
            "m": result["month"], "a": added, "n": result["lines"], "t": result["total"]})
    return result


def payroll_start(*, user, month: dt.date) -> BatchRun:
    """Queue the month's payroll as a Celery task with a progress bar."""
    from ..tasks import payroll_task

    if not has_capability(user, "payroll_run"):
        raise DomainError(_("您没有生成发放花名册的权限。"))
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"month": month.strftime("%Y-%m")}, user=user)
        audit_record(actor=user, action=AuditEvent.Action.CREATE, target=run, region_code=run.region_id or "",
                     changes={"payroll_month": month.strftime("%Y-%m")})
        transaction.on_commit(lambda: payroll_task.delay(run.pk))
    return run


def payroll_run(*, run_id: int) -> dict:
    """What the Celery task runs: the BatchRun's month, resumable."""
    run = BatchRun.objects.get(pk=run_id)
    if run.is_finished:
        return {"month": run.params["month"]}
    try:
        return payroll_generate(month=parse_month(run.params["month"]), run_id=run_id)
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise


@transaction.atomic
def payroll_approve(*, actor, roll: PayrollRoll) -> PayrollRoll:
    """A reviewer of the district (or the bureau) approves the roll; after this
    its bank file can be downloaded and it never changes again."""
    roll = PayrollRoll.objects.select_for_update().get(pk=roll.pk)
    if not has_capability(actor, "payroll_approve"):
        raise DomainError(_("您没有审核发放花名册的权限。"))
    if not actor.region_id or not roll.district_id.startswith(actor.region.prefix):
        raise DomainError(_("该花名册不在您的管辖范围内。"))
    if roll.status == PayrollRoll.Status.APPROVED:
        raise DomainError(_("该花名册已审核。"))
    if not roll.payments.exists():
        raise DomainError(_("花名册没有发放明细，不能审核。"))
    roll.status, roll.approved_by, roll.approved_at = PayrollRoll.Status.APPROVED, actor, timezone.now()
    roll.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=roll, region_code=roll.district_id,
                 changes={"step": "approve", "month": roll.month.strftime("%Y-%m")})
    return roll
