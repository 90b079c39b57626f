"""The monthly home-care settlement (`settle_home_care --month YYYY-MM`, a
Celery task on the batch engine): one line per provider and month from the
accepted visits (done and not awaiting review, or accepted on review),
each elder's part capped at their month's allowance; the month's visits
are locked.  Set-based: one INSERT … SELECT per chunk of provider ids;
(provider, month) unique, so a rerun or a resumed run adds nothing.  A
reviewer approves a settlement before its bank file downloads."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.batches import analyze, batchrun_enqueue, result_update, run_chunks, run_exclusive
from civil_affairs.exports import csv_response, xlsx_response
from civil_affairs.models import AuditEvent, BatchRun
from civil_affairs.months import parse_month
from civil_affairs.permissions import has_capability
from civil_affairs.services import DomainError, audit_record, batchrun_create, batchrun_finish, export_recorded

from ..models import HomeCareOrder, Provider, Settlement, Visit

KIND = "eldercare_homecare_settlement"
CHUNK_IDS = 500  # provider ids per chunk
COUNT_LABELS = {"added": gettext_lazy("新增结算单"), "flagged": gettext_lazy("待核查未结算服务")}
_V, _O, _S, _P = Visit._meta.db_table, HomeCareOrder._meta.db_table, Settlement._meta.db_table, Provider._meta.db_table

_SETTLE_SQL = f"""
WITH per_elder AS (
    SELECT v.provider_id, o.person_id, o.allowance, sum(v.amount) AS earned, count(*) AS visits
    FROM {_V} v JOIN {_O} o ON o.id = v.order_id
    WHERE v.month = %(month)s AND v.status = 'done' AND NOT v.flagged
      AND v.provider_id >= %(lo)s AND v.provider_id < %(hi)s
    GROUP BY v.provider_id, o.person_id, o.allowance
)
INSERT INTO {_S} (provider_id, month, district_id, visits, people, earned, amount, capped_people, status)
SELECT e.provider_id, %(month)s::date, substr(p.region_id, 1, 6) || '000000', sum(e.visits), count(*),
       sum(e.earned), sum(least(e.earned, e.allowance)), count(*) FILTER (WHERE e.earned > e.allowance), 'generated'
FROM per_elder e JOIN {_P} p ON p.id = e.provider_id
GROUP BY e.provider_id, p.region_id
ON CONFLICT (provider_id, month) DO NOTHING"""

_LOCK_SQL = f"""
UPDATE {_V} SET locked = true
WHERE month = %(month)s AND provider_id >= %(lo)s AND provider_id < %(hi)s AND NOT locked
  AND status IN ('done', 'missed', 'rejected') AND NOT flagged"""

_FLAGGED_SQL = f"""
SELECT count(*) FROM {_V} WHERE month = %(month)s AND provider_id >= %(lo)s AND provider_id < %(hi)s AND flagged"""


def month_over(month: dt.date) -> dt.date:
    if month >= clock.today().replace(day=1):
        raise DomainError(_("%(m)s 尚未结束，不能结算；请在次月结算。") % {"m": month.strftime("%Y-%m")})
    return month


def _chunk(month: dt.date, lo: int, hi: int) -> dict[str, int]:
    params = {"month": month, "lo": lo, "hi": hi}
    with connection.cursor() as cursor:
        cursor.execute(_SETTLE_SQL, params)
        added = cursor.rowcount
        cursor.execute(_LOCK_SQL, params)
        cursor.execute(_FLAGGED_SQL, params)
        flagged = cursor.fetchone()[0]
    return {"added": added, "flagged": flagged}


def _settle(run: BatchRun, month: dt.date, progress) -> dict:
    counts = chunks_over(
        run=run,
        ids_sql=f"SELECT min(provider_id), max(provider_id) FROM {_V} WHERE month = %(month)s",
        month=month,
        chunk=CHUNK_IDS,
        step=_chunk,
        progress=progress,
    )
    analyze(Settlement, Visit)
    rows = Settlement.objects.filter(month=month)
    summary = {
        "month": month.strftime("%Y-%m"),
        "added": counts.get("added", 0),
        "flagged": counts.get("flagged", 0),
        "providers": rows.count(),
        "total": str(sum((s.amount for s in rows.only("amount")), 0)),
    }
    result_update(run_id=run.pk, summary=summary)
    audit_record(
        actor=run.created_by,
        action=AuditEvent.Action.CREATE,
        target_type=Settlement._meta.label_lower,
        target_id=summary["month"],
        region_code=run.region_id or "",
        changes={"step": "settle", **summary, "run": run.pk},
    )
    message = _("%(m)s 居家养老服务结算：本次新增 %(a)d 家，共 %(n)d 家服务组织，合计 %(t)s 元。") % {
        "m": summary["month"],
        "a": summary["added"],
        "n": summary["providers"],
        "t": summary["total"],
    }
    if summary["flagged"]:
        message += _("另有 %(f)d 次服务待核查，未计入结算。") % {"f": summary["flagged"]}
    batchrun_finish(run_id=run.pk, message=message)
    return summary


def monthly_run(*, run_id: int, kind: str, wrong_kind: str, label: str, work) -> dict | None:
    """The life of a monthly settlement run (home care, meals): the BatchRun's
    month, refused when malformed or not over (the run failed with the reason),
    under the kind's advisory lock, resumable from its last finished chunk."""
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    if run.kind != kind:
        raise DomainError(wrong_kind % {"id": run_id})
    try:
        month = month_over(parse_month(run.params.get("month")))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    text = month.strftime("%Y-%m")
    return run_exclusive(
        run=run,
        key=month.year * 100 + month.month,
        label=label % {"m": text},
        same={"month": text},
        work=lambda run: work(run, month),
    )


def monthly_start(*, user, month: dt.date, kind: str, capability: str, denied: str, step: str) -> BatchRun:
    """The button: a month that is over, queued on the batch engine (audited)."""
    if not has_capability(user, capability):
        raise DomainError(denied)
    month = month_over(month)
    with transaction.atomic():
        run = batchrun_create(kind=kind, params={"month": month.strftime("%Y-%m")}, user=user)
        audit_record(actor=user, action=AuditEvent.Action.CREATE, target=run, changes={"step": step})
        batchrun_enqueue(run)
    return run


def chunks_over(*, run: BatchRun, ids_sql: str, month: dt.date, chunk: int, step, progress) -> dict[str, int]:
    """The month's chunks over the id range `ids_sql` returns (min, max) for."""
    with connection.cursor() as cursor:
        cursor.execute(ids_sql, {"month": month})
        lo, hi = cursor.fetchone()
    first = lo or 0
    end = hi + 1 if hi is not None else first
    return run_chunks(
        run_id=run.pk, first=first, end=end, chunk=chunk, step=lambda a, b: step(month, a, b), progress=progress
    )


def monthly_approve(*, actor, settlement, kind: str):
    """A reviewer of the settlement's district approves it once, never while its month's run is unfinished.
    Runs inside the caller's transaction."""
    if not has_capability(actor, "settlement_approve"):
        raise DomainError(_("您没有审核结算的权限。"))
    settlement = type(settlement).objects.select_for_update().get(pk=settlement.pk)
    prefix = actor.region.prefix if actor.region_id else None
    if prefix is None or not settlement.district_id.startswith(prefix):
        raise DomainError(_("该结算单不在您的管辖范围内。"))
    if settlement.status == "approved":
        raise DomainError(_("该结算单已审核，不能重复审核。"))
    unfinished = BatchRun.objects.filter(
        kind=kind,
        params__month=settlement.month.strftime("%Y-%m"),
        status__in=(BatchRun.Status.PENDING, BatchRun.Status.RUNNING),
    ).exists()
    if unfinished:
        raise DomainError(_("本月结算任务尚未完成，须等其完成后才能审核。"))
    settlement.status, settlement.approved_by, settlement.approved_at = "approved", actor, timezone.now()
    settlement.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=settlement,
        region_code=settlement.district_id,
        changes={"step": "approve", "amount": settlement.amount, "month": settlement.month.strftime("%Y-%m")},
    )
    return settlement


def monthly_bank_file(*, user, settlement, fmt: str, name: str, headers: list, rows: list):
    """An approved settlement's bank file (xlsx or csv, formulas escaped), its download audited."""
    if fmt not in ("xlsx", "csv"):
        raise DomainError(_("文件格式应为 xlsx 或 csv。"))
    if settlement.status != "approved":
        raise DomainError(_("结算单审核通过后才能下载银行代发文件。"))
    export_recorded(
        actor=user,
        target_type=settlement._meta.label_lower,
        target=settlement,
        filters={"settlement": settlement.pk, "format": fmt},
    )
    if fmt == "xlsx":
        return xlsx_response(filename=name, sheet=str(gettext_lazy("银行代发")), headers=headers, rows=rows)
    return csv_response(filename=name, headers=headers, rows=rows)


def settlement_run(*, run_id: int, progress=None) -> dict | None:
    return monthly_run(
        run_id=run_id,
        kind=KIND,
        wrong_kind=_("批处理任务 #%(id)d 不是居家养老服务结算任务。"),
        label=_("%(m)s 居家养老服务结算"),
        work=lambda run, month: _settle(run, month, progress),
    )


def settlement_start(*, user, month: dt.date) -> BatchRun:
    return monthly_start(
        user=user,
        month=month,
        kind=KIND,
        capability="settlement_run",
        denied=_("您没有启动居家养老服务结算的权限。"),
        step="settle_start",
    )


@transaction.atomic
def settlement_refresh(*, provider_id: int, month: dt.date) -> None:
    """After a correction: an open settlement of the provider and month is made again from its visits."""
    found = Settlement.objects.select_for_update().filter(provider_id=provider_id, month=month).first()
    if found is None or found.status == Settlement.Status.APPROVED:
        return
    found.delete()
    with connection.cursor() as cursor:
        cursor.execute(_SETTLE_SQL, {"month": month, "lo": provider_id, "hi": provider_id + 1})


@transaction.atomic
def settlement_approve(*, actor, settlement: Settlement) -> Settlement:
    return monthly_approve(actor=actor, settlement=settlement, kind=KIND)


def settlement_bank_file(*, user, settlement: Settlement, fmt: str):
    """An approved settlement's bank file: the provider is paid (no person's ID number in it)."""
    provider = settlement.provider
    headers = [
        _("收款单位"),
        _("统一社会信用代码"),
        _("银行账号"),
        _("金额（元）"),
        _("结算月份"),
        _("有效服务次数"),
        _("服务人数"),
    ]
    rows = [
        (
            provider.name,
            provider.credit_code,
            provider.bank_account,
            settlement.amount,
            settlement.month.strftime("%Y-%m"),
            settlement.visits,
            settlement.people,
        )
    ]
    name = f"home-care-{settlement.month:%Y%m}-{provider.credit_code}"
    return monthly_bank_file(user=user, settlement=settlement, fmt=fmt, name=name, headers=headers, rows=rows)
