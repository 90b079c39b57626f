"""Reads of payroll rolls and their lines: a district reviewer sees their
district's, a street caseworker their district's rolls with only their
street's lines, the bureau and its auditors the whole city.

Month figures are read through the month's rolls (a dozen rows), so each
GROUP BY touches only that month's lines through the (roll, region) index."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Case, Count, QuerySet, Sum, When
from django.http import Http404
from django.utils.translation import gettext as _

from civil_affairs import rules as core_rules
from civil_affairs.batches import is_interrupted
from civil_affairs.models import BatchRun, Region
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from ..models import Kind, Payment, PayrollRoll, Standard
from .standards import region_ancestors

ZERO = Decimal("0.00")


def roll_list_for_user(user) -> QuerySet[PayrollRoll]:
    """Rolls of the districts that overlap the user's jurisdiction."""
    if not has_capability(user, "payroll_view"):
        return PayrollRoll.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return PayrollRoll.objects.none()
    # A district code's first 6 digits name it; a wider prefix (city, province) covers many.
    return (PayrollRoll.objects.select_related("district", "approved_by")
            .filter(district__code__startswith=prefix[:6]))


def roll_get_for_user(user, pk) -> PayrollRoll:
    roll = roll_list_for_user(user).filter(pk=pk).first()
    if roll is None:
        raise Http404
    return roll


def roll_sees_whole_district(user, roll: PayrollRoll) -> bool:
    prefix = jurisdiction_prefix(user) or ""
    return roll.district_id.startswith(prefix)


def roll_payments_for_user(user, roll: PayrollRoll) -> QuerySet[Payment]:
    """The roll's lines within the user's jurisdiction, ready for a page of lines."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return Payment.objects.none()
    return (Payment.objects.filter(roll=roll, region__code__startswith=prefix)
            .select_related("recipient", "region", "benefit__household"))


def roll_held_totals(payments: QuerySet[Payment]) -> dict:
    """Held lines (above the review limit, not paid until a reviewer releases
    them) among a set of lines: {"lines", "total"}, one aggregate."""
    row = payments.filter(held=True).aggregate(lines=Count("id"), total=Sum("amount"))
    return {"lines": row["lines"], "total": row["total"] or ZERO}


def roll_paid_and_held_totals(payments: QuerySet[Payment]) -> tuple[list[dict], dict]:
    """For a roll's page, one GROUP BY: the lines to pay by kind (rows as
    roll_totals), and the held lines in all ({"lines", "total"})."""
    rows = (payments.order_by().values("kind", "held").annotate(lines=Count("id"), total=Sum("amount"))
            .order_by("kind"))
    paid, held = [], {"lines": 0, "total": ZERO}
    for r in rows:
        if r["held"]:
            held = {"lines": held["lines"] + r["lines"], "total": held["total"] + (r["total"] or ZERO)}
        else:
            paid.append({"kind": r["kind"], "lines": r["lines"], "total": r["total"] or ZERO})
    return paid, held


def roll_totals(payments: QuerySet[Payment]) -> list[dict]:
    """Lines and money by district and kind of any set of lines: one GROUP BY.
    Rows: district_id, kind, lines, total (Decimal)."""
    rows = (payments.order_by().values("roll__district_id", "kind")
            .annotate(lines=Count("id"), total=Sum("amount")).order_by("roll__district_id", "kind"))
    return [{"district_id": r["roll__district_id"], "kind": r["kind"], "lines": r["lines"],
             "total": r["total"] or ZERO} for r in rows]


def month_totals(*, month: dt.date, prefix: str = "", rolls: Iterable[int] | None = None) -> list[dict]:
    """A month's lines and money by district and kind (unscoped: for services
    and the command).  Rows: district_id, district, kind, lines, total."""
    payments = Payment.objects.filter(roll__month=month)
    if rolls is not None:
        payments = payments.filter(roll__in=list(rolls))
    if prefix:
        payments = payments.filter(region__code__startswith=prefix)
    rows = (payments.order_by().values("roll__district_id", "roll__district__name", "kind")
            .annotate(lines=Count("id"), total=Sum("amount")).order_by("roll__district_id", "kind"))
    return [{"district_id": r["roll__district_id"], "district": r["roll__district__name"], "kind": r["kind"],
             "lines": r["lines"], "total": r["total"] or ZERO} for r in rows]


def payroll_months_for_user(user, *, limit: int = 36) -> list[dt.date]:
    """Months with rolls in the user's jurisdiction, newest first."""
    return list(roll_list_for_user(user).order_by("-month").values_list("month", flat=True).distinct()[:limit])


def month_summary_for_user(user, month: dt.date) -> dict:
    """A month city-wide (or jurisdiction-wide): one row per district roll with
    lines and money per kind, the kinds present, and the grand totals.
    Two queries: the month's rolls, and one GROUP BY of their lines."""
    rolls = list(roll_list_for_user(user).filter(month=month).order_by("district_id"))
    prefix = jurisdiction_prefix(user) or ""
    payments = Payment.objects.filter(roll__in=[r.pk for r in rolls], region__code__startswith=prefix)
    rows = roll_totals(payments) if rolls else []
    kinds = [k for k in Kind.values if any(r["kind"] == k for r in rows)]
    by_district: dict[str, dict] = {}
    for r in rows:
        by_district.setdefault(r["district_id"], {})[r["kind"]] = r
    districts = []
    for roll in rolls:
        cells = by_district.get(roll.district_id, {})
        districts.append({
            "roll": roll,
            "kinds": [cells.get(k, {"lines": 0, "total": ZERO}) for k in kinds],
            "lines": sum(c["lines"] for c in cells.values()),
            "total": sum((c["total"] for c in cells.values()), ZERO),
        })
    kind_totals = [{"kind": k, "lines": sum(r["lines"] for r in rows if r["kind"] == k),
                    "total": sum((r["total"] for r in rows if r["kind"] == k), ZERO)} for k in kinds]
    return {
        "month": month, "districts": districts, "kinds": kinds, "kind_totals": kind_totals,
        "lines": sum(d["lines"] for d in districts), "total": sum((d["total"] for d in districts), ZERO),
        "approved": sum(1 for r in rolls if r.status == PayrollRoll.Status.APPROVED), "rolls": len(rolls),
    }


BANK_FILE_COLUMNS = ("recipient__name", "recipient__id_number", "bank_account", "amount", "kind", "region__name",
                     "benefit__household__number")


def roll_payment_rows(user, roll: PayrollRoll) -> Iterator[tuple]:
    """The bank file's rows for the user's part of the roll, streamed:
    name, ID number (full only for roles with `full_id_number`), bank
    account, amount, kind, community, household number."""
    full = has_capability(user, "full_id_number")
    labels = dict(Kind.choices)
    rows = (roll_payments_for_user(user, roll).filter(held=False).order_by("region_id", "id")  # held lines: not paid
            .values_list(*BANK_FILE_COLUMNS).iterator(chunk_size=5000))
    for name, id_number, account, amount, kind, community, household in rows:
        yield (name, id_number if full else core_rules.mask_id_number(id_number), account, amount,
               str(labels.get(kind, kind)), community, household)


# ---------------------------------------------------------------- review limit and approval readiness

def payment_review_limits(*, on: dt.date) -> dict[str, Decimal]:
    """The review limit (Standard PAYMENT_REVIEW_LIMIT, yuan per line per
    month) in force on `on` for every region under one, nearest region first,
    then the newest date, as for the other standards.  Two queries; regions
    without a limit are left out (no limit: nothing held)."""
    newest: dict[str, tuple[dt.date, Decimal]] = {}
    for region_id, since, value in (Standard.objects.filter(key=Standard.Key.PAYMENT_REVIEW_LIMIT,
                                                            effective_from__lte=on)
                                    .values_list("region_id", "effective_from", "value")):
        if region_id not in newest or since > newest[region_id][0]:
            newest[region_id] = (since, value)
    if not newest:
        return {}
    limits = {}
    for code in Region.objects.values_list("code", flat=True):
        found = next((newest[a][1] for a in region_ancestors(code) if a in newest), None)
        if found is not None:
            limits[code] = found
    return limits


def month_run_unfinished(*, kind: str, month: dt.date) -> BatchRun | None:
    """The run of the month (BatchRun `kind`, params month) that keeps the
    month's rolls from approval: one pending or running, else the latest
    run when it did not succeed.  None when the latest run succeeded, or when
    the month has no run at all (lines written by payroll_generate without a
    run, as tests and the bench do: nothing recorded says they are partial).
    A start refused because the month was already running (failed, never
    started) is not counted."""
    unfinished = (BatchRun.Status.PENDING, BatchRun.Status.RUNNING)
    run = (BatchRun.objects.filter(kind=kind, params__month=month.strftime("%Y-%m"))
           .exclude(status=BatchRun.Status.FAILED, started_at__isnull=True)
           # one query: any unfinished run first, else the latest
           .order_by(Case(When(status__in=unfinished, then=0), default=1), "-pk").first())
    return run if run is not None and run.status != BatchRun.Status.SUCCEEDED else None


def roll_approval_blocker(*, kind: str, month: dt.date) -> str:
    """Why the month's rolls cannot be approved yet ("" when they can): its
    run is unfinished, so a roll may lack lines the run has not written."""
    run = month_run_unfinished(kind=kind, month=month)
    if run is None:
        return ""
    status = _("已中断（工作进程无响应）") if is_interrupted(run) else run.get_status_display()
    return _("本月的生成任务 #%(id)d 尚未完成（%(status)s，已处理 %(done)d/%(total)d），花名册可能缺少明细；"
             "须等该任务成功完成后才能审核。") % {"id": run.pk, "status": status, "done": run.done, "total": run.total}
