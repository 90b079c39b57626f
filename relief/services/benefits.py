"""Benefits: granted by a confirmed application, rechecked every 6 or 12
months through the same procedure, ended gradually or at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.models import AuditEvent, HouseholdMember
from civil_affairs.money import exact_decimal, money
from civil_affairs.months import month_start, next_month_start
from civil_affairs.services import DomainError, audit_record

from .. import rules
from ..models import Application, Benefit, Kind
from ..selectors.standards import standards_in_force

Status = Benefit.Status


def _log(actor, benefit: Benefit, step: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=benefit,
        region_code=benefit.region_id,
        changes={"step": step, **changes},
    )


def _recipient(application: Application):
    if application.kind == Kind.TEKUN:
        return application.applicant
    head = (
        HouseholdMember.objects.filter(household=application.household, relation=HouseholdMember.Relation.HEAD)
        .select_related("person")
        .first()
    )
    return head.person if head else application.applicant


def benefit_one_off(*, actor, application: Application, amount: Decimal, month: dt.date) -> Benefit:
    """Temporary assistance: a benefit paid in exactly one month."""
    benefit = Benefit.objects.create(
        household=application.household,
        recipient=_recipient(application),
        kind=Kind.TEMPORARY,
        region=application.household.region,
        monthly_amount=money(amount),
        members=application.household.members.count(),
        start_month=month,
        last_month=month,
        bank_account=application.bank_account,
        bank_name=application.bank_name,
        application=application,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=benefit,
        region_code=benefit.region_id,
        changes={"kind": benefit.kind, "amount": benefit.monthly_amount, "month": month},
    )
    return benefit


def _basis(working: dict) -> dict:
    """What the amount was worked out from (the standard, the per-capita
    income, the members with a classified extra), so the nightly recheck can
    recompute it in SQL when a standard changes (rules.dibao / rules.tekun)."""

    def decimal(value):
        return money(value) if value not in (None, "") else None

    income = working.get("tekun", {}).get("own_income") or working.get("income") or {}
    # the household's exact monthly income ("9600/12" as a fraction); older workings have none
    monthly = income.get("monthly_total_exact")
    return {
        "basis_standard": decimal(working.get("standard")),
        "basis_per_capita": decimal(income.get("per_capita")),
        "basis_monthly_income": exact_decimal(Fraction(monthly)) if monthly else None,
        "basis_extras": len(working.get("dibao", {}).get("extras") or {}),
    }


def benefit_grant(*, actor, application: Application, today: dt.date) -> Benefit | None:
    """Called by application_confirm inside its transaction."""
    start = next_month_start(today)
    working = application.working
    if application.kind == Kind.TEMPORARY:
        rest = application.proposed_amount - (application.paid_first_amount or 0)
        if rest <= 0:
            return None  # paid in full when it was paid first
        return benefit_one_off(actor=actor, application=application, amount=rest, month=start)
    standards = standards_in_force(application.region_id, today)
    stable = bool(working.get("stable"))
    fields = {
        "monthly_amount": application.proposed_amount,
        "members": working.get("members", 1),
        "stable": stable,
        "care_level": application.care_level,
        "next_recheck": rules.next_recheck(start=start, stable=stable, standards=standards),
        **_basis(working),
    }
    if application.recheck_of_id:
        benefit = Benefit.objects.select_for_update().get(pk=application.recheck_of_id)
        old = {k: getattr(benefit, k) for k in fields}
        for name, value in fields.items():
            setattr(benefit, name, value)
        benefit.status, benefit.status_reason, benefit.last_month = Status.ACTIVE, "", None
        # The confirmed amount replaces any amount that was waiting for a new standard.
        benefit.pending_amount = benefit.pending_from = None
        benefit.save(
            update_fields=[
                *fields,
                "status",
                "status_reason",
                "last_month",
                "pending_amount",
                "pending_from",
                "updated_at",
            ]
        )
        _log(
            actor,
            benefit,
            "recheck_confirmed",
            application=application.number,
            amount=[old["monthly_amount"], benefit.monthly_amount],
            next_recheck=benefit.next_recheck,
        )
        return benefit
    try:
        with transaction.atomic():
            benefit = Benefit.objects.create(
                household=application.household,
                recipient=_recipient(application),
                kind=application.kind,
                region=application.household.region,
                start_month=start,
                bank_account=application.bank_account,
                bank_name=application.bank_name,
                application=application,
                **fields,
            )
    except IntegrityError:
        raise DomainError(
            _("该家庭已在享受%(kind)s，请通过复核调整。") % {"kind": Kind(application.kind).label}
        ) from None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=benefit,
        region_code=benefit.region_id,
        changes={
            "kind": benefit.kind,
            "amount": benefit.monthly_amount,
            "start_month": start,
            "application": application.number,
        },
    )
    return benefit


def benefit_end_after_recheck(*, actor, application: Application, today: dt.date) -> Benefit:
    """A refused recheck: gradual exit when new work lifted the income, else stop."""
    benefit = Benefit.objects.select_for_update().get(pk=application.recheck_of_id)
    if application.working.get("outcome") == "gradual_exit":
        standards = standards_in_force(application.region_id, today)
        benefit.status = Status.GRADUAL_EXIT
        benefit.last_month = max(
            benefit.start_month,
            rules.gradual_exit_last_month(first_exit_month=next_month_start(today), standards=standards),
        )
    else:
        benefit.status = Status.STOPPED
    benefit.status_reason = application.decision_reason[:200]
    benefit.save(update_fields=["status", "last_month", "status_reason", "updated_at"])
    _log(
        actor,
        benefit,
        "recheck_refused",
        application=application.number,
        status=benefit.status,
        last_month=benefit.last_month,
    )
    return benefit


@transaction.atomic
def benefit_recheck_start(*, actor, benefit: Benefit) -> Application:
    """Open a recheck: a new application, already accepted, through the same steps."""
    from .applications import deadline_for

    benefit = Benefit.objects.select_for_update().select_related("household").get(pk=benefit.pk)
    if benefit.status not in Benefit.PAYABLE or benefit.kind == Kind.TEMPORARY:
        raise DomainError(_("只有正在享受的低保、特困等待遇可以复核。"))
    from .applications import _new_number

    today = clock.today()
    standards = standards_in_force(benefit.region_id, today)
    application = Application(
        number=_new_number(today),
        kind=benefit.kind,
        household=benefit.household,
        applicant=benefit.recipient,
        region=benefit.region,
        state=Application.State.ACCEPTED,
        recheck_of=benefit,
        reason=_("动态管理复核"),
        bank_account=benefit.bank_account,
        bank_name=benefit.bank_name,
        authorised_verification=True,
        accepted_on=today,
        accepted_by=actor,
        created_by=actor,
        care_level=benefit.care_level,
        deadline=deadline_for(today, standards.deadline_working_days),
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise DomainError(_("该家庭已有一件办理中的同类申请或复核。")) from None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=application,
        region_code=benefit.region_id,
        changes={"recheck_of": benefit.pk, "number": application.number},
    )
    return application


@transaction.atomic
def benefit_status_change(*, actor, benefit: Benefit, status: str, reason: str) -> Benefit:
    """Suspend, resume or stop a benefit by hand, with a reason."""
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    allowed = {
        Status.SUSPENDED: (Status.ACTIVE, Status.GRADUAL_EXIT),
        Status.ACTIVE: (Status.SUSPENDED,),
        Status.STOPPED: (Status.ACTIVE, Status.GRADUAL_EXIT, Status.SUSPENDED),
    }
    if status not in allowed or benefit.status not in allowed[status]:
        raise DomainError(_("待遇当前为“%(s)s”，不能改为该状态。") % {"s": benefit.get_status_display()})
    if not reason.strip():
        raise DomainError(_("请写明原因。"))
    old = benefit.status
    benefit.status, benefit.status_reason = status, reason.strip()[:200]
    benefit.save(update_fields=["status", "status_reason", "updated_at"])
    _log(actor, benefit, "status", status=[old, status], reason=benefit.status_reason)
    return benefit


@transaction.atomic
def benefit_end_after(*, actor, benefit: Benefit, last_month: dt.date, reason: str) -> dict:
    """End a benefit after `last_month`: it is still paid up to and including that
    month and not after (another area taking the person over from the next month,
    e.g. childcare's allowance replacing 特困).  Lines already generated for later
    months in rolls nobody approved are withdrawn; lines for later months on an
    approved roll are reported as overpaid (to recover), never touched.  A benefit
    that would have nothing left to pay is stopped at once.  Returns what was done."""
    from civil_affairs.rolls import APPROVED

    from ..models import Payment, PayrollRoll

    if not reason.strip():
        raise DomainError(_("请写明原因。"))
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if benefit.status not in (*Benefit.PAYABLE, Status.SUSPENDED):
        raise DomainError(_("待遇当前为“%(s)s”，不能再设定停发月份。") % {"s": benefit.get_status_display()})
    last_month = month_start(last_month)
    old_status, old_last = benefit.status, benefit.last_month
    if benefit.last_month is not None and benefit.last_month <= last_month:
        new_last = benefit.last_month  # it already ends no later
    else:
        new_last = last_month
    paid_through = new_last  # lines of later months are not owed
    if new_last < benefit.start_month:
        # nothing left to pay: stopped at once (the last month may not precede the first)
        benefit.status, new_last = Status.STOPPED, benefit.start_month
    benefit.last_month, benefit.status_reason = new_last, reason.strip()[:200]
    benefit.save(update_fields=["status", "last_month", "status_reason", "updated_at"])
    # Approval locks its roll too: locking the open rolls that hold this benefit's
    # lines means none is approved between reading the lines and withdrawing them.
    list(PayrollRoll.objects.exclude(status=APPROVED).filter(payments__benefit=benefit).select_for_update(of=("self",)))
    later = Payment.objects.filter(benefit=benefit, month__gt=paid_through)
    withdrawn = [
        {"month": m.isoformat(), "amount": str(a)}
        for m, a in later.exclude(roll__status=APPROVED).order_by("month").values_list("month", "amount")
    ]
    overpaid = [
        {"month": m.isoformat(), "amount": str(a)}
        for m, a in later.filter(roll__status=APPROVED).order_by("month").values_list("month", "amount")
    ]
    if withdrawn:
        later.exclude(roll__status=APPROVED).delete()
    _log(
        actor,
        benefit,
        "end_after",
        status=[old_status, benefit.status],
        last_month=[old_last, benefit.last_month],
        reason=benefit.status_reason,
        payments_removed=withdrawn,
        overpaid=overpaid,
    )
    return {"benefit": benefit, "withdrawn": withdrawn, "overpaid": overpaid}


def benefits_close_finished(*, today: dt.date) -> int:
    """Mark benefits whose last month has passed as stopped (one UPDATE)."""
    return Benefit.objects.filter(status__in=Benefit.PAYABLE, last_month__lt=month_start(today)).update(
        status=Status.STOPPED, status_reason=_("发放期满")
    )
