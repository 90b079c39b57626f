"""The monthly allowance payroll (run_child_allowance): one line per child per
month (unique in the database), written by set-based SQL in chunks of
allowance ids on the core's batch engine, into district rolls approved,
held and paid through civil_affairs/rolls.py.  The rate is the parameter in
force for the child's community on the month's first day, by category and
care setting.  A rerun or a resumed run adds nothing twice; an approved roll
is never changed (the payable children it kept out are reported, "blocked")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.batches import analyze, batchrun_enqueue, lock_class, run_chunks, run_exclusive
from civil_affairs.models import AuditEvent, BatchRun, Person, Region
from civil_affairs.months import parse_month
from civil_affairs.parameters import parameters_by_region
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import Column, RollKind, blocked_message, chunk_write, month_totals, roll_approve
from civil_affairs.services import DomainError, audit_record, batchrun_create, batchrun_finish

from .models import Allowance, AllowancePayment, AllowanceRoll
from .parameters import DEFAULTS

KIND = "childcare_allowance"
CHUNK_IDS = 50_000  # allowance ids per chunk: one transaction, one progress step (a city's month in one or two)
_LOCK_CLASS = lock_class(KIND)

CATEGORY_LABELS = {
    "orphan_inst": _lazy("孤儿（机构集中养育）"),
    "orphan_disp": _lazy("孤儿（社会散居）"),
    "unsupported": _lazy("事实无人抚养儿童"),
}


def _guardian(line: AllowancePayment) -> str:
    return line.guardian.name if line.guardian_id else "—"


ALLOWANCE_ROLL = RollKind(
    key="childcare_allowance",
    label=_lazy("儿童基本生活费花名册"),
    roll_model=AllowanceRoll,
    line_model=AllowancePayment,
    run_kind=KIND,
    view_capability="childcare_payroll_view",
    approve_capability="childcare_payroll_approve",
    person="child",
    beneficiary="child",
    category="category",
    category_label=_lazy("类别"),
    category_labels=lambda: dict(CATEGORY_LABELS),
    count_unit=_lazy("人"),
    count_label=_lazy("发放人数"),
    url_names={
        "list": "childcare:payroll",
        "detail": "childcare:roll_detail",
        "approve": "childcare:roll_approve",
        "bank_file": "childcare:roll_bank_file",
    },
    bank_file_name="child_allowance",
    slug="childpay",
    list_label=_lazy("儿童基本生活费"),
    run_label=_lazy("花名册生成"),
    person_label=_lazy("儿童"),
    line_columns=(Column(_lazy("监护人（收款人）"), _guardian),),
    line_related=("guardian",),
    bank_columns=((_lazy("监护人（收款人）"), "guardian__name"),),
    totals_caption=_lazy("按类别合计"),
    month_caption=_lazy("人数与金额按区县、类别统计；点击月份查看明细。"),
)

# ---------------------------------------------------------------- the SQL

_A, _R, _L, _P = (
    Allowance._meta.db_table,
    AllowanceRoll._meta.db_table,
    AllowancePayment._meta.db_table,
    Person._meta.db_table,
)
_CATEGORY = (
    "CASE WHEN a.category = 'unsupported' THEN 'unsupported' "
    "WHEN a.setting = 'institutional' THEN 'orphan_inst' ELSE 'orphan_disp' END"
)
_AMOUNT = (
    "CASE WHEN a.category = 'unsupported' THEN rt.unsupported "
    "WHEN a.setting = 'institutional' THEN rt.institutional ELSE rt.dispersed END"
)
# Payable in %(month)s: started, not past its last month (age, school, a stop), the child alive on the month's first day.
_PAYABLE = """
    a.start_month <= %(month)s AND a.last_month >= %(month)s AND a.id >= %(lo)s AND a.id < %(hi)s
    AND (p.death_date IS NULL OR p.death_date >= %(month)s)"""
_FROM = f"""
FROM {_A} a JOIN {_P} p ON p.id = a.child_id
JOIN unnest(%(rate_regions)s::varchar[], %(rate_inst)s::numeric[], %(rate_disp)s::numeric[],
            %(rate_unsup)s::numeric[]) AS rt(region_id, institutional, dispersed, unsupported)
  ON rt.region_id = a.region_id"""
_DISTRICT = "substr(a.region_id, 1, 6) || '000000'"

_LOCK_MONTH_SQL = "SELECT pg_advisory_xact_lock(%(lock_class)s, %(lock_key)s)"
# The districts with an allowance payable this month (read from the allowances alone: a
# roll the lines then leave empty, every child of it dead, is never approved: roll_approve refuses an empty roll).
_ROLLS_SQL = f"""
INSERT INTO {_R} (month, district_id, status, generated_at)
SELECT DISTINCT %(month)s::date, {_DISTRICT}, 'generated', now() FROM {_A} a
WHERE a.start_month <= %(month)s AND a.last_month >= %(month)s AND a.id >= %(lo)s AND a.id < %(hi)s
ON CONFLICT (month, district_id) DO NOTHING"""
_LOCK_OPEN_ROLLS_SQL = f"SELECT id FROM {_R} WHERE month = %(month)s AND status = 'generated' FOR SHARE"
_LINES_SQL = f"""
INSERT INTO {_L} (roll_id, allowance_id, child_id, guardian_id, month, category, region_id, amount, bank_account, held)
SELECT r.id, a.id, a.child_id, a.guardian_id, %(month)s::date, {_CATEGORY}, a.region_id, {_AMOUNT}, a.bank_account,
       false
{_FROM}
JOIN {_R} r ON r.month = %(month)s AND r.district_id = {_DISTRICT}
WHERE {_PAYABLE} AND r.status = 'generated' AND {_AMOUNT} > 0
ON CONFLICT (child_id, month) DO NOTHING"""
_BLOCKED_SQL = f"""
SELECT a.id, p.id_number {_FROM}
JOIN {_R} r ON r.month = %(month)s AND r.district_id = {_DISTRICT}
WHERE {_PAYABLE} AND r.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM {_L} x WHERE x.child_id = a.child_id AND x.month = %(month)s)
ORDER BY a.id"""

# The price-linkage subsidy's covered group (registration.py): children paid this allowance in the month.
COVERED_SQL = f"""
    SELECT a.child_id, a.region_id, a.bank_account FROM {_A} a
    WHERE a.start_month <= %(month)s AND a.last_month >= %(month)s"""

RATE_KEYS = ("childcare_rate_institutional", "childcare_rate_dispersed", "childcare_rate_unsupported")


def rates_by_region(month: dt.date) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """(institutional, dispersed, unsupported) in force on the month's first day
    for every community with an allowance (the shipped defaults where none is set)."""
    codes = list(Allowance.objects.order_by().values_list("region_id", flat=True).distinct())
    found = parameters_by_region(month, regions=codes, keys=RATE_KEYS)
    return {code: tuple(found[code].get(k, DEFAULTS[k]) for k in RATE_KEYS) for code in codes}


def _chunk(month: dt.date, lo: int, hi: int, rates: dict, run_id: int | None) -> dict[str, int]:
    params = {
        "month": month,
        "lo": lo,
        "hi": hi,
        "rate_regions": list(rates),
        "rate_inst": [r[0] for r in rates.values()],
        "rate_disp": [r[1] for r in rates.values()],
        "rate_unsup": [r[2] for r in rates.values()],
        "lock_class": _LOCK_CLASS,
        "lock_key": month.year * 100 + month.month,
    }
    return chunk_write(
        statements=(_LOCK_MONTH_SQL, _ROLLS_SQL, _LOCK_OPEN_ROLLS_SQL),
        lines_sql=_LINES_SQL,
        blocked_sql=_BLOCKED_SQL,
        params=params,
        run_id=run_id,
        what=_("儿童基本生活费"),
    )


def month_summary(month: dt.date) -> dict:
    rows = month_totals(ALLOWANCE_ROLL, month=month)
    return {
        "month": f"{month:%Y-%m}",
        "lines": sum(r["lines"] for r in rows),
        "total": str(sum((r["total"] for r in rows), Decimal("0.00"))),
        "rolls": AllowanceRoll.objects.filter(month=month).count(),
    }


def allowance_generate(*, month: dt.date, run_id: int | None = None, progress=None) -> dict | None:
    """Write (or complete) the month's rolls; with a run, under its lock and resumable."""
    if month.day != 1:
        raise DomainError(_("发放月份须为某月1日。"))
    if run_id is None:
        return _generate(month, None, progress)
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    label = f"{month:%Y-%m}"
    return run_exclusive(
        run=run,
        key=month.year * 100 + month.month,
        label=_("%(m)s 儿童基本生活费花名册") % {"m": label},
        same={"month": label},
        work=lambda run: _generate(month, run, progress),
    )


def _generate(month: dt.date, run: BatchRun | None, progress) -> dict:
    bounds = Allowance.objects.aggregate(lo=Min("id"), hi=Max("id"))
    first = bounds["lo"] or 0
    end = bounds["hi"] + 1 if bounds["hi"] is not None else first
    run_id = run.pk if run is not None else None
    rates = rates_by_region(month)
    counts = run_chunks(
        run_id=run_id,
        first=first,
        end=end,
        chunk=CHUNK_IDS,
        step=lambda lo, hi: _chunk(month, lo, hi, rates, run_id),
        progress=progress,
    )
    if counts.get("added"):  # fresh statistics for the lists; a rerun that added nothing changed none
        analyze(AllowancePayment, AllowanceRoll)
    summary = {**month_summary(month), "added": counts.get("added", 0), "blocked": counts.get("blocked", 0)}
    audit_record(
        actor=run.created_by if run is not None else None,
        action=AuditEvent.Action.CREATE,
        target_type="childcare.allowanceroll",
        target_id=summary["month"],
        region_code=getattr(run, "region_id", None) or "",
        changes={"payroll": summary, "run": run_id},
    )
    if run_id is not None:
        message = _("%(m)s：本次新增 %(a)d 人，共 %(n)d 人、%(r)d 个区县花名册，合计 %(t)s 元。") % {
            "m": summary["month"],
            "a": summary["added"],
            "n": summary["lines"],
            "r": summary["rolls"],
            "t": summary["total"],
        }
        if summary["blocked"]:
            message += blocked_message(summary["blocked"])
        batchrun_finish(run_id=run_id, message=message)
    return summary


def allowance_start(*, user, month: dt.date) -> BatchRun:
    """Queue the month's allowance run (the button, the beat task)."""
    if user is not None and not has_capability(user, "childcare_payroll_run"):
        raise DomainError(_("您没有生成儿童基本生活费花名册的权限。"))
    with transaction.atomic():
        run = batchrun_create(
            kind=KIND,
            params={"month": f"{month:%Y-%m}"},
            user=user,
            region=Region.objects.filter(code=getattr(user, "region_id", None)).first(),
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"child_allowance_month": f"{month:%Y-%m}"},
        )
        batchrun_enqueue(run)
    return run


def allowance_run(*, run_id: int) -> dict | None:
    """What the Celery task runs: the run's month, resumable."""
    run = BatchRun.objects.get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是儿童基本生活费任务。") % {"id": run_id})
    if run.is_finished:
        return None
    try:
        month = parse_month(run.params.get("month"))
    except DomainError as exc:
        batchrun_finish(run_id=run_id, failed=True, message=str(exc))
        raise
    return allowance_generate(month=month, run_id=run_id)


def allowance_roll_approve(*, actor, roll: AllowanceRoll) -> AllowanceRoll:
    return roll_approve(actor=actor, kind=ALLOWANCE_ROLL, roll=roll)
