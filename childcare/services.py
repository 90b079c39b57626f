"""Every childcare write, each in a transaction with its audit event:
recognition (application → street check → district decision by someone else →
allowance from the next month), yearly review and stops, the registry of
children in distress and left behind (versioned risk, visits, referrals),
rosters of directors and supervisors, and the life-event handlers.

Relief is told through relief's own services and selectors: approving an
allowance for a child who is paid as extremely poor (特困) ends that benefit
after the month before the allowance's first with relief's `benefit_end_after`
(no month paid twice or missed); a referral to temporary assistance
opens a relief draft with relief's `temporary_referral`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.calendar import deadline_after
from civil_affairs.models import AuditEvent, Document, HouseholdMember, Person, Region, Role
from civil_affairs.months import add_months, month_start
from civil_affairs.permissions import has_capability
from civil_affairs.rules import IdNumberError, parse_id_number
from civil_affairs.services import DomainError, audit_record, document_upload

from . import rules
from .models import (
    Allowance,
    Case,
    Category,
    Child,
    Director,
    DiscoveryTask,
    ParentCode,
    ParentSituation,
    Referral,
    Risk,
    RiskChange,
    Setting,
    Supervisor,
    Visit,
)
from .selectors import child_access, standards_in_force, street_of

ACTIVE = Allowance.Status.ACTIVE


def _audit(actor, target, step: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if step in ("submit", "register", "open") else AuditEvent.Action.UPDATE,
        target=target,
        changes={"step": step, **changes},
    )


def _require(actor, capability: str, region_code: str) -> None:
    """The capability, and the child's record within the actor's assignment."""
    if not has_capability(actor, capability):
        raise PermissionDenied
    if not child_access(actor, region_code):
        raise PermissionDenied


def person_by_id_number(raw: str) -> Person:
    try:
        number = parse_id_number(raw).number
    except IdNumberError as exc:
        raise DomainError(str(exc)) from None
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        raise DomainError(_("户籍登记中没有该身份证号码的人员，请先到街道登记。"))
    return person


# ---------------------------------------------------------------- recognition


def _parents_checked(parents: list[dict]) -> list[dict]:
    if len(parents) != 2 or {p.get("which") for p in parents} != {"father", "mother"}:
        raise DomainError(_("请分别填写父亲和母亲的情况。"))
    for p in parents:
        if p.get("code", "") not in ParentCode.values:
            raise DomainError(_("父母情形代码无效。"))
        since, until = p.get("since"), p.get("until")
        if since and until and until < since:
            raise DomainError(_("父母情形的结束日期不能早于起始日期。"))
        if p.get("code") in rules.TIMED and not since:
            raise DomainError(_("失联、服刑等情形须填写起始日期，以计算是否满 6 个月。"))
    return parents


@transaction.atomic
def case_submit(
    *,
    actor,
    child: Person,
    category: str,
    setting: str = Setting.DISPERSED,
    parents: list[dict],
    guardian: Person | None = None,
    guardian_relation: str = "",
    school_until: dt.date | None = None,
    bank_account: str = "",
    bank_name: str = "",
    uploads: list = (),
) -> Case:
    """A guardian's application online (actor a resident: the guardian is the
    resident, the child in their household) or at the street (a caseworker)."""
    online = actor.is_resident
    if online:
        guardian = actor.person
        household = getattr(getattr(guardian, "membership", None), "household_id", None)
        if household is None or not HouseholdMember.objects.filter(household_id=household, person=child).exists():
            raise DomainError(_("只能为与您同一户籍家庭的儿童申请。"))
    else:
        _require(actor, "childcare_check", child.residence_region_id)
    if category not in Category.values:
        raise DomainError(_("请选择申请类别（孤儿或事实无人抚养儿童）。"))
    if setting not in Setting.values:
        raise DomainError(_("请选择养育方式。"))
    if child.death_date is not None:
        raise DomainError(_("该儿童已登记死亡。"))
    today = clock.today()
    standards = standards_in_force(child.residence_region_id, today)
    if month_start(today) > rules.last_month(child.birth_date, standards, in_school_until=school_until):
        raise DomainError(
            _("该儿童已超过发放年龄（%(a)d 周岁，全日制在校至 %(b)d 周岁）。")
            % {"a": standards.age_end, "b": standards.school_age_end}
        )
    if Allowance.objects.filter(child=child, status=ACTIVE).exists():
        raise DomainError(_("该儿童已在享受基本生活费。"))
    parents = _parents_checked(list(parents))
    case = Case(
        number=f"tmp-{uuid.uuid4().hex[:18]}",
        child=child,
        guardian=guardian,
        guardian_relation=guardian_relation.strip()[:30],
        region_id=child.residence_region_id,
        category=category,
        setting=setting,
        school_until=school_until,
        bank_account=bank_account.strip()[:32],
        bank_name=bank_name.strip()[:60],
        online=online,
        submitted_on=today,
        submitted_by=actor,
        check_due=deadline_after(today, standards.check_working_days),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise DomainError(_("该儿童已有一件办理中的认定申请。")) from None
    case.number = f"ET{today:%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    ParentSituation.objects.bulk_create(
        ParentSituation(
            case=case,
            which=p["which"],
            parent=p.get("parent"),
            name=(p.get("name") or "")[:50],
            code=p["code"],
            since=p.get("since"),
            until=p.get("until"),
            evidence=(p.get("evidence") or "")[:200],
        )
        for p in parents
    )
    for uploaded in uploads or ():
        document = document_upload(actor=actor, kind=Document.Kind.OTHER, uploaded=uploaded, person=child)
        case.documents.add(document)
    _audit(actor, case, "submit", number=case.number, category=category, online=online)
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("child").get(pk=case.pk)


def case_assessment(case: Case, on: dt.date) -> rules.Eligibility:
    standards = standards_in_force(case.region_id, on)
    parents = [p.as_rule() for p in case.parents.select_related("parent").order_by("which")]
    return rules.eligibility(
        birth=case.child.birth_date,
        on=on,
        parents=parents,
        dead=case.child.death_date is not None,
        in_school_until=case.school_until,
        standards=standards,
    )


REASONS = {
    "parents": _("父母情形不符合孤儿或事实无人抚养儿童的认定条件"),
    "adopted": _("已被收养"),
    "dead": _("儿童已死亡"),
    "age": _("已超过发放年龄"),
}


def _reasons(found: rules.Eligibility) -> str:
    return "；".join(str(REASONS[r]) for r in found.reasons)


@transaction.atomic
def case_check(*, actor, case: Case, recommend: bool, opinion: str) -> Case:
    """The street's check (within 15 working days): recommend or not, with an opinion."""
    case = _locked(case)
    _require(actor, "childcare_check", case.region_id)
    if case.state != Case.State.SUBMITTED:
        raise DomainError(_("该申请当前为“%(s)s”，不能审核。") % {"s": case.get_state_display()})
    if not opinion.strip():
        raise DomainError(_("请填写街道审核意见。"))
    today = clock.today()
    found = case_assessment(case, today)
    if recommend and not found.eligible:
        raise DomainError(_("不能建议批准：%(r)s。") % {"r": _reasons(found)})
    if recommend and found.category != case.category:
        raise DomainError(_("按父母情形应认定为“%(c)s”，请核对申请类别。") % {"c": Category(found.category).label})
    standards = standards_in_force(case.region_id, today)
    case.state = Case.State.CHECKED if recommend else Case.State.REJECTED
    case.checked_by, case.checked_on, case.check_opinion = actor, today, opinion.strip()
    case.decision_due = deadline_after(today, standards.decision_working_days) if recommend else None
    case.save(update_fields=["state", "checked_by", "checked_on", "check_opinion", "decision_due"])
    _audit(actor, case, "check", recommend=recommend, opinion=case.check_opinion, late=today > case.check_due)
    return case


@transaction.atomic
def case_decide(*, actor, case: Case, approve: bool, note: str = "") -> Case:
    """The district's decision by a reviewer who did not check the case
    (maker–checker); on approval the allowance starts next month and a live
    特困 benefit of the child is stopped through relief's own service."""
    case = _locked(case)
    _require(actor, "childcare_decide", case.region_id)
    if case.state != Case.State.CHECKED:
        raise DomainError(_("该申请当前为“%(s)s”，不能审批。") % {"s": case.get_state_display()})
    if case.checked_by_id == actor.pk:
        raise DomainError(_("审核人不能审批自己审核的申请。"))
    today = clock.today()
    if not approve and not note.strip():
        raise DomainError(_("不予批准须写明理由。"))
    if approve:
        found = case_assessment(case, today)
        if not found.eligible:
            raise DomainError(_("不能批准：%(r)s。") % {"r": _reasons(found)})
    case.state = Case.State.APPROVED if approve else Case.State.REJECTED
    case.decided_by, case.decided_on, case.decision_note = actor, today, note.strip()
    case.save(update_fields=["state", "decided_by", "decided_on", "decision_note"])
    _audit(actor, case, "decide", approve=approve, note=case.decision_note)
    if approve:
        allowance = _allowance_grant(actor, case, today)
        tekun_stop_for(actor=actor, child=case.child, start=allowance.start_month)
    return case


def _allowance_grant(actor, case: Case, today: dt.date) -> Allowance:
    standards = standards_in_force(case.region_id, today)
    start = rules.first_month(today)
    allowance = Allowance.objects.create(
        child=case.child,
        case=case,
        guardian=case.guardian,
        region_id=case.region_id,
        category=case.category,
        setting=case.setting,
        start_month=start,
        last_month=rules.last_month(case.child.birth_date, standards, in_school_until=case.school_until),
        school_until=case.school_until,
        next_review=add_months(today, 12),
        bank_account=case.bank_account,
        bank_name=case.bank_name,
    )
    _audit(
        actor,
        allowance,
        "grant",
        start=start,
        last_month=allowance.last_month,
        amount=rules.rate(case.category, case.setting, standards),
    )
    return allowance


def tekun_stop_for(*, actor, child: Person, start: dt.date) -> int:
    """A child paid this allowance is not paid as extremely poor: the child's live
    特困 benefits end with the month before the allowance's first month (so no
    month is paid twice or not at all), through relief's selectors and service."""
    from relief.models import Benefit, Kind
    from relief.selectors.applications import benefit_list_for_user
    from relief.services.benefits import benefit_end_after

    reason = _("已认定为孤儿/事实无人抚养儿童，自 %(m)s 起发放儿童基本生活费，不再按特困人员供养。") % {
        "m": f"{start:%Y-%m}"
    }
    live = (*Benefit.PAYABLE, Benefit.Status.SUSPENDED)
    stopped = 0
    for benefit in benefit_list_for_user(actor).filter(recipient=child, kind=Kind.TEKUN, status__in=live):
        benefit_end_after(actor=actor, benefit=benefit, last_month=rules.tekun_stop_month(start), reason=reason)
        stopped += 1
    return stopped


@transaction.atomic
def case_withdraw(*, actor, case: Case) -> Case:
    case = _locked(case)
    if case.submitted_by_id != actor.pk or case.state != Case.State.SUBMITTED:
        raise DomainError(_("只能撤回自己提交、尚未审核的申请。"))
    case.state = Case.State.WITHDRAWN
    case.save(update_fields=["state"])
    _audit(actor, case, "withdraw")
    return case


# ---------------------------------------------------------------- the allowance


@transaction.atomic
def allowance_stop(*, actor, allowance: Allowance, reason: str, on: dt.date | None = None, note: str = "") -> Allowance:
    """Stop from the month after `on` (adoption, a parent's condition ending, age,
    death, a failed review); months already on an approved roll stay paid."""
    if actor is not None:
        _require(actor, "childcare_decide", allowance.region_id)
    if reason not in Allowance.StopReason.values:
        raise DomainError(_("请选择停发原因。"))
    allowance = Allowance.objects.select_for_update().get(pk=allowance.pk)
    if allowance.status != ACTIVE:
        raise DomainError(_("该待遇已停发。"))
    on = on or clock.today()
    stop_from = add_months(month_start(on), 1)
    allowance.status, allowance.stop_reason, allowance.stopped_from = Allowance.Status.STOPPED, reason, stop_from
    allowance.last_month = min(allowance.last_month, add_months(stop_from, -1))
    allowance.save(update_fields=["status", "stop_reason", "stopped_from", "last_month"])
    _audit(actor, allowance, "stop", reason=reason, stopped_from=stop_from, note=note.strip()[:200])
    return allowance


@transaction.atomic
def allowance_review(*, actor, allowance: Allowance, still_eligible: bool, note: str) -> Allowance:
    """The yearly review: confirmed for another year, or stopped."""
    _require(actor, "childcare_decide", allowance.region_id)
    if not note.strip():
        raise DomainError(_("请填写复核情况。"))
    if not still_eligible:
        return allowance_stop(actor=actor, allowance=allowance, reason=Allowance.StopReason.REVIEW, note=note)
    allowance = Allowance.objects.select_for_update().get(pk=allowance.pk)
    allowance.next_review = add_months(clock.today(), 12)
    allowance.save(update_fields=["next_review"])
    _audit(actor, allowance, "review", note=note.strip()[:200], next_review=allowance.next_review)
    return allowance


# ---------------------------------------------------------------- registry


def _visit_standards(child: Child, on: dt.date) -> rules.Standards:
    return standards_in_force(child.region_id, on)


@transaction.atomic
def child_register(
    *,
    actor,
    person: Person,
    kind: str,
    risk: str,
    guardian: Person | None = None,
    guardian_name: str = "",
    guardian_situation: str = "",
    school: str = "",
) -> Child:
    """Register a child in distress or left behind; the first visit is due in
    2 / 5 / 10 working days by risk (high / medium / low)."""
    _require(actor, "childcare_registry", person.residence_region_id)
    if kind not in Child.Kind.values:
        raise DomainError(_("请选择儿童类别。"))
    if risk not in Risk.values:
        raise DomainError(_("请选择风险等级。"))
    today = clock.today()
    if rules.age_on(person.birth_date, today) >= 18:
        raise DomainError(_("只能登记未满 18 周岁的儿童。"))
    standards = standards_in_force(person.residence_region_id, today)
    due = deadline_after(today, rules.first_visit_working_days(risk, standards))
    try:
        with transaction.atomic():
            child = Child.objects.create(
                person=person,
                kind=kind,
                region_id=person.residence_region_id,
                guardian=guardian,
                guardian_name=(guardian_name or (guardian.name if guardian else "")).strip()[:50],
                guardian_situation=guardian_situation.strip()[:200],
                school=school.strip()[:100],
                risk=risk,
                registered_on=today,
                first_visit_due=due,
                next_visit_due=due,
            )
    except IntegrityError:
        raise DomainError(_("该儿童已在台账中。")) from None
    RiskChange.objects.create(child=child, version=1, old="", new=risk, reason=_("登记"), by=actor)
    _audit(actor, child, "register", kind=kind, risk=risk, first_visit_due=due)
    return child


@transaction.atomic
def child_risk_change(*, actor, child: Child, risk: str, reason: str, version: int) -> Child:
    """A new risk level, versioned (who, when, why); refused if someone changed
    the child's record since the form was opened (`version`)."""
    _require(actor, "childcare_registry", child.region_id)
    if risk not in Risk.values:
        raise DomainError(_("请选择风险等级。"))
    if not reason.strip():
        raise DomainError(_("调整风险等级须写明原因。"))
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.version != version:
        raise DomainError(_("该儿童的信息已被他人修改，请刷新后重试。"))
    if child.risk == risk:
        raise DomainError(_("风险等级未改变。"))
    old = child.risk
    child.version += 1
    RiskChange.objects.create(
        child=child, version=child.version, old=old, new=risk, reason=reason.strip()[:200], by=actor
    )
    standards = _visit_standards(child, clock.today())
    if child.last_visit_on is not None:
        due = rules.next_visit_due(child.last_visit_on, risk, standards)
    else:  # not visited yet: the first visit's deadline by the new risk
        due = deadline_after(child.registered_on, rules.first_visit_working_days(risk, standards))
        child.first_visit_due = due
    child.risk, child.next_visit_due = risk, due
    child.save(update_fields=["risk", "version", "next_visit_due", "first_visit_due"])
    _audit(actor, child, "risk", risk=[old, risk], reason=reason.strip()[:200], version=child.version)
    return child


@transaction.atomic
def visit_record(*, actor, child: Child, visited_on: dt.date, seen: bool, notes: str) -> Visit:
    """A visit with notes and whether the child was seen; the next is due by risk."""
    _require(actor, "childcare_registry", child.region_id)
    if not notes.strip():
        raise DomainError(_("请填写走访记录。"))
    today = clock.today()
    child = Child.objects.select_for_update().get(pk=child.pk)
    if visited_on > today:
        raise DomainError(_("走访日期不能晚于今天。"))
    if visited_on < child.registered_on:
        raise DomainError(_("走访日期不能早于登记日期。"))
    visit = Visit.objects.create(
        child=child,
        visited_on=visited_on,
        by=actor,
        seen=seen,
        notes=notes.strip(),
        risk_seen=child.risk,
        on_time=visited_on <= child.next_visit_due,
    )
    if child.last_visit_on is None or visited_on >= child.last_visit_on:
        child.last_visit_on = visited_on
        child.next_visit_due = rules.next_visit_due(visited_on, child.risk, _visit_standards(child, today))
        child.save(update_fields=["last_visit_on", "next_visit_due"])
    _audit(actor, child, "child_visit", visit=visit.pk, seen=seen, on_time=visit.on_time)
    return visit


@transaction.atomic
def referral_open(*, actor, child: Child, service: str, reason: str) -> Referral:
    """A referral to a service; temporary assistance opens a relief case (a
    draft of relief's, through relief's application_create)."""
    _require(actor, "childcare_registry", child.region_id)
    if service not in Referral.Service.values:
        raise DomainError(_("请选择转介服务。"))
    if not reason.strip():
        raise DomainError(_("请填写转介原因。"))
    referral = Referral(child=child, service=service, reason=reason.strip(), opened_on=clock.today(), opened_by=actor)
    if service == Referral.Service.RELIEF:
        from relief.models import Application
        from relief.services.applications import temporary_referral

        application = temporary_referral(
            actor=actor,
            person=child.person,
            region=child.region,
            reason=_("儿童主任转介：%(r)s") % {"r": reason.strip()},
            temporary_type=Application.TemporaryType.EXPENDITURE,
        )
        referral.relief_application = application.number
    referral.save()
    _audit(actor, child, "refer", referral=referral.pk, service=service, relief=referral.relief_application)
    return referral


@transaction.atomic
def referral_close(*, actor, referral: Referral, outcome: str) -> Referral:
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    _require(actor, "childcare_registry", referral.child.region_id)
    if referral.status == Referral.Status.CLOSED:
        raise DomainError(_("该转介已办结。"))
    if not outcome.strip():
        raise DomainError(_("请填写办理结果。"))
    referral.status, referral.closed_on, referral.outcome = Referral.Status.CLOSED, clock.today(), outcome.strip()
    referral.save(update_fields=["status", "closed_on", "outcome"])
    _audit(actor, referral.child, "refer_close", referral=referral.pk)
    return referral


@transaction.atomic
def discovery_resolve(*, actor, task: DiscoveryTask, note: str) -> DiscoveryTask:
    _require(actor, "childcare_registry", task.region_id)
    if not note.strip():
        raise DomainError(_("请填写核实结果。"))
    task = DiscoveryTask.objects.select_for_update().get(pk=task.pk)
    if task.status != DiscoveryTask.Status.OPEN:
        raise DomainError(_("该任务已处理。"))
    task.status, task.note = DiscoveryTask.Status.DONE, note.strip()[:200]
    task.save(update_fields=["status", "note"])
    _audit(actor, task, "discovery_resolve", note=task.note)
    return task


# ---------------------------------------------------------------- rosters


def _require_configure(actor) -> None:
    if not has_capability(actor, "childcare_configure"):
        raise PermissionDenied


@transaction.atomic
def director_assign(*, actor, user, region: Region, phone: str = "") -> Director:
    """The child director of a village or community (one each; a community worker)."""
    _require_configure(actor)
    if user.role != Role.COMMUNITY_WORKER:
        raise DomainError(_("儿童主任须为村（社区）工作人员账号。"))
    if region.level != Region.Level.VILLAGE:
        raise DomainError(_("儿童主任按村（社区）设置。"))
    if not (user.region_id or "").startswith(region.code) and user.region_id != region.code:
        raise DomainError(_("该账号不属于这个村（社区）。"))
    existing = Director.objects.filter(region=region).first()
    if existing is not None and existing.user_id != user.pk:
        raise DomainError(_("%(r)s 已有儿童主任，请先撤换。") % {"r": region.name})
    director, _created = Director.objects.update_or_create(
        user=user, defaults={"region": region, "phone": phone, "since": clock.today()}
    )
    _audit(actor, director, "assign", user=user.get_username(), region=region.code)
    return director


@transaction.atomic
def supervisor_assign(*, actor, user, region: Region, phone: str = "") -> Supervisor:
    """The child supervisor of a street or township (one each; a street caseworker)."""
    _require_configure(actor)
    if user.role != Role.CASEWORKER:
        raise DomainError(_("儿童督导员须为街道（乡镇）工作人员账号。"))
    if region.level != Region.Level.TOWNSHIP:
        raise DomainError(_("儿童督导员按街道（乡镇）设置。"))
    if user.region_id != region.code:
        raise DomainError(_("该账号不属于这个街道（乡镇）。"))
    existing = Supervisor.objects.filter(region=region).first()
    if existing is not None and existing.user_id != user.pk:
        raise DomainError(_("%(r)s 已有儿童督导员，请先撤换。") % {"r": region.name})
    supervisor, _created = Supervisor.objects.update_or_create(
        user=user, defaults={"region": region, "phone": phone, "since": clock.today()}
    )
    _audit(actor, supervisor, "assign", user=user.get_username(), region=region.code)
    return supervisor


def director_of(region_code: str) -> Director | None:
    return Director.objects.filter(region_id=region_code).select_related("user").first()


def supervisor_of(region_code: str) -> Supervisor | None:
    return Supervisor.objects.filter(region_id=street_of(region_code)).select_related("user").first()
