"""Home adaptations (适老化改造) and family care beds (家庭养老床位): every write.

application (a caseworker at the counter, or the resident online for themselves
or an elder of their household) → assessment with a needs list → work order to a
contractor with a budget within the cap → completion with photos → acceptance by
a person other than the one who ordered → payment.  Each step runs in a
transaction on the case's row lock, checks the state it starts from, sets the
next step's deadline (rules.ADAPTATION_STEP_DAYS, through the core's calendar)
and records an audit event.  The caps and the two-people rule are checked here
with a clear message and again by the database (models.Adaptation's checks).

Residents also ask here for an ability assessment (GB/T 42195-2022); a caseworker
records it (homecare.assessment_record), which closes the request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.calendar import deadline_after
from civil_affairs.models import AuditEvent, HouseholdMember, Person
from civil_affairs.parameters import parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.rules import age_on
from civil_affairs.selectors import household_for_resident, in_jurisdiction
from civil_affairs.services import DomainError, audit_record, document_check

from .. import rules
from ..models import Adaptation, AdaptationNeed, AdaptationPhoto, AssessmentRequest, Contractor
from ..parameters import with_defaults
from . import homecare

MAX_PHOTOS = 12
PHOTO_TYPES = ("image/jpeg", "image/png")
S = Adaptation.State


def _values(region_code: str, on: dt.date) -> dict[str, Decimal]:
    return with_defaults(parameters_in_force(region_code, on))


def step_due(state: str, start: dt.date, values: dict[str, Decimal]) -> dt.date:
    """The deadline of the step a case in `state` waits for, counted from `start`."""
    key, working = rules.ADAPTATION_STEP_DAYS[state]
    days = int(values[key])
    return deadline_after(start, days) if working else start + dt.timedelta(days=days)


def _amount(value, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(f)s应为金额，例如 4800.00。") % {"f": label}) from None
    if not amount.is_finite():
        raise DomainError(_("%(f)s应为金额，例如 4800.00。") % {"f": label})
    return amount


def _locked(adaptation: Adaptation, actor, *, states: tuple[str, ...], capability: str) -> Adaptation:
    """The case under FOR UPDATE, checked: the actor may do the step, in their jurisdiction, from one of `states`."""
    if not has_capability(actor, capability):
        raise DomainError(_("您没有办理该步骤的权限。"))
    locked = Adaptation.objects.select_for_update().get(pk=adaptation.pk)
    if not in_jurisdiction(actor, locked.region_id):
        raise DomainError(_("该申请不在您的管辖范围内。"))
    if locked.state not in states:
        raise DomainError(_("该申请当前状态为“%(s)s”，不能办理此步骤。") % {"s": Adaptation.State(locked.state).label})
    return locked


def _audit(actor, adaptation: Adaptation, step: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if step == "apply" else AuditEvent.Action.UPDATE,
        target=adaptation,
        region_code=adaptation.region_id,
        changes={"step": step, "state": adaptation.state, **changes},
    )


# ---------------------------------------------------------------- eligibility


def eligibility(person: Person, kind: str, on: dt.date) -> tuple[str, Decimal] | None:
    """(group, cap) for this elder and kind on this day, from the registry, relief and the assessment in force."""
    if person.death_date is not None:
        return None
    month = on.replace(day=1)
    assessment = homecare.assessment_in_force(person.pk, on)
    return rules.adaptation_cap(
        age=age_on(person.birth_date, on),
        poor=homecare.is_poor(person.pk, month),
        living_alone=homecare.living_alone(person.pk),
        level=assessment.level if assessment else None,
        kind=kind,
        values=_values(person.residence_region_id, on),
    )


def not_eligible_message(person: Person, kind: str) -> str:
    if kind == Adaptation.Kind.CARE_BED:
        return _(
            "%(name)s 不符合家庭养老床位条件（60周岁以上，经能力评估为中度失能及以上，"
            "且为低保、特困老人或其他符合条件老人）。"
        ) % {"name": person.name}
    return _(
        "%(name)s 不符合适老化改造补助条件（60周岁以上的低保、特困老人，80周岁以上独居老人，或经评估中度失能以上）。"
    ) % {"name": person.name}


# ---------------------------------------------------------------- application


def _household_of(person: Person):
    member = HouseholdMember.objects.filter(person=person).select_related("household").first()
    return member.household if member else None


@transaction.atomic
def adaptation_apply(*, actor, person: Person, kind: str, reason: str = "", channel: str | None = None) -> Adaptation:
    """A new application: by a caseworker at the counter (in their jurisdiction), or
    by a resident online for themselves or an elder of their own household."""
    if kind not in Adaptation.Kind.values:
        raise DomainError(_("请选择申请类型（适老化改造或家庭养老床位）。"))
    if getattr(actor, "is_resident", False):
        if not actor.is_verified_resident:
            raise DomainError(_("请先完成实名核验后再申请。"))
        own = household_for_resident(actor)
        mine = person.pk == actor.person_id or (
            own is not None and HouseholdMember.objects.filter(household=own, person=person).exists()
        )
        if not mine:
            raise DomainError(_("只能为本人或本户的老人申请。"))
        channel = Adaptation.Channel.ONLINE
    else:
        if not has_capability(actor, "adaptation_manage"):
            raise DomainError(_("您没有受理适老化改造申请的权限。"))
        if not in_jurisdiction(actor, person.residence_region_id):
            raise DomainError(_("该老人不在您的管辖范围内。"))
        channel = channel or Adaptation.Channel.COUNTER
    today = clock.today()
    found = eligibility(person, kind, today)
    if found is None:
        raise DomainError(not_eligible_message(person, kind))
    # the row lock of the person stops two clicks making two open cases
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if Adaptation.objects.filter(person=person, kind=kind).exclude(state__in=[S.PAID, S.REJECTED]).exists():
        raise DomainError(
            _("%(name)s 已有一件办理中的%(kind)s申请。") % {"name": person.name, "kind": Adaptation.Kind(kind).label}
        )
    group, cap = found
    values = _values(person.residence_region_id, today)
    adaptation = Adaptation.objects.create(
        kind=kind,
        person=person,
        household=_household_of(person),
        region_id=person.residence_region_id,
        channel=channel,
        applicant=actor,
        reason=(reason or "").strip()[:500],
        group=group,
        cap=cap,
        applied_at=timezone.now(),
        assess_due=step_due(S.APPLIED, today, values),
    )
    _audit(actor, adaptation, "apply", kind=kind, channel=channel, group=group, cap=cap, due=adaptation.assess_due)
    return adaptation


# ---------------------------------------------------------------- assessment


def _needs(lines) -> list[tuple[str, int, Decimal]]:
    """(item, quantity, unit cost) of each filled line; a clear message for a bad one."""
    parsed = []
    for n, (item, qty, cost) in enumerate(lines, start=1):
        item = (item or "").strip()
        if not item and not str(qty or "").strip() and not str(cost or "").strip():
            continue
        if not item:
            raise DomainError(_("需求清单第 %(n)d 行：请填写项目名称。") % {"n": n})
        try:
            quantity = int(str(qty or "1").strip())
        except ValueError:
            raise DomainError(_("需求清单第 %(n)d 行：数量应为整数。") % {"n": n}) from None
        if not 1 <= quantity <= 999:
            raise DomainError(_("需求清单第 %(n)d 行：数量应在 1 至 999 之间。") % {"n": n})
        unit = _amount(cost, _("需求清单第 %(n)d 行的估算单价") % {"n": n})
        if unit <= 0 or unit != rules.money(unit):
            raise DomainError(_("需求清单第 %(n)d 行：估算单价应为大于 0 的金额（精确到分）。") % {"n": n})
        parsed.append((item[:100], quantity, unit))
    return parsed


@transaction.atomic
def adaptation_assess(*, actor, adaptation: Adaptation, needs, note: str = "") -> Adaptation:
    """The home visit's needs list (items, quantities, estimated costs): the case waits for its work order."""
    adaptation = _locked(adaptation, actor, states=(S.APPLIED,), capability="adaptation_manage")
    lines = _needs(needs)
    if not lines:
        raise DomainError(_("请至少填写一项改造/配置需求。"))
    total = rules.needs_total([(q, c) for _i, q, c in lines])
    AdaptationNeed.objects.bulk_create(
        AdaptationNeed(adaptation=adaptation, item=i, quantity=q, unit_cost=c, cost=rules.money(q * c))
        for i, q, c in lines
    )
    today = clock.today()
    adaptation.state, adaptation.assessed_by, adaptation.assessed_at = S.ASSESSED, actor, timezone.now()
    adaptation.estimate, adaptation.assessment_note = total, (note or "").strip()[:500]
    adaptation.order_due = step_due(S.ASSESSED, today, _values(adaptation.region_id, today))
    adaptation.save(update_fields=["state", "assessed_by", "assessed_at", "estimate", "assessment_note", "order_due"])
    _audit(
        actor,
        adaptation,
        "assess",
        needs=[{"item": i, "quantity": q, "unit_cost": c} for i, q, c in lines],
        estimate=total,
        over_cap=total > adaptation.cap,
        due=adaptation.order_due,
    )
    return adaptation


@transaction.atomic
def adaptation_reject(*, actor, adaptation: Adaptation, reason: str) -> Adaptation:
    """Refused at the assessment (no need found, not eligible after all), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("不予受理须填写原因。"))
    adaptation = _locked(adaptation, actor, states=(S.APPLIED, S.ASSESSED), capability="adaptation_manage")
    adaptation.state, adaptation.rejected_at, adaptation.rejection_reason = S.REJECTED, timezone.now(), reason[:500]
    adaptation.save(update_fields=["state", "rejected_at", "rejection_reason"])
    _audit(actor, adaptation, "reject", reason=reason[:500])
    return adaptation


# ---------------------------------------------------------------- work order


@transaction.atomic
def adaptation_order(*, actor, adaptation: Adaptation, contractor: Contractor, budget) -> Adaptation:
    """The work order: a contractor in contract and a budget within the case's cap."""
    adaptation = _locked(adaptation, actor, states=(S.ASSESSED,), capability="adaptation_manage")
    if contractor is None or not contractor.active:
        raise DomainError(_("请选择在约的施工单位。"))
    budget = _amount(budget, _("工单预算"))
    problem = rules.budget_problem(budget=budget, cap=adaptation.cap)
    if problem == "over_cap":
        raise DomainError(
            _("工单预算 %(b)s 元超过补助上限 %(c)s 元。") % {"b": f"{budget:,.2f}", "c": f"{adaptation.cap:,.2f}"}
        )
    if problem:
        raise DomainError(_("工单预算应为大于 0 的金额（精确到分）。"))
    today = clock.today()
    adaptation.state, adaptation.contractor, adaptation.budget = S.ORDERED, contractor, budget
    adaptation.ordered_by, adaptation.ordered_at = actor, timezone.now()
    adaptation.work_due = step_due(S.ORDERED, today, _values(adaptation.region_id, today))
    adaptation.save(update_fields=["state", "contractor", "budget", "ordered_by", "ordered_at", "work_due"])
    _audit(actor, adaptation, "order", contractor=contractor.pk, budget=budget, due=adaptation.work_due)
    return adaptation


# ---------------------------------------------------------------- completion with photos


def _photo_type(uploaded) -> str:
    content_type = document_check(uploaded)  # the core's check: extension, size, magic bytes, a real parser
    if content_type not in PHOTO_TYPES:
        raise DomainError(_("完工照片只接受 JPG、PNG 图片。"))
    return content_type


def _photo(adaptation: Adaptation, uploaded, content_type: str, actor) -> AdaptationPhoto:
    photo = AdaptationPhoto(
        adaptation=adaptation,
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=actor,
    )
    photo.file.save(uploaded.name, uploaded, save=False)
    photo.save()
    return photo


@transaction.atomic
def adaptation_complete(*, actor, adaptation: Adaptation, photos, actual_cost, note: str = "") -> Adaptation:
    """The contractor has finished: the actual cost (at most the budget) and at least one photo."""
    adaptation = _locked(adaptation, actor, states=(S.ORDERED,), capability="adaptation_manage")
    photos = [p for p in photos or [] if p]
    if not photos:
        raise DomainError(_("请上传至少一张完工照片。"))
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("完工照片最多 %(n)d 张。") % {"n": MAX_PHOTOS})
    cost = _amount(actual_cost, _("实际费用"))
    problem = rules.payment_problem(amount=cost, budget=adaptation.budget)
    if problem == "over_budget":
        raise DomainError(
            _("实际费用 %(a)s 元超过工单预算 %(b)s 元；超出部分不予补助，请按预算内金额填写或说明。")
            % {"a": f"{cost:,.2f}", "b": f"{adaptation.budget:,.2f}"}
        )
    if problem:
        raise DomainError(_("实际费用应为大于 0 的金额（精确到分）。"))
    types = [_photo_type(uploaded) for uploaded in photos]  # all checked before any is stored
    saved = [_photo(adaptation, uploaded, t, actor) for uploaded, t in zip(photos, types, strict=True)]
    today = clock.today()
    adaptation.state, adaptation.completed_at, adaptation.completed_by = S.COMPLETED, timezone.now(), actor
    adaptation.actual_cost, adaptation.completion_note = cost, (note or "").strip()[:500]
    adaptation.accept_due = step_due(S.COMPLETED, today, _values(adaptation.region_id, today))
    adaptation.save(
        update_fields=["state", "completed_at", "completed_by", "actual_cost", "completion_note", "accept_due"]
    )
    _audit(
        actor,
        adaptation,
        "complete",
        actual_cost=cost,
        photos=[p.original_name for p in saved],
        late=today > adaptation.work_due,
        due=adaptation.accept_due,
    )
    return adaptation


# ---------------------------------------------------------------- acceptance and payment


@transaction.atomic
def adaptation_accept(*, actor, adaptation: Adaptation, note: str = "") -> Adaptation:
    """Acceptance on site by a person other than the one who ordered the work (the database checks it too)."""
    adaptation = _locked(adaptation, actor, states=(S.COMPLETED,), capability="adaptation_accept")
    if adaptation.ordered_by_id == actor.pk:
        raise DomainError(_("派单人不能验收自己派出的工单，请由另一名工作人员验收。"))
    today = clock.today()
    adaptation.state, adaptation.accepted_by, adaptation.accepted_at = S.ACCEPTED, actor, timezone.now()
    adaptation.acceptance_note = (note or "").strip()[:500]
    adaptation.pay_due = step_due(S.ACCEPTED, today, _values(adaptation.region_id, today))
    adaptation.save(update_fields=["state", "accepted_by", "accepted_at", "acceptance_note", "pay_due"])
    _audit(actor, adaptation, "accept", note=adaptation.acceptance_note, due=adaptation.pay_due)
    return adaptation


@transaction.atomic
def adaptation_send_back(*, actor, adaptation: Adaptation, note: str) -> Adaptation:
    """Not accepted: back to the contractor (施工中) with what to put right; the photos stay on file."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("验收不通过须填写整改要求。"))
    adaptation = _locked(adaptation, actor, states=(S.COMPLETED,), capability="adaptation_accept")
    if adaptation.ordered_by_id == actor.pk:
        raise DomainError(_("派单人不能验收自己派出的工单，请由另一名工作人员验收。"))
    today = clock.today()
    adaptation.state, adaptation.completed_at, adaptation.accept_due = S.ORDERED, None, None
    adaptation.work_due = step_due(S.ORDERED, today, _values(adaptation.region_id, today))
    adaptation.save(update_fields=["state", "completed_at", "accept_due", "work_due"])
    _audit(actor, adaptation, "send_back", note=note[:500], due=adaptation.work_due)
    return adaptation


@transaction.atomic
def adaptation_pay(*, actor, adaptation: Adaptation, amount=None, reference: str = "") -> Adaptation:
    """The payment to the contractor: by default the actual cost; never above the budget."""
    adaptation = _locked(adaptation, actor, states=(S.ACCEPTED,), capability="adaptation_accept")
    amount = adaptation.actual_cost if amount in (None, "") else _amount(amount, _("支付金额"))
    problem = rules.payment_problem(amount=amount, budget=adaptation.budget)
    if problem == "over_budget":
        raise DomainError(
            _("支付金额 %(a)s 元超过工单预算 %(b)s 元。") % {"a": f"{amount:,.2f}", "b": f"{adaptation.budget:,.2f}"}
        )
    if problem:
        raise DomainError(_("支付金额应为大于 0 的金额（精确到分）。"))
    adaptation.state, adaptation.paid_amount, adaptation.paid_by = S.PAID, amount, actor
    adaptation.paid_at, adaptation.payment_reference = timezone.now(), (reference or "").strip()[:50]
    adaptation.save(update_fields=["state", "paid_amount", "paid_by", "paid_at", "payment_reference"])
    _audit(actor, adaptation, "pay", amount=amount, reference=adaptation.payment_reference)
    return adaptation


# ---------------------------------------------------------------- ability assessment requests (portal)


@transaction.atomic
def assessment_request(*, resident, person: Person) -> AssessmentRequest:
    """A resident asks for an ability assessment for themselves or an elder of their household."""
    if not getattr(resident, "is_verified_resident", False):
        raise DomainError(_("请先完成实名核验后再申请。"))
    own = household_for_resident(resident)
    mine = person.pk == resident.person_id or (
        own is not None and HouseholdMember.objects.filter(household=own, person=person).exists()
    )
    if not getattr(resident, "is_resident", False) or not mine:
        raise DomainError(_("只能为本人或本户的老人申请。"))
    if age_on(person.birth_date, clock.today()) < rules.ADAPTATION_MIN_AGE:
        raise DomainError(_("能力评估面向60周岁以上老人。"))
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if AssessmentRequest.objects.filter(person=person, state=AssessmentRequest.State.REQUESTED).exists():
        raise DomainError(_("%(name)s 已有待评估的申请。") % {"name": person.name})
    today = clock.today()
    values = _values(person.residence_region_id, today)
    request = AssessmentRequest.objects.create(
        person=person,
        region_id=person.residence_region_id,
        requested_by=resident,
        requested_at=timezone.now(),
        due=step_due(S.APPLIED, today, values),  # the same 10 working days as an adaptation's assessment
    )
    audit_record(
        actor=resident,
        action=AuditEvent.Action.CREATE,
        target=request,
        region_code=request.region_id,
        changes={"person": person.pk, "due": request.due},
    )
    return request


@transaction.atomic
def assessment_request_done(
    *, actor, request: AssessmentRequest, level: int, assessor: str, assessed_on: dt.date, score: int | None = None
) -> AssessmentRequest:
    """The caseworker records the assessment (homecare.assessment_record) and the request is done."""
    request = AssessmentRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    if not in_jurisdiction(actor, request.region_id):
        raise DomainError(_("该申请不在您的管辖范围内。"))
    if request.state != AssessmentRequest.State.REQUESTED:
        raise DomainError(_("该评估申请已办结。"))
    assessment = homecare.assessment_record(
        actor=actor, person=request.person, level=level, assessor=assessor, assessed_on=assessed_on, score=score
    )
    request.state, request.assessment = AssessmentRequest.State.DONE, assessment
    request.save(update_fields=["state", "assessment"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=request,
        region_code=request.region_id,
        changes={"step": "done", "assessment": assessment.pk, "level": level},
    )
    return request
