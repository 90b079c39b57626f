"""Every write of the charity area, each in a transaction with its audit event.

Money moves only through the ledger (LedgerEntry, append-only in the database):
a donation writes one entry, a disbursement one, a transfer two, a management
cost one; a mistake is undone by `ledger_reverse`.  Balances are sums of the
ledger; a disbursement or transfer locks the row of the pot it draws on (fund,
project, or the organisation for unrestricted money) before checking the
balance, so two concurrent payments cannot overdraw it.  Receipt numbers are
taken from a counter row per organisation and year, locked until the
transaction ends: unique and without gaps."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.clock import today as clock_today
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent, Household, Person
from civil_affairs.money import money
from civil_affairs.parameters import parameters_in_force
from civil_affairs.services import audit_record

from . import rules
from .models import (
    Campaign,
    Disbursement,
    Disclosure,
    Donation,
    Donor,
    Fund,
    FundraisingPlan,
    LedgerEntry,
    LedgerTotal,
    Organisation,
    Project,
    Receipt,
    ReceiptCounter,
    ReceiptLine,
    StaffMembership,
)


def _today() -> dt.date:
    return clock_today()


STANDARD_KEYS = [f"charity_{name}" for name in rules.Standards.__dataclass_fields__]


def standards_for(org: Organisation, on: dt.date) -> rules.Standards:
    return rules.Standards.from_parameters(parameters_in_force(org.region_id, on, keys=STANDARD_KEYS))


def standards_many(region_codes, on: dt.date) -> dict[str, rules.Standards]:
    """The standards in force for many organisations' regions, in two queries."""
    from civil_affairs.parameters import parameters_by_region

    values = parameters_by_region(on, regions=sorted(set(region_codes)), keys=STANDARD_KEYS)
    return {code: rules.Standards.from_parameters(v) for code, v in values.items()}


def _amount(value, *, label: str = "") -> Decimal:
    try:
        amount = money(Decimal(str(value).replace(",", "").strip()))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(l)s金额不是有效的数字：%(v)s") % {"l": label, "v": value}) from None
    if amount <= 0:
        raise DomainError(_("%(l)s金额必须大于零。") % {"l": label})
    if amount >= Decimal("1000000000000"):
        raise DomainError(_("%(l)s金额过大。") % {"l": label})
    return amount


# ---------------------------------------------------------------- organisations


@transaction.atomic
def organisation_create(*, actor, name: str, region, org_type: str, registered_on: dt.date, **fields) -> Organisation:
    if Organisation.objects.filter(name=name).exists():
        raise DomainError(_("已有同名慈善组织：%(n)s") % {"n": name})
    org = Organisation.objects.create(
        name=name, region=region, org_type=org_type, registered_on=registered_on, **fields
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=org, changes={"name": name, "type": org_type})
    return org


@transaction.atomic
def staff_bind(*, actor, user, organisation: Organisation) -> StaffMembership:
    if user.role != "charity_staff":
        raise DomainError(_("只有慈善组织工作人员账号可以绑定到慈善组织。"))
    membership, _created = StaffMembership.objects.update_or_create(user=user, defaults={"organisation": organisation})
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=organisation, changes={"staff_bound": user.username}
    )
    return membership


@transaction.atomic
def recognition_apply(*, actor, org: Organisation, applied_on: dt.date) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.recognition == Organisation.Recognition.RECOGNISED:
        raise DomainError(_("该组织已认定为慈善组织。"))
    org.recognition, org.recognition_applied_on = Organisation.Recognition.APPLIED, applied_on
    org.save(update_fields=["recognition", "recognition_applied_on"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=org,
        changes={"step": "recognition_apply", "on": applied_on},
    )
    return org


def recognition_due(org: Organisation) -> dt.date | None:
    if org.recognition != Organisation.Recognition.APPLIED or org.recognition_applied_on is None:
        return None
    days = int(standards_for(org, org.recognition_applied_on).recognition_days)
    return rules.recognition_due(org.recognition_applied_on, days)


@transaction.atomic
def recognition_decide(*, actor, org: Organisation, approve: bool, on: dt.date, reason: str = "") -> Organisation:
    """The registering department decides (within 20 days of the application)."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.recognition != Organisation.Recognition.APPLIED:
        raise DomainError(_("该组织没有待决定的认定申请。"))
    if on < org.recognition_applied_on:
        raise DomainError(_("决定日期不能早于申请日期。"))
    if not approve and not reason.strip():
        raise DomainError(_("不予认定须写明理由。"))
    due = recognition_due(org)
    org.recognition = Organisation.Recognition.RECOGNISED if approve else Organisation.Recognition.REFUSED
    org.recognised_on = on if approve else None
    org.save(update_fields=["recognition", "recognised_on"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=org,
        changes={
            "step": "recognition_decide",
            "approve": approve,
            "on": on,
            "late": bool(due and on > due),
            "reason": reason,
        },
    )
    return org


@transaction.atomic
def governance_update(*, actor, org: Organisation, checklist: dict) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    org.governance = {key: bool(checklist.get(key)) for key in rules.GOVERNANCE}
    org.save(update_fields=["governance"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=org, changes={"governance": org.governance})
    return org


def qualification(org: Organisation, on: dt.date) -> rules.Qualification:
    since = org.recognised_on if org.recognition == Organisation.Recognition.RECOGNISED else None
    return rules.public_fundraising_qualification(
        charity_since=since, rating=org.rating, governance=org.governance, on=on
    )


@transaction.atomic
def public_fundraising_grant(*, actor, org: Organisation, on: dt.date) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    q = qualification(org, on)
    if not q.eligible:
        raise DomainError(_("不具备公开募捐资格申请条件：%(r)s") % {"r": "；".join(q.reasons)})
    org.public_fundraising, org.public_fundraising_on = True, on
    org.save(update_fields=["public_fundraising", "public_fundraising_on"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=org, changes={"step": "public_fundraising", "on": on}
    )
    return org


# ---------------------------------------------------------------- campaigns, funds, projects


@transaction.atomic
def fund_create(*, actor, org: Organisation, name: str, is_named: bool = False) -> Fund:
    if Fund.objects.filter(organisation=org, name=name).exists():
        raise DomainError(_("已有同名基金：%(n)s") % {"n": name})
    fund = Fund.objects.create(organisation=org, name=name, is_named=is_named)
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=fund, region_code=org.region_id, changes={"name": name}
    )
    return fund


@transaction.atomic
def project_create(
    *,
    actor,
    org: Organisation,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    fund=None,
    description="",
) -> Project:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"))
    if fund is not None and fund.organisation_id != org.pk:
        raise DomainError(_("基金不属于本组织。"))
    if Project.objects.filter(organisation=org, name=name).exists():
        raise DomainError(_("已有同名项目：%(n)s") % {"n": name})
    project = Project.objects.create(
        organisation=org, name=name, starts_on=starts_on, ends_on=ends_on, fund=fund, description=description
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=project, region_code=org.region_id, changes={"name": name}
    )
    return project


@transaction.atomic
def campaign_create(
    *,
    actor,
    org: Organisation,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    is_public=True,
    fund=None,
    project=None,
) -> Campaign:
    if ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"))
    if is_public and not org.public_fundraising:
        raise DomainError(_("本组织不具有公开募捐资格，不能开展公开募捐。"))
    for pot in (fund, project):
        if pot is not None and pot.organisation_id != org.pk:
            raise DomainError(_("基金或项目不属于本组织。"))
    if Campaign.objects.filter(organisation=org, name=name).exists():
        raise DomainError(_("已有同名募捐活动：%(n)s") % {"n": name})
    campaign = Campaign.objects.create(
        organisation=org,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        is_public=is_public,
        fund=fund,
        project=project,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=campaign, region_code=org.region_id, changes={"name": name}
    )
    return campaign


@transaction.atomic
def plan_file(
    *, actor, campaign: Campaign, filed_on: dt.date, record_number: str, summary: str = ""
) -> FundraisingPlan:
    """募捐方案备案: before the campaign takes public donations."""
    if FundraisingPlan.objects.filter(campaign=campaign).exists():
        raise DomainError(_("该募捐活动的方案已备案。"))
    if not record_number.strip():
        raise DomainError(_("请填写备案编号。"))
    plan = FundraisingPlan.objects.create(
        campaign=campaign, filed_on=filed_on, record_number=record_number.strip(), summary=summary, filed_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=plan,
        region_code=campaign.organisation.region_id,
        changes={"campaign": campaign.pk, "filed_on": filed_on, "record_number": plan.record_number},
    )
    return plan


def _campaign_accepts(campaign: Campaign, on: dt.date) -> None:
    if campaign.is_public:
        try:
            plan = campaign.plan
        except FundraisingPlan.DoesNotExist:
            plan = None
        if plan is None or plan.filed_on > on:
            raise DomainError(
                _("募捐活动“%(c)s”的募捐方案尚未备案（或备案晚于捐赠日期），不能接收公开募捐。") % {"c": campaign.name}
            )


# ---------------------------------------------------------------- donors and donations


def donor_key(*, kind: str, name: str, id_number: str = "", account: str = "") -> str:
    if id_number:
        return f"id:{id_number.upper()}"
    if account:
        return f"acct:{account}"
    return f"{kind}:{name}"


def donor_get_or_create(
    *, org: Organisation, kind: str, name: str, id_number: str = "", phone: str = "", account: str = ""
) -> Donor:
    name = name.strip()
    if not name:
        raise DomainError(_("请填写捐赠人姓名或单位名称（匿名捐赠请勾选“匿名”）。"))
    if kind not in Donor.Kind.values:
        raise DomainError(_("捐赠人类型应为“个人”或“单位”。"))
    id_number = id_number.strip().upper()
    person = None
    if kind == Donor.Kind.PERSON and id_number:
        from civil_affairs.rules import parse_id_number

        try:
            id_number = parse_id_number(id_number).number
        except ValueError as exc:
            raise DomainError(_("身份证号码无效：%(e)s") % {"e": exc}) from None
        person = Person.objects.filter(id_number=id_number).first()
    key = donor_key(kind=kind, name=name, id_number=id_number, account=account)
    donor, created = Donor.objects.get_or_create(
        organisation=org,
        key=key,
        defaults={"kind": kind, "name": name, "id_number": id_number, "phone": phone, "person": person},
    )
    return donor


def _pots(org: Organisation, *, campaign=None, fund=None, project=None):
    for thing in (campaign, fund, project):
        if thing is not None and thing.organisation_id != org.pk:
            raise DomainError(_("募捐活动、基金或项目不属于本组织。"))
    if campaign is not None and fund is None and project is None:
        fund, project = campaign.fund, campaign.project
    if project is not None:
        fund = None  # money restricted to a project sits in the project
    return fund, project


@transaction.atomic
def donation_record(
    *,
    actor,
    org: Organisation,
    amount,
    received_on: dt.date,
    donor: Donor | None = None,
    anonymous: bool = False,
    kind: str = Donation.Kind.MONEY,
    item: str = "",
    campaign: Campaign | None = None,
    fund: Fund | None = None,
    project: Project | None = None,
    transaction_id: str = "",
    receipt_declined: bool = False,
) -> Donation:
    amount = _amount(amount)
    if donor is None and not anonymous:
        raise DomainError(_("请填写捐赠人，或勾选“匿名”。"))
    if kind == Donation.Kind.IN_KIND and not item.strip():
        raise DomainError(_("物资捐赠须写明物资名称，并按估值记账。"))
    if donor is not None and donor.organisation_id != org.pk:
        raise DomainError(_("捐赠人不属于本组织。"))
    if received_on > _today():
        raise DomainError(_("捐赠日期不能晚于今天。"))
    if campaign is not None:
        _campaign_accepts(campaign, received_on)
    fund, project = _pots(org, campaign=campaign, fund=fund, project=project)
    if transaction_id and Donation.objects.filter(organisation=org, transaction_id=transaction_id).exists():
        raise DomainError(_("流水号 %(t)s 已登记，未重复入账。") % {"t": transaction_id})
    donation = Donation.objects.create(
        organisation=org,
        donor=donor,
        anonymous=anonymous,
        kind=kind,
        item=item.strip(),
        amount=amount,
        received_on=received_on,
        campaign=campaign,
        fund=fund,
        project=project,
        transaction_id=transaction_id,
        receipt_declined=receipt_declined,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    LedgerEntry.objects.create(
        organisation=org,
        kind=LedgerEntry.Kind.DONATION,
        amount=amount,
        fund=fund,
        project=project,
        campaign=campaign,
        donation=donation,
        entered_on=received_on,
        reason=(campaign.name if campaign else "")[:200],
        created_by=donation.entered_by,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=donation,
        region_code=org.region_id,
        changes={"amount": amount, "donor": donor.pk if donor else None, "anonymous": anonymous, "kind": kind},
    )
    return donation


def donations_batch(
    *, actor, org: Organisation, campaign: Campaign | None, received_on: dt.date, rows: list[dict]
) -> list[Donation]:
    """A drive's donations entered at once: every row is checked first; one bad
    row refuses the whole batch with each row's reason (nothing is half-entered,
    nothing typed is lost: the form shows the rows again)."""
    problems = []
    for i, row in enumerate(rows, start=1):
        try:
            _amount(row.get("amount", ""))
            if not row.get("anonymous") and not str(row.get("name", "")).strip():
                raise DomainError(_("请填写捐赠人，或勾选“匿名”。"))
            if row.get("kind", "person") not in Donor.Kind.values:
                raise DomainError(_("捐赠人类型应为“个人”或“单位”。"))
        except DomainError as exc:
            problems.append(_("第%(i)d行：%(e)s") % {"i": i, "e": exc})
    if not rows:
        problems.append(_("没有可登记的捐赠。"))
    if problems:
        raise DomainError("；".join(problems))
    made = []
    with transaction.atomic():
        for i, row in enumerate(rows, start=1):
            try:
                donor = None
                if not row.get("anonymous"):
                    donor = donor_get_or_create(
                        org=org, kind=row.get("kind", "person"), name=row["name"], id_number=row.get("id_number", "")
                    )
                made.append(
                    donation_record(
                        actor=actor,
                        org=org,
                        amount=row["amount"],
                        received_on=received_on,
                        donor=donor,
                        anonymous=bool(row.get("anonymous")),
                        campaign=campaign,
                        receipt_declined=bool(row.get("receipt_declined")),
                    )
                )
            except DomainError as exc:
                raise DomainError(_("第%(i)d行：%(e)s") % {"i": i, "e": exc}) from None
    return made


# ---------------------------------------------------------------- the ledger


def balance(org: Organisation, *, fund: Fund | None = None, project: Project | None = None) -> Decimal:
    """A pot's balance, the sum of its ledger entries (from the trigger-kept totals)."""
    qs = LedgerTotal.objects.filter(organisation=org)
    if project is not None:
        qs = qs.filter(project_key=project.pk)
    elif fund is not None:
        qs = qs.filter(fund_key=fund.pk)
    else:
        qs = qs.filter(fund_key=0, project_key=0)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def _lock_pot(org: Organisation, fund: Fund | None, project: Project | None) -> None:
    if project is not None:
        Project.objects.select_for_update().filter(pk=project.pk).first()
    elif fund is not None:
        Fund.objects.select_for_update().filter(pk=fund.pk).first()
    else:
        Organisation.objects.select_for_update().filter(pk=org.pk).first()


def _pot_label(fund, project) -> str:
    if project is not None:
        return _("项目“%(n)s”") % {"n": project.name}
    if fund is not None:
        return _("基金“%(n)s”") % {"n": fund.name}
    return _("非定向资金")


def _draw(org, fund, project, amount: Decimal) -> None:
    """Lock the pot, then refuse if it holds less than `amount`."""
    _lock_pot(org, fund, project)
    available = balance(org, fund=fund, project=project)
    if amount > available:
        raise DomainError(
            _("%(pot)s余额 %(b)s 元，不足支出 %(a)s 元，已拒绝。")
            % {"pot": _pot_label(fund, project), "b": available, "a": amount}
        )


@transaction.atomic
def ledger_reverse(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo an entry by a new one of the opposite amount, with the reason."""
    if not reason.strip():
        raise DomainError(_("冲正必须写明原因。"))
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise DomainError(_("冲正分录不能再次冲正；如有错误请重新记账。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise DomainError(_("该分录已冲正。"))
    if entry.amount > 0:  # taking money out of the pot again: it must still be there
        _draw(entry.organisation, entry.fund, entry.project, entry.amount)
    reversal = LedgerEntry.objects.create(
        organisation_id=entry.organisation_id,
        kind=entry.kind,
        amount=-entry.amount,
        fund_id=entry.fund_id,
        project_id=entry.project_id,
        campaign_id=entry.campaign_id,
        donation_id=entry.donation_id,
        disbursement_id=entry.disbursement_id,
        reverses=entry,
        transfer_group=entry.transfer_group,
        reason=reason.strip()[:200],
        entered_on=_today(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=reversal,
        region_code=entry.organisation.region_id,
        changes={"step": "reverse", "reverses": entry.pk, "amount": reversal.amount, "reason": reason},
    )
    return reversal


@transaction.atomic
def transfer(*, actor, org: Organisation, amount, reason: str, source: Fund | None, target: Fund | None) -> uuid.UUID:
    """Move money between funds (None: the unrestricted pot): two entries, one group."""
    amount = _amount(amount)
    if not reason.strip():
        raise DomainError(_("划转须写明事由。"))
    if source == target:
        raise DomainError(_("转出和转入不能是同一基金。"))
    for fund in (source, target):
        if fund is not None and fund.organisation_id != org.pk:
            raise DomainError(_("基金不属于本组织。"))
    other = target if target is not None else None
    if other is not None:
        _lock_pot(org, other, None)
    _draw(org, source, None, amount)
    group = uuid.uuid4()
    by = actor if getattr(actor, "is_authenticated", False) else None
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(organisation=org, kind="transfer", amount=-amount, fund=source, transfer_group=group,
                        reason=reason[:200], entered_on=_today(), created_by=by),
            LedgerEntry(organisation=org, kind="transfer", amount=amount, fund=target, transfer_group=group,
                        reason=reason[:200], entered_on=_today(), created_by=by),
        ]
    )  # fmt: skip
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target_type="charity.ledgerentry",
        target_id=str(group),
        region_code=org.region_id,
        changes={
            "step": "transfer",
            "amount": amount,
            "from": getattr(source, "pk", None),
            "to": getattr(target, "pk", None),
        },
    )
    return group


@transaction.atomic
def management_cost_record(
    *, actor, org: Organisation, amount, reason: str, on: dt.date | None = None, fund: Fund | None = None
) -> LedgerEntry:
    amount = _amount(amount)
    if not reason.strip():
        raise DomainError(_("管理费用须写明用途。"))
    _draw(org, fund, None, amount)
    entry = LedgerEntry.objects.create(
        organisation=org,
        kind=LedgerEntry.Kind.MANAGEMENT_COST,
        amount=-amount,
        fund=fund,
        reason=reason[:200],
        entered_on=on or _today(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=entry,
        region_code=org.region_id,
        changes={"amount": -amount},
    )
    return entry


# ---------------------------------------------------------------- disbursements


@transaction.atomic
def disbursement_propose(
    *,
    actor,
    org: Organisation,
    amount,
    purpose: str,
    person: Person | None = None,
    household: Household | None = None,
    beneficiary_name: str = "",
    fund: Fund | None = None,
    project: Project | None = None,
) -> Disbursement:
    amount = _amount(amount)
    if not purpose.strip():
        raise DomainError(_("请写明支出用途。"))
    given = [x for x in (person, household, beneficiary_name.strip() or None) if x]
    if len(given) != 1:
        raise DomainError(_("请选择一个受益人：登记的个人、家庭，或填写受益单位名称。"))
    for pot in (fund, project):
        if pot is not None and pot.organisation_id != org.pk:
            raise DomainError(_("基金或项目不属于本组织。"))
    if project is not None:
        fund = None
    kind = "person" if person else "household" if household else "organisation"
    region_id = person.residence_region_id if person else household.region_id if household else None
    d = Disbursement.objects.create(
        organisation=org,
        fund=fund,
        project=project,
        beneficiary_kind=kind,
        person=person,
        household=household,
        beneficiary_name=beneficiary_name.strip(),
        region_id=region_id,
        amount=amount,
        purpose=purpose.strip(),
        proposed_by=actor,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=d, region_code=org.region_id,
        changes={"step": "propose", "amount": amount, "beneficiary": kind},
    )  # fmt: skip
    return d


@transaction.atomic
def disbursement_approve(*, actor, disbursement: Disbursement, on: dt.date | None = None) -> Disbursement:
    """The checker: a second person of the organisation; the pot is locked and
    must hold the amount; one ledger entry."""
    d = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("organisation", "fund", "project")
        .get(pk=disbursement.pk)
    )
    if d.status != Disbursement.Status.PROPOSED:
        raise DomainError(_("该支出已处理。"))
    if d.proposed_by_id == actor.pk:
        raise DomainError(_("经办人不能审批自己提出的支出，须由本组织另一名工作人员审批。"))
    _draw(d.organisation, d.fund, d.project, d.amount)
    d.status, d.decided_by, d.decided_at, d.paid_on = (
        Disbursement.Status.APPROVED,
        actor,
        timezone.now(),
        on or _today(),
    )
    d.save(update_fields=["status", "decided_by", "decided_at", "paid_on"])
    LedgerEntry.objects.create(
        organisation=d.organisation,
        kind=LedgerEntry.Kind.DISBURSEMENT,
        amount=-d.amount,
        fund=d.fund,
        project=d.project,
        disbursement=d,
        entered_on=d.paid_on,
        reason=d.purpose[:200],
        created_by=actor,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=d, region_code=d.organisation.region_id,
        changes={"step": "approve", "amount": d.amount},
    )  # fmt: skip
    return d


@transaction.atomic
def disbursement_reject(*, actor, disbursement: Disbursement, reason: str) -> Disbursement:
    d = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if d.status != Disbursement.Status.PROPOSED:
        raise DomainError(_("该支出已处理。"))
    if d.proposed_by_id == actor.pk:
        raise DomainError(_("经办人不能审批自己提出的支出，须由本组织另一名工作人员审批。"))
    if not reason.strip():
        raise DomainError(_("不予拨付须写明理由。"))
    d.status, d.decided_by, d.decided_at, d.reject_reason = "rejected", actor, timezone.now(), reason.strip()[:200]
    d.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=d, changes={"step": "reject", "reason": reason})
    return d


# ---------------------------------------------------------------- receipts


def e_receipt_code(org_id: int, year: int, number: int) -> str:
    return hashlib.sha256(f"{org_id}-{year}-{number}".encode()).hexdigest()[:20].upper()


def take_numbers(*, org_id: int, year: int, n: int) -> int:
    """Reserve n receipt numbers for (org, year); returns the first.  The counter
    row stays locked until the caller's transaction ends, so a rolled-back
    transaction gives its numbers back and nobody else can take them meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ReceiptCounter._meta.db_table} (organisation_id, year, last) VALUES (%s, %s, %s)
                ON CONFLICT (organisation_id, year) DO UPDATE
                SET last = {ReceiptCounter._meta.db_table}.last + EXCLUDED.last RETURNING last""",
            [org_id, year, n],
        )
        last = cursor.fetchone()[0]
    return last - n + 1


@transaction.atomic
def receipt_issue(*, actor, donation: Donation, e_code: str = "") -> Receipt:
    """One receipt for one donation."""
    # FOR NO KEY UPDATE: one receipt at a time for the donation, yet no wait for a yearly batch chunk that
    # holds the counter and writes lines pointing at it (its foreign-key check takes KEY SHARE, which a
    # FOR UPDATE here would block while we wait for that counter: a deadlock)
    d = Donation.objects.select_for_update(of=("self",), no_key=True).get(pk=donation.pk)
    if d.anonymous or d.donor_id is None:
        raise DomainError(_("匿名捐赠不开具票据（已记录）。"))
    if d.receipt_declined:
        raise DomainError(_("捐赠人已声明不需要票据。"))
    year = d.received_on.year
    # the number first: it locks the (org, year) counter, which a yearly batch chunk holds until it commits, so the
    # check below sees any line that chunk wrote (the number goes back with the rollback of the refusal)
    number = take_numbers(org_id=d.organisation_id, year=year, n=1)
    if ReceiptLine.objects.filter(donation=d, active=True).exists():
        raise DomainError(_("该笔捐赠已开具票据。"))
    receipt = Receipt.objects.create(
        organisation_id=d.organisation_id,
        year=year,
        number=number,
        kind=Receipt.Kind.SINGLE,
        donor_id=d.donor_id,
        amount=d.amount,
        issued_on=_today(),
        e_receipt_code=e_code.strip() or e_receipt_code(d.organisation_id, year, number),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ReceiptLine.objects.create(receipt=receipt, donation=d, amount=d.amount)
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=receipt, region_code="",
        changes={"number": receipt.code, "donation": d.pk, "amount": d.amount},
    )  # fmt: skip
    return receipt


@transaction.atomic
def receipt_void(*, actor, receipt: Receipt, reason: str) -> Receipt:
    """A voided receipt keeps its number (shown void); its donations may be receipted again."""
    r = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if r.void:
        raise DomainError(_("该票据已作废。"))
    if not reason.strip():
        raise DomainError(_("作废票据须写明原因。"))
    r.void, r.void_reason, r.voided_at = True, reason.strip()[:200], timezone.now()
    r.save(update_fields=["void", "void_reason", "voided_at"])
    ReceiptLine.objects.filter(receipt=r).update(active=False)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=r, changes={"step": "void", "reason": reason})
    return r


@transaction.atomic
def receipt_decline(*, actor, donation: Donation) -> Donation:
    """The donor does not want a receipt: recorded."""
    d = Donation.objects.select_for_update().get(pk=donation.pk)
    if ReceiptLine.objects.filter(donation=d, active=True).exists():
        raise DomainError(_("该笔捐赠已开具票据；如捐赠人不需要，请先作废票据。"))
    Donation.objects.filter(pk=d.pk).update(receipt_declined=True)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=d, changes={"receipt_declined": True})
    d.receipt_declined = True
    return d


# ---------------------------------------------------------------- disclosure


@transaction.atomic
def disclosure_record(
    *, actor, org: Organisation, kind: str, published_on: dt.date, campaign=None, project=None, year=None, note=""
) -> Disclosure:
    if kind == Disclosure.Kind.ANNUAL and not year:
        raise DomainError(_("年度报告须填写报告年度。"))
    if kind == Disclosure.Kind.CAMPAIGN and campaign is None:
        raise DomainError(_("请选择募捐活动。"))
    if kind == Disclosure.Kind.PROJECT and project is None:
        raise DomainError(_("请选择慈善项目。"))
    item = Disclosure.objects.create(
        organisation=org, kind=kind, published_on=published_on, campaign=campaign, project=project, year=year, note=note
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=item, region_code=org.region_id,
        changes={"kind": kind, "published_on": published_on},
    )  # fmt: skip
    return item
