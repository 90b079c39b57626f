"""The relief procedure, one service per step: each locks the application,
checks the step is allowed from its state, writes the named fields, and
records one audit event, all in one transaction.

draft → submitted → accepted (or returned for documents) → investigating
(home visit by two staff, automatic cross-check) → proposed (amount with its
working) → public notice (objection → back to investigating) → confirmed or
rejected by someone who did not investigate → benefit from the next month.
Temporary assistance skips the public notice; emergencies may be paid first."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.calendar import deadline_after
from civil_affairs.facts import household_facts
from civil_affairs.models import (
    AssetRecord,
    AuditEvent,
    Document,
    Household,
    HouseholdMember,
    IncomeRecord,
    Person,
    Region,
    Role,
    Source,
    User,
)
from civil_affairs.money import ZERO, money
from civil_affairs.months import add_months, month_start, twelve_month_window
from civil_affairs.services import (
    DomainError,
    audit_record,
    household_create,
    household_member_add,
    person_create,
    person_update,
)

from .. import rules
from ..models import Application, HomeVisit, Kind, Objection
from ..selectors.applications import (
    NOT_A_SECOND_VISITOR,
    VISIT_CONFIRM,
    VISIT_DECLINE,
    duplicate_application_reason,
    second_visitor_choices,
    visitor_name,
)
from ..selectors.standards import standards_in_force
from . import benefits as benefit_services
from . import notifications

State = Application.State

# Documents to check at acceptance, per kind (Document.Kind values).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Kind.DIBAO: ("id_card", "hukou", "income_proof", "authorisation"),
    Kind.MARGINAL: ("id_card", "hukou", "income_proof", "authorisation"),
    Kind.EXPENDITURE: ("id_card", "hukou", "income_proof", "medical", "authorisation"),
    Kind.TEKUN: ("id_card", "hukou", "authorisation"),
    Kind.TEMPORARY: ("id_card",),
}
CASH_KINDS = (Kind.DIBAO, Kind.TEKUN, Kind.TEMPORARY)


# ---------------------------------------------------------------- helpers


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("household", "region").get(pk=application.pk)


def _require_state(application: Application, *allowed: str) -> None:
    if application.state not in allowed:
        raise DomainError(_("申请当前状态为“%(state)s”，不能进行此操作。") % {"state": application.get_state_display()})


def _record(actor, application: Application, step: str, old_state: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=application,
        region_code=application.region_id,
        changes={"step": step, "state": [old_state, application.state], **changes},
    )


def _save(application: Application, *fields: str) -> None:
    application.save(update_fields=[*fields, "updated_at"])


def _require_editable_by(actor, application: Application) -> None:
    """Drafts are edited by the resident who owns them or by a caseworker."""
    if actor.is_resident:
        if application.created_by_id != actor.pk:
            raise DomainError(_("只能修改本人提交的申请。"))
    elif actor.role != Role.CASEWORKER:
        raise DomainError(_("只有经办人可以代为填写申请。"))
    _require_state(application, State.DRAFT, State.RETURNED)


def _new_number(today: dt.date) -> str:
    return f"R{today:%Y%m%d}{secrets.randbelow(10**8):08d}"


def deadline_for(accepted_on: dt.date, working_days: int) -> dt.date:
    """`working_days` working days after acceptance, by the holiday calendar."""
    return deadline_after(accepted_on, working_days)


# ---------------------------------------------------------------- drafts


@transaction.atomic
def application_create(
    *,
    actor,
    household: Household,
    kind: str,
    applicant: Person | None = None,
    region: Region | None = None,
    temporary_type: str = "",
    reason: str = "",
    requested_amount: Decimal | None = None,
) -> Application:
    """A new draft, by a resident online or by a caseworker at the counter."""
    if kind not in Kind.values:
        raise DomainError(_("未知的救助类别。"))
    if kind == Kind.TEMPORARY and temporary_type not in Application.TemporaryType.values:
        raise DomainError(_("请选择临时救助类型（急难型或支出型）。"))
    if kind != Kind.TEMPORARY:
        temporary_type = ""
    head = HouseholdMember.objects.filter(household=household, relation=HouseholdMember.Relation.HEAD).first()
    applicant = applicant or (head.person if head else None)
    if applicant is None:
        raise DomainError(_("家庭没有户主，无法申请。"))
    duplicate = duplicate_application_reason(household, kind)  # the start page asks the same question first
    if duplicate:
        raise DomainError(duplicate)
    today = clock.today()
    application = Application(
        kind=kind,
        temporary_type=temporary_type,
        household=household,
        applicant=applicant,
        region=region or household.region,
        reason=reason.strip(),
        requested_amount=requested_amount,
        online=actor.is_resident,
        created_by=actor,
        authorised_verification=False,
    )
    for _attempt in range(5):
        application.number = _new_number(today)
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError as exc:
            if "number" not in str(exc):
                raise DomainError(_("该家庭已有一件办理中的同类申请。")) from None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=application,
        region_code=application.region_id,
        changes={"kind": kind, "number": application.number},
    )
    return application


def temporary_referral(*, actor, person: Person, region: Region, reason: str, temporary_type: str) -> Application:
    """A temporary-assistance draft for a person another area refers (a child
    director's referral, a visit to an elder living alone), for the person's
    registered household; the street then takes it like any other draft."""
    membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if membership is None:
        raise DomainError(
            _("%(name)s 没有户籍家庭记录，无法转介临时救助，请先到街道登记家庭。") % {"name": person.name}
        )
    return application_create(
        actor=actor,
        household=membership.household,
        kind=Kind.TEMPORARY,
        temporary_type=temporary_type,
        region=region,
        reason=reason,
    )


@transaction.atomic
def resident_application_start(
    *, actor: User, kind: str, region: Region, address: str = "", temporary_type: str = "", reason: str = ""
) -> Application:
    """A resident's online draft, starting their household first if they have
    none: both or neither."""
    household = resident_household_ensure(actor=actor, region=region, address=address)
    return application_create(
        actor=actor,
        household=household,
        kind=kind,
        temporary_type=temporary_type,
        reason=reason,
        region=region if kind == Kind.TEMPORARY else None,
    )


@transaction.atomic
def resident_household_ensure(*, actor: User, region: Region, address: str) -> Household:
    """A resident applying online without a registered household starts one, as its head."""
    from civil_affairs.selectors import household_for_resident

    household = household_for_resident(actor)
    if household is not None:
        return household
    return household_create(actor=actor, region=region, head=actor.person, address=address)


@transaction.atomic
def application_member_add(
    *,
    actor,
    application: Application,
    id_number: str,
    name: str,
    relation: str,
    disability_grade: int = 0,
    disability_type: str = "",
    labour_capacity: str = "full",
    serious_illness: bool = False,
) -> HouseholdMember:
    """Add a member to the applying household (registering the person if new)."""
    application = _locked(application)
    _require_editable_by(actor, application)
    from civil_affairs.rules import IdNumberError, parse_id_number

    try:
        number = parse_id_number(id_number).number
    except IdNumberError as exc:
        raise DomainError(str(exc)) from None
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        person = person_create(actor=actor, id_number=number, name=name, hukou_region=application.household.region)
    elif person.name != name.strip():
        raise DomainError(_("姓名与身份证号码不一致，请核对。"))
    # The declared facts go on the person's record, audited; the home visit verifies them.
    declared = {
        "disability_grade": disability_grade,
        "disability_type": disability_type,
        "labour_capacity": labour_capacity,
        "serious_illness": serious_illness,
    }
    changed = {k: v for k, v in declared.items() if getattr(person, k) != v}
    if changed:
        person = person_update(actor=actor, person=person, **changed)
    return household_member_add(actor=actor, household=application.household, person=person, relation=relation)


@transaction.atomic
def application_income_declare(
    *, actor, application: Application, person: Person, kind: str, monthly_amount: Decimal, months: int = 12
) -> IncomeRecord:
    """A declared monthly income over the last `months` months, as one record."""
    application = _locked(application)
    _require_editable_by(actor, application)
    if kind not in IncomeRecord.Kind.values:
        raise DomainError(_("未知的收入类型。"))
    if monthly_amount < 0 or not 1 <= months <= 12:
        raise DomainError(_("金额不能为负数，月数须在 1 到 12 之间。"))
    _require_member(application, person)
    end = clock.today() - dt.timedelta(days=1)
    start = add_months(end + dt.timedelta(days=1), -months)
    return _record_declared(
        IncomeRecord,
        actor=actor,
        application=application,
        person=person,
        kind=kind,
        amount=monthly_amount * months,
        start=start,
        end=end,
    )


@transaction.atomic
def application_asset_declare(
    *, actor, application: Application, person: Person, kind: str, amount: Decimal
) -> AssetRecord:
    """A declared asset as it stands today (balance, value or registered capital)."""
    application = _locked(application)
    _require_editable_by(actor, application)
    if kind not in AssetRecord.Kind.values:
        raise DomainError(_("未知的资产类型。"))
    if amount < 0:
        raise DomainError(_("金额不能为负数。"))
    _require_member(application, person)
    today = clock.today()
    return _record_declared(
        AssetRecord,
        actor=actor,
        application=application,
        person=person,
        kind=kind,
        amount=amount,
        start=today,
        end=today,
    )


def _record_declared(
    model, *, actor, application: Application, person: Person, kind: str, amount: Decimal, start: dt.date, end: dt.date
):
    """An income or asset line the resident declared online, audited against the application."""
    record = model.objects.create(
        household=application.household,
        person=person,
        kind=kind,
        amount=money(amount),
        source=Source.DECLARED,
        period_start=start,
        period_end=end,
        note=_("网上申报"),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=record,
        region_code=application.region_id,
        changes={"application": application.number, "kind": kind, "amount": record.amount},
    )
    return record


def _require_member(application: Application, person: Person) -> None:
    if not HouseholdMember.objects.filter(household=application.household, person=person).exists():
        raise DomainError(_("%(name)s 不是申请家庭的成员。") % {"name": person.name})


# ---------------------------------------------------------------- correcting a draft: members, incomes, assets


def _member_of(application: Application, member_id: int) -> HouseholdMember:
    member = (
        HouseholdMember.objects.select_for_update()
        .select_related("person")
        .filter(household=application.household, pk=member_id)
        .first()
    )
    if member is None:
        raise DomainError(_("该成员不在申请家庭中。"))
    return member


@transaction.atomic
def application_member_update(
    *,
    actor,
    application: Application,
    member_id: int,
    relation: str,
    disability_grade: int = 0,
    disability_type: str = "",
    labour_capacity: str = "full",
    serious_illness: bool = False,
) -> HouseholdMember:
    """Correct a member's relation and declared facts.  Name and ID number are
    the registry's: a wrong one is deleted and added again."""
    application = _locked(application)
    _require_editable_by(actor, application)
    member = _member_of(application, member_id)
    if relation not in HouseholdMember.Relation.values:
        raise DomainError(_("未知的家庭关系。"))
    if (relation == HouseholdMember.Relation.HEAD) != (member.relation == HouseholdMember.Relation.HEAD):
        raise DomainError(_("户主不能变更；一户只能有一名户主。"))
    if member.relation != relation:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=application.household,
            region_code=application.region_id,
            changes={
                "application": application.number,
                "member": member.person.masked_id_number,
                "relation": [member.relation, relation],
            },
        )
        member.relation = relation
        member.save(update_fields=["relation"])
    declared = {
        "disability_grade": disability_grade,
        "disability_type": disability_type,
        "labour_capacity": labour_capacity,
        "serious_illness": serious_illness,
    }
    changed = {k: v for k, v in declared.items() if getattr(member.person, k) != v}
    if changed:
        member.person = person_update(actor=actor, person=member.person, **changed)
    return member


@transaction.atomic
def application_member_remove(*, actor, application: Application, member_id: int) -> None:
    """Take a member out of the applying household, with the incomes and
    assets declared for them.  Never the head; never while another case of
    the household is being handled, whose facts would change under it."""
    application = _locked(application)
    _require_editable_by(actor, application)
    member = _member_of(application, member_id)
    if member.relation == HouseholdMember.Relation.HEAD:
        raise DomainError(_("户主不能删除。"))
    if member.person_id == application.applicant_id:
        raise DomainError(_("申请人不能删除。"))
    other = (
        Application.objects.filter(household=application.household, state__in=Application.OPEN_STATES)
        .exclude(pk=application.pk)
        .order_by("created_at")
        .first()
    )
    if other is not None:
        raise DomainError(
            _("家庭另有一件办理中的%(kind)s申请（编号 %(number)s），删除成员会改变该案件的家庭情况，请联系经办人办理。")
            % {"kind": other.get_kind_display(), "number": other.number}
        )
    person = member.person
    declared = {
        model: list(
            model.objects.filter(household=application.household, person=person, source=Source.DECLARED).values_list(
                "pk", flat=True
            )
        )
        for model in (IncomeRecord, AssetRecord)
    }
    for model, ids in declared.items():
        model.objects.filter(pk__in=ids).delete()
    member.delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=application.household,
        region_code=application.region_id,
        changes={
            "application": application.number,
            "member_removed": person.masked_id_number,
            "relation": member.relation,
            "incomes_deleted": declared[IncomeRecord],
            "assets_deleted": declared[AssetRecord],
        },
    )


def _declared_record(model, application: Application, record_id: int):
    """A record the applicant declared for this household: imported and
    verified records are not theirs to change."""
    record = (
        model.objects.select_for_update()
        .select_related("person")
        .filter(household=application.household, pk=record_id)
        .first()
    )
    if record is None:
        raise DomainError(_("没有找到这条记录。"))
    if record.source != Source.DECLARED:
        raise DomainError(
            _("这条记录来自%(source)s，不能由申请人修改或删除。") % {"source": record.get_source_display()}
        )
    return record


def _record_changed(actor, application: Application, record, old: dict) -> None:
    """Audit a corrected record: each changed field as [before, after]."""
    changes = {f: [old[f], getattr(record, f)] for f in old if old[f] != getattr(record, f)}
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=record,
            region_code=application.region_id,
            changes={"application": application.number, "person_id": record.person_id, **changes},
        )


@transaction.atomic
def application_income_update(
    *,
    actor,
    application: Application,
    record_id: int,
    person: Person,
    kind: str,
    monthly_amount: Decimal,
    months: int = 12,
) -> IncomeRecord:
    """Correct a declared income: its member, type, monthly amount and months."""
    application = _locked(application)
    _require_editable_by(actor, application)
    record = _declared_record(IncomeRecord, application, record_id)
    if kind not in IncomeRecord.Kind.values:
        raise DomainError(_("未知的收入类型。"))
    if monthly_amount < 0 or not 1 <= months <= 12:
        raise DomainError(_("金额不能为负数，月数须在 1 到 12 之间。"))
    _require_member(application, person)
    old = {f: getattr(record, f) for f in ("person_id", "kind", "amount", "period_start", "period_end")}
    end = clock.today() - dt.timedelta(days=1)
    record.person, record.kind, record.amount = person, kind, money(monthly_amount * months)
    record.period_start, record.period_end = add_months(end + dt.timedelta(days=1), -months), end
    record.save(update_fields=["person", "kind", "amount", "period_start", "period_end"])
    _record_changed(actor, application, record, old)
    return record


@transaction.atomic
def application_asset_update(
    *, actor, application: Application, record_id: int, person: Person, kind: str, amount: Decimal
) -> AssetRecord:
    """Correct a declared asset: its member, type and amount."""
    application = _locked(application)
    _require_editable_by(actor, application)
    record = _declared_record(AssetRecord, application, record_id)
    if kind not in AssetRecord.Kind.values:
        raise DomainError(_("未知的资产类型。"))
    if amount < 0:
        raise DomainError(_("金额不能为负数。"))
    _require_member(application, person)
    old = {f: getattr(record, f) for f in ("person_id", "kind", "amount")}
    record.person, record.kind, record.amount = person, kind, money(amount)
    record.save(update_fields=["person", "kind", "amount"])
    _record_changed(actor, application, record, old)
    return record


@transaction.atomic
def application_record_remove(
    *, actor, application: Application, model: type[IncomeRecord] | type[AssetRecord], record_id: int
) -> None:
    """Delete a declared income or asset line."""
    if model not in (IncomeRecord, AssetRecord):
        raise DomainError(_("只能删除申报的收入或财产。"))
    application = _locked(application)
    _require_editable_by(actor, application)
    record = _declared_record(model, application, record_id)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=record,
        region_code=application.region_id,
        changes={
            "application": application.number,
            "person_id": record.person_id,
            "kind": record.kind,
            "amount": record.amount,
        },
    )
    record.delete()


DETAIL_FIELDS = ("reason", "requested_amount", "bank_name", "bank_account", "authorised_verification")


@transaction.atomic
def application_details_update(*, actor, application: Application, **fields) -> Application:
    """Reason, requested amount, bank account and the verification authorisation."""
    application = _locked(application)
    _require_editable_by(actor, application)
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise DomainError(_("不可修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    account = fields.get("bank_account")
    if account and not (account.isdigit() and 12 <= len(account) <= 30):
        raise DomainError(_("银行账号应为12至30位数字。"))
    changes = {}
    for name, value in fields.items():
        if getattr(application, name) != value:
            changes[name] = "***" if name == "bank_account" else value
            setattr(application, name, value)
    _save(application, *fields)
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=application,
            region_code=application.region_id,
            changes=changes,
        )
    return application


# ---------------------------------------------------------------- submission and acceptance


def missing_documents(application: Application) -> list[str]:
    """The required document kinds the household has not uploaded."""
    return [kind for kind, uploaded in checklist_suggestion(application).items() if not uploaded]


MISSING_DOCUMENTS_NOTE = gettext_lazy("尚未上传：%(docs)s。请上传，或说明原因后提交（受理时经办人会看到您的说明）。")


@transaction.atomic
def application_submit(*, actor, application: Application, missing_documents_note: str = "") -> Application:
    """Submit the draft.  A resident who has not uploaded every required
    document must say why; the note and the list go to the caseworker."""
    application = _locked(application)
    _require_editable_by(actor, application)
    missing = missing_documents(application) if actor.is_resident else []
    note = missing_documents_note.strip()
    problems = []
    if missing and not note:
        problems.append(MISSING_DOCUMENTS_NOTE % {"docs": "、".join(str(Document.Kind(k).label) for k in missing)})
    if not application.authorised_verification:
        problems.append(_("请签署家庭经济状况核对授权。"))
    if application.kind in CASH_KINDS and not application.bank_account:
        problems.append(_("请填写收款银行账号。"))
    if application.kind == Kind.TEMPORARY and not application.requested_amount:
        problems.append(_("请填写申请救助金额。"))
    if problems:
        raise DomainError(" ".join(problems))
    old = application.state
    application.state, application.submitted_at = State.SUBMITTED, timezone.now()
    application.missing_documents, application.missing_documents_note = missing, note if missing else ""
    _save(application, "state", "submitted_at", "missing_documents", "missing_documents_note")
    _record(actor, application, "submit", old, **({"missing_documents": missing, "note": note} if missing else {}))
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    application = _locked(application)
    if actor.is_resident and application.created_by_id != actor.pk:
        raise DomainError(_("只能撤回本人提交的申请。"))
    _require_state(application, State.DRAFT, State.SUBMITTED, State.RETURNED)
    old = application.state
    application.state = State.WITHDRAWN
    _save(application, "state")
    _record(actor, application, "withdraw", old)
    return application


def checklist_suggestion(application: Application) -> dict[str, bool]:
    """Required documents, ticked where the household has uploaded one of that kind."""
    uploaded = set(Document.objects.filter(household=application.household).values_list("kind", flat=True))
    return {kind: kind in uploaded for kind in REQUIRED_DOCUMENTS[application.kind]}


@transaction.atomic
def application_return(*, actor, application: Application, reason: str, checklist: dict[str, bool]) -> Application:
    """Back to the resident for more documents, saying which and why."""
    application = _locked(application)
    _require_state(application, State.SUBMITTED)
    if not reason.strip():
        raise DomainError(_("请写明需要补充的材料。"))
    old = application.state
    application.state, application.return_reason, application.checklist = State.RETURNED, reason.strip(), checklist
    _save(application, "state", "return_reason", "checklist")
    _record(actor, application, "return", old, reason=application.return_reason)
    notifications.application_notify(application=application, event="return")
    return application


@transaction.atomic
def application_accept(*, actor, application: Application, checklist: dict[str, bool]) -> Application:
    application = _locked(application)
    _require_state(application, State.SUBMITTED)
    missing = [Document.Kind(k).label for k in REQUIRED_DOCUMENTS[application.kind] if not checklist.get(k)]
    if missing and application.kind != Kind.TEMPORARY:
        raise DomainError(_("材料不齐全：%(m)s。请退回补充材料。") % {"m": "、".join(map(str, missing))})
    today = clock.today()
    standards = standards_in_force(application.region_id, today)
    old = application.state
    application.state, application.checklist = State.ACCEPTED, checklist
    application.accepted_on, application.accepted_by = today, actor
    application.deadline = deadline_for(today, standards.deadline_working_days)
    _save(application, "state", "checklist", "accepted_on", "accepted_by", "deadline")
    _record(actor, application, "accept", old, deadline=application.deadline)
    notifications.application_notify(application=application, event="accept")
    return application


@transaction.atomic
def application_extend(*, actor, application: Application, reason: str) -> Application:
    """Extend the deadline to the longer limit (45 working days), with a reason."""
    application = _locked(application)
    _require_state(application, State.ACCEPTED, State.INVESTIGATING, State.PROPOSED, State.NOTICE)
    if not reason.strip():
        raise DomainError(_("延期须写明理由。"))
    if application.extension_reason:
        raise DomainError(_("该申请已延期一次。"))
    standards = standards_in_force(application.region_id, application.accepted_on)
    old_deadline = application.deadline
    application.deadline = deadline_for(application.accepted_on, standards.extended_working_days)
    application.extension_reason = reason.strip()
    _save(application, "deadline", "extension_reason")
    _record(
        actor,
        application,
        "extend",
        application.state,
        deadline=[old_deadline, application.deadline],
        reason=application.extension_reason,
    )
    return application


# ---------------------------------------------------------------- investigation


def cross_check(application: Application, on: dt.date) -> list[dict]:
    """Findings from imported data feeds about the household's members: deaths,
    and feed-sourced income and asset records of the last 12 months."""
    start, _end = twelve_month_window(on)
    members = HouseholdMember.objects.filter(household=application.household).select_related("person")
    findings = [
        {"type": "death", "person": m.person.name, "detail": m.person.death_date.isoformat()}
        for m in members
        if m.person.death_date
    ]
    for model, label in ((IncomeRecord, "income"), (AssetRecord, "asset")):
        feed = model.objects.filter(
            household=application.household, source=Source.FEED, period_end__gte=start
        ).select_related("person")
        findings += [
            {
                "type": label,
                "person": r.person.name,
                "detail": f"{r.get_kind_display()} {r.amount}",
                "kind": r.kind,
                "period": [r.period_start.isoformat(), r.period_end.isoformat()],
            }
            for r in feed
        ]
    return findings


@transaction.atomic
def application_visit_record(
    *, actor, application: Application, second_visitor: User, visited_on: dt.date, living_conditions: str, findings: str
) -> HomeVisit:
    """The home visit, signed by the caseworker and a second staff member;
    the automatic cross-check runs with it."""
    application = _locked(application)
    _require_state(application, State.ACCEPTED, State.INVESTIGATING)
    if second_visitor.pk == actor.pk:
        raise DomainError(_("入户调查须由两名工作人员共同完成。"))
    # The same list the form and the API offer: staff who may investigate in this street.
    if not second_visitor_choices(actor, application).filter(pk=second_visitor.pk).exists():
        raise DomainError(str(NOT_A_SECOND_VISITOR))
    if visited_on > clock.today() or (application.accepted_on and visited_on < application.accepted_on):
        raise DomainError(_("走访日期须在受理日期之后、今天之前。"))
    if not living_conditions.strip() or not findings.strip():
        raise DomainError(_("请填写居住生活状况和调查结论。"))
    visit = HomeVisit.objects.create(
        application=application,
        visited_on=visited_on,
        first_visitor=actor,
        second_visitor=second_visitor,
        living_conditions=living_conditions.strip(),
        findings=findings.strip(),
    )
    old = application.state
    application.state, application.investigator = State.INVESTIGATING, actor
    application.cross_check = cross_check(application, clock.today())
    _save(application, "state", "investigator", "cross_check")
    _record(
        actor,
        application,
        "visit",
        old,
        visit=visit.pk,
        second_visitor=second_visitor.username,
        cross_check_hits=len(application.cross_check),
    )
    notifications.visit_assigned(visit=visit)
    return visit


def _locked_visit(actor, visit: HomeVisit) -> HomeVisit:
    """The visit, locked after its application (the order propose locks in),
    checked to be the actor's to confirm and still awaiting confirmation."""
    application = _locked(visit.application)
    visit = HomeVisit.objects.select_for_update().select_related("first_visitor").get(pk=visit.pk)
    visit.application = application
    if visit.second_visitor_id != actor.pk:
        raise DomainError(_("只有被列为共同调查人的工作人员本人才能确认或拒绝这次入户调查。"))
    _require_state(application, State.ACCEPTED, State.INVESTIGATING)
    if visit.confirmed_at:
        raise DomainError(
            _("这次入户调查已于 %(at)s 确认。")
            % {"at": timezone.localtime(visit.confirmed_at).strftime("%Y-%m-%d %H:%M")}
        )
    if visit.declined_at:
        raise DomainError(_("这次入户调查已被拒绝确认，不能再办理。"))
    return visit


def _record_visit(actor, visit: HomeVisit, step: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.application.region_id,
        changes={"step": step, "application": visit.application.number, **changes},
    )


@transaction.atomic
def visit_confirm(*, actor, visit: HomeVisit) -> HomeVisit:
    """The second visitor signs the visit in their own session: only then does
    it count as made by two."""
    visit = _locked_visit(actor, visit)
    visit.confirmed_at = timezone.now()
    visit.save(update_fields=["confirmed_at"])
    _record_visit(actor, visit, VISIT_CONFIRM)
    return visit


@transaction.atomic
def visit_decline(*, actor, visit: HomeVisit, reason: str) -> HomeVisit:
    """The named second visitor says they did not make this visit (or not as
    written): the visit stays on record, void; the caseworker records a new visit."""
    if not reason.strip():
        raise DomainError(_("拒绝确认须写明理由。"))
    visit = _locked_visit(actor, visit)
    visit.declined_at, visit.decline_reason = timezone.now(), reason.strip()[:500]
    visit.save(update_fields=["declined_at", "decline_reason"])
    _record_visit(actor, visit, VISIT_DECLINE, reason=visit.decline_reason)
    return visit


def _require_confirmed_visit(application: Application) -> None:
    """Past investigation only with a visit both visitors signed.  A temporary
    case may go without a visit, but not with one still awaiting its second signature."""
    visits = list(application.visits.select_related("second_visitor").order_by("-id"))
    if any(v.confirmed_at for v in visits):
        return
    pending = [v for v in visits if not v.declined_at]
    if pending:
        raise DomainError(
            _("入户调查尚待共同调查人 %(name)s 确认。") % {"name": visitor_name(pending[0].second_visitor)}
        )
    if application.kind != Kind.TEMPORARY:
        if visits:
            raise DomainError(_("入户调查已被共同调查人拒绝确认，请重新入户调查。"))
        raise DomainError(_("须先完成入户调查。"))


# ---------------------------------------------------------------- assessment and proposal


def assess(
    application: Application,
    *,
    on: dt.date,
    care_level: str = "",
    has_capable_supporter: bool = False,
    amount: Decimal | None = None,
) -> dict:
    """Eligibility and monthly amount by rules.py, with the working shown to
    caseworkers, reviewers and the resident.  Returns eligible, amount,
    approval_level, outcome and working."""
    standards = standards_in_force(application.region_id, on)
    facts = household_facts(application.household, on)
    members, incomes, assets, spending = facts.members, facts.incomes, facts.assets, facts.expenditures
    if not members:
        raise DomainError(_("家庭没有在世成员。"))
    working: dict = {
        "on": on.isoformat(),
        "kind": application.kind,
        "standard": str(money(standards.dibao_standard)),
        "members": len(members),
    }
    income = rules.per_capita_income(members=len(members), incomes=incomes, on=on, standards=standards)
    asset = rules.asset_test(members=members, assets=assets, on=on, standards=standards)
    working.update(income=income.as_dict(), assets=asset.as_dict())
    level, outcome = "", "grant"
    if application.kind == Kind.DIBAO:
        result = rules.dibao(
            members=members, per_capita=income.per_capita_exact, assets=asset, on=on, standards=standards
        )
        working["dibao"] = result.as_dict()
        eligible, monthly, reasons = result.eligible, result.amount, list(result.reasons)
    elif application.kind == Kind.MARGINAL:
        eligible = rules.is_marginal(per_capita=income.per_capita, assets=asset, standards=standards)
        monthly = ZERO
        working["marginal_line"] = str(standards.marginal_line)
        reasons = (
            []
            if eligible
            else [
                _("人均月收入 %(pc)s 元不在低保标准至 %(line)s 元之间，或资产超标。")
                % {"pc": income.per_capita, "line": standards.marginal_line}
            ]
        )
    elif application.kind == Kind.EXPENDITURE:
        after = rules.per_capita_income(
            members=len(members), incomes=incomes, on=on, standards=standards, expenditures=spending
        )
        working["after_spending"] = after.as_dict()
        eligible = rules.is_expenditure_hardship(
            per_capita_after_spending=after.per_capita, assets=asset, standards=standards
        )
        monthly = ZERO
        reasons = (
            []
            if eligible
            else [_("扣除刚性支出后人均月收入 %(pc)s 元不低于低保标准，或资产超标。") % {"pc": after.per_capita}]
        )
    elif application.kind == Kind.TEKUN:
        if care_level not in Application.CareLevel.values:
            raise DomainError(_("请评估照料护理等级。"))
        person = next((m for m in members if m.person_id == application.applicant_id), None)
        if person is None:
            raise DomainError(_("申请人不是该家庭的在世成员。"))
        own = rules.per_capita_income(
            members=1, incomes=[r for r in incomes if r.person_id == person.person_id], on=on, standards=standards
        )
        result = rules.tekun(
            person=person,
            own_monthly_income=own.per_capita,
            has_capable_supporter=has_capable_supporter,
            care_level=care_level,
            on=on,
            standards=standards,
        )
        working["tekun"] = {**result.as_dict(), "own_income": own.as_dict(), "care_level": care_level}
        eligible, monthly, reasons = result.eligible, result.amount, list(result.reasons)
    else:  # temporary: the amount is the caseworker's judgement; the level follows from it
        if amount is None or amount <= 0:
            raise DomainError(_("请填写拟救助金额。"))
        monthly = money(amount)
        problem = rules.temporary_amount_problem(amount=monthly, standards=standards)
        if problem:
            raise DomainError(problem)
        level = rules.temporary_approval_level(amount=monthly, standards=standards)
        working["temporary"] = {
            "amount": str(monthly),
            "level": level,
            "street_limit": str(money(standards.dibao_standard * standards.temp_street_multiple)),
            "district_limit": str(money(standards.dibao_standard * standards.temp_district_multiple)),
            "ceiling": str(rules.temporary_ceiling(standards)),
        }
        eligible, reasons = True, []
    if application.recheck_of_id and not eligible:
        # A recheck that fails ends the benefit: gradually when work lifted the income.
        working_members = income.counted.get("wages", ZERO) > 0
        outcome = "gradual_exit" if (working_members and asset.passed and application.kind == Kind.DIBAO) else "stop"
    elif not eligible:
        outcome = "refuse"
    working.update(
        eligible=eligible,
        amount=str(monthly),
        reasons=reasons,
        outcome=outcome,
        stable=rules.stable_household(members, on),
    )
    return {"eligible": eligible, "amount": monthly, "approval_level": level, "outcome": outcome, "working": working}


@transaction.atomic
def application_propose(
    *,
    actor,
    application: Application,
    note: str = "",
    care_level: str = "",
    support_mode: str = "",
    has_capable_supporter: bool = False,
    amount: Decimal | None = None,
) -> Application:
    """The caseworker's proposal: the amount computed by rules.py, with its working."""
    application = _locked(application)
    allowed = (State.INVESTIGATING,) if application.kind != Kind.TEMPORARY else (State.ACCEPTED, State.INVESTIGATING)
    _require_state(application, *allowed)
    _require_confirmed_visit(application)
    result = assess(
        application, on=clock.today(), care_level=care_level, has_capable_supporter=has_capable_supporter, amount=amount
    )
    old = application.state
    application.state = State.PROPOSED
    application.eligible, application.proposed_amount = result["eligible"], result["amount"]
    application.working, application.approval_level = result["working"], result["approval_level"]
    application.care_level, application.support_mode = care_level, support_mode
    application.proposal_note, application.proposed_by = note.strip(), actor
    application.first_approved_by = application.first_approved_at = None  # a new proposal, new approvals
    if application.investigator_id is None:
        application.investigator = actor
    _save(
        application,
        "state",
        "eligible",
        "proposed_amount",
        "working",
        "approval_level",
        "care_level",
        "support_mode",
        "proposal_note",
        "proposed_by",
        "investigator",
        "first_approved_by",
        "first_approved_at",
    )
    _record(
        actor,
        application,
        "propose",
        old,
        eligible=application.eligible,
        amount=application.proposed_amount,
        outcome=result["outcome"],
    )
    return application


# ---------------------------------------------------------------- public notice


@transaction.atomic
def application_notice_publish(*, actor, application: Application) -> Application:
    """Seven days' public notice in the community for a proposed grant."""
    application = _locked(application)
    _require_state(application, State.PROPOSED)
    if application.kind == Kind.TEMPORARY:
        raise DomainError(_("临时救助无需公示，可直接报批。"))
    if application.working.get("outcome") == "refuse":
        raise DomainError(_("拟不予批准的申请无需公示，请直接报审核人。"))
    today = clock.today()
    days = standards_in_force(application.region_id, today).notice_days
    old = application.state
    application.state, application.notice_start = State.NOTICE, today
    application.notice_end = today + dt.timedelta(days=days - 1)
    _save(application, "state", "notice_start", "notice_end")
    _record(actor, application, "notice", old, notice=[application.notice_start, application.notice_end])
    notifications.application_notify(application=application, event="notice")
    return application


@transaction.atomic
def application_objection_record(
    *, actor, application: Application, received_on: dt.date, content: str, raised_by: str = ""
) -> Objection:
    """An objection during the notice sends the case back to investigation."""
    application = _locked(application)
    _require_state(application, State.NOTICE)
    if not content.strip():
        raise DomainError(_("请填写异议内容。"))
    objection = Objection.objects.create(
        application=application,
        received_on=received_on,
        content=content.strip(),
        raised_by=raised_by.strip(),
        recorded_by=actor,
    )
    old = application.state
    application.state = State.INVESTIGATING
    application.notice_start = application.notice_end = None
    _save(application, "state", "notice_start", "notice_end")
    _record(actor, application, "objection", old, objection=objection.pk)
    return objection


# ---------------------------------------------------------------- decision

DECIDERS = {
    # approval level → roles that may decide (never the investigator)
    "": {Role.REVIEWER, Role.BUREAU_ADMIN},
    Application.ApprovalLevel.STREET: {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN},
    Application.ApprovalLevel.DISTRICT: {Role.REVIEWER, Role.BUREAU_ADMIN},
    Application.ApprovalLevel.BUREAU: {Role.BUREAU_ADMIN},
}


def decider_problem(actor, application: Application) -> str | None:
    """Why this user may not decide this application, or None (maker–checker)."""
    makers = {
        application.investigator_id,
        application.proposed_by_id,
        *application.visits.values_list("first_visitor_id", flat=True),
        *application.visits.values_list("second_visitor_id", flat=True),
    }
    if actor.pk in makers:
        return _("参与调查或提出审核意见的工作人员不得审批同一案件。")
    if actor.role not in DECIDERS[application.approval_level]:
        return _("该案件须由%(level)s。") % {
            "level": Application.ApprovalLevel(application.approval_level or "district").label
        }
    if not actor.region_id or not application.region_id.startswith(actor.region.prefix):
        return _("案件不在您的管辖范围内。")
    return None


def _decision_ready(application: Application, today: dt.date) -> None:
    if application.kind == Kind.TEMPORARY or application.working.get("outcome") in ("refuse", "stop", "gradual_exit"):
        _require_state(application, State.PROPOSED, State.NOTICE)
        return
    _require_state(application, State.NOTICE)
    if today <= application.notice_end:
        raise DomainError(_("公示期至 %(end)s 结束，结束后方可审批。") % {"end": application.notice_end.isoformat()})


FIRST_APPROVAL_RECORDED = gettext_lazy("已记录第一审批意见，须另一名市民政局审批人确认。")
LEVEL_RANK = {
    Application.ApprovalLevel.STREET: 0,
    Application.ApprovalLevel.DISTRICT: 1,
    Application.ApprovalLevel.BUREAU: 2,
}


def _require_amount_still_allowed(application: Application, today: dt.date) -> None:
    """A temporary grant is checked again at the decision against the standards
    of the day: still under the ceiling, and its level not below what the amount needs."""
    if application.kind != Kind.TEMPORARY:
        return
    standards = standards_in_force(application.region_id, today)
    problem = rules.temporary_amount_problem(amount=application.proposed_amount, standards=standards)
    if problem:
        raise DomainError(problem)
    needed = rules.temporary_approval_level(amount=application.proposed_amount, standards=standards)
    if LEVEL_RANK[needed] > LEVEL_RANK.get(application.approval_level, 0):
        raise DomainError(
            _("拟救助金额须由%(level)s，请重新提出审核意见。") % {"level": Application.ApprovalLevel(needed).label}
        )


def decision_blockers(user, application: Application, today: dt.date | None = None) -> list[str]:
    """Why this user cannot approve this application now (empty: they can).
    The approve button is disabled with these reasons beside it, and
    application_confirm refuses with them: one list, so the two cannot drift."""
    today = today or clock.today()
    blockers = []
    try:
        _decision_ready(application, today)  # the state, and the public notice over
    except DomainError as exc:
        blockers.append(str(exc))
    if application.state not in (State.PROPOSED, State.NOTICE):
        return blockers
    problem = decider_problem(user, application)
    if problem:
        blockers.append(str(problem))
    if not application.eligible:
        blockers.append(_("审核意见为不符合条件，只能作出不予批准决定。"))
    else:
        try:
            _require_amount_still_allowed(application, today)
        except DomainError as exc:
            blockers.append(str(exc))
    if (
        application.approval_level == Application.ApprovalLevel.BUREAU
        and application.first_approved_by_id is not None
        and application.first_approved_by_id == user.pk
    ):
        blockers.append(_("您已作出第一审批意见，一事一议须由另一名市民政局审批人确认。"))
    return blockers


@transaction.atomic
def application_confirm(*, actor, application: Application, note: str = "") -> Application:
    """Approve the proposal: the benefit runs from the next month.  A case for
    the bureau (一事一议) needs two bureau administrators: the first approval
    is recorded and the case waits for a second, different one."""
    application = _locked(application)
    today = clock.today()
    blockers = decision_blockers(actor, application, today)
    if blockers:
        raise DomainError(blockers[0])
    if application.approval_level == Application.ApprovalLevel.BUREAU:
        if application.first_approved_by_id is None:
            application.first_approved_by, application.first_approved_at = actor, timezone.now()
            _save(application, "first_approved_by", "first_approved_at")
            _record(
                actor,
                application,
                "first_approval",
                application.state,
                amount=application.proposed_amount,
                note=note.strip(),
            )
            return application
    old = application.state
    application.state, application.decided_by, application.decided_on = State.CONFIRMED, actor, today
    application.decision_reason = note.strip()
    _save(application, "state", "decided_by", "decided_on", "decision_reason")
    benefit = benefit_services.benefit_grant(actor=actor, application=application, today=today)
    _record(
        actor, application, "confirm", old, amount=application.proposed_amount, benefit=benefit.pk if benefit else None
    )
    _decision_numbered(application)
    notifications.application_notify(application=application, event="confirm")
    return application


@transaction.atomic
def application_reject(*, actor, application: Application, reason: str) -> Application:
    """Refuse, with the reason the resident will read.  On a recheck this ends
    the benefit: gradual exit when work lifted the income, otherwise stop."""
    application = _locked(application)
    today = clock.today()
    _require_state(application, State.PROPOSED, State.NOTICE)
    problem = decider_problem(actor, application)
    if problem:
        raise DomainError(problem)
    reason = reason.strip() or "；".join(application.working.get("reasons", []))
    if not reason:
        raise DomainError(_("不予批准须写明理由。"))
    old = application.state
    application.state, application.decided_by, application.decided_on = State.REJECTED, actor, today
    application.decision_reason = reason
    _save(application, "state", "decided_by", "decided_on", "decision_reason")
    if application.recheck_of_id:
        benefit_services.benefit_end_after_recheck(actor=actor, application=application, today=today)
    _record(actor, application, "reject", old, reason=reason)
    _decision_numbered(application)
    notifications.application_notify(application=application, event="reject")
    return application


def _decision_numbered(application: Application) -> None:
    """The decision letter gets its number with the decision (gapless, kept)."""
    from ..experience import decision_number  # the letters' module reads services' models, not the reverse

    decision_number(application)


# ---------------------------------------------------------------- emergency assistance paid first


@transaction.atomic
def application_pay_first(*, actor, application: Application, amount: Decimal) -> Application:
    """先行救助: pay an emergency at once, within the street's limit; the
    documents follow within 5 working days."""
    application = _locked(application)
    _require_state(application, State.SUBMITTED, State.ACCEPTED)
    if application.kind != Kind.TEMPORARY or application.temporary_type != Application.TemporaryType.EMERGENCY:
        raise DomainError(_("只有急难型临时救助可以先行救助。"))
    if application.paid_first_on:
        raise DomainError(_("该申请已先行救助。"))
    today = clock.today()
    standards = standards_in_force(application.region_id, today)
    amount = money(amount)
    if amount <= 0 or rules.temporary_approval_level(amount=amount, standards=standards) != "street":
        raise DomainError(
            _("先行救助金额须大于0且不超过街道审批上限 %(limit)s 元。")
            % {"limit": money(standards.dibao_standard * standards.temp_street_multiple)}
        )
    application.paid_first_on, application.paid_first_amount = today, amount
    application.documents_due = deadline_for(today, standards.emergency_document_working_days)
    _save(application, "paid_first_on", "paid_first_amount", "documents_due")
    benefit_services.benefit_one_off(actor=actor, application=application, amount=amount, month=month_start(today))
    _record(actor, application, "pay_first", application.state, amount=amount, documents_due=application.documents_due)
    return application
