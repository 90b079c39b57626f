"""The payroll's district rolls as a kind of the core's rolls (PAYROLL: its
reads, approval, held lines, bank file and pages are civil_affairs/rolls.py),
and the review limit that holds a line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.models import Parameter, Region
from civil_affairs.rolls import Column, RollKind

from ..models import Kind, Payment, PayrollRoll
from .standards import region_ancestors


def _household_number(payment: Payment) -> str:
    return payment.benefit.household.number


# The monthly allowance's district rolls, read, approved and paid through the core (civil_affairs/rolls.py).
PAYROLL = RollKind(
    key="relief_payroll",
    label=_lazy("发放花名册"),
    roll_model=PayrollRoll,
    line_model=Payment,
    run_kind="relief_payroll",
    view_capability="payroll_view",
    approve_capability="payroll_approve",
    person="recipient",
    beneficiary="benefit",
    category="kind",
    category_label=_lazy("救助类别"),
    category_labels=lambda: dict(Kind.choices),
    count_unit=_lazy("人次"),
    count_label=_lazy("人次"),
    url_names={
        "list": "relief:payroll",
        "detail": "relief:roll_detail",
        "approve": "relief:roll_approve",
        "hold": "relief:roll_line_hold",
        "bank_file": "relief:roll_bank_file",
    },
    bank_file_name="payroll",
    slug="payroll",
    list_label=_lazy("发放花名册"),
    run_label=_lazy("花名册生成"),
    person_label=_lazy("领取人"),
    line_columns=(Column(_lazy("户编号"), _household_number, "font-monospace"),),
    line_related=("benefit__household",),
    bank_columns=((_lazy("户编号"), "benefit__household__number"),),
    totals_caption=_lazy("按救助类别合计（不含暂停发放的明细）"),
    month_caption=_lazy("人次与金额按区县、救助类别统计；点击月份查看明细。"),
    on_approved="relief.services.notifications.payroll_paid",  # its recipients are told the money is on its way
)


# ---------------------------------------------------------------- review limit


def payment_review_limits(*, on: dt.date) -> dict[str, Decimal]:
    """The review limit (parameter payment_review_limit, yuan per line per
    month) in force on `on` for every region under one, nearest region first,
    then the newest date, as for the other standards.  Two queries; regions
    without a limit are left out (no limit: nothing held)."""
    newest: dict[str, tuple[dt.date, Decimal]] = {}
    for region_id, since, value in Parameter.objects.filter(
        key="payment_review_limit", effective_from__lte=on
    ).values_list("region_id", "effective_from", "value"):
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
