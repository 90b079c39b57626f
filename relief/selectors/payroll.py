"""Reads of payroll rolls and their lines: a district reviewer sees their
district's, a street caseworker their district's rolls with only their
street's lines, the bureau and its auditors the whole city.

Month figures are read through the month's rolls (a dozen rows), so each
GROUP BY touches only that month's lines through the (roll, region) index."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from civil_affairs import rules as core_rules
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import jurisdiction_prefix

from ..models import Kind, Payment, PayrollRoll

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
    rows = (roll_payments_for_user(user, roll).order_by("region_id", "id")
            .values_list(*BANK_FILE_COLUMNS).iterator(chunk_size=5000))
    for name, id_number, account, amount, kind, community, household in rows:
        yield (name, id_number if full else core_rules.mask_id_number(id_number), account, amount,
               str(labels.get(kind, kind)), community, household)
