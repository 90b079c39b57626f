"""Government-purchased home care (政府购买居家养老服务): ability assessments,
eligibility and the month's allowance, orders to contracted providers, visits
checked in and out by the provider's worker (flagged for review, never
refused), missed visits with a reason, reviews and corrections after lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.areas import price_linkage_groups
from civil_affairs.models import AuditEvent, HouseholdMember, Person, Role
from civil_affairs.months import add_months, next_month_start
from civil_affairs.parameters import parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.rules import age_on
from civil_affairs.selectors import in_jurisdiction
from civil_affairs.services import DomainError, audit_record
from relief.selectors.low_income import is_marginal

from .. import rules
from ..models import AbilityLevel, Assessment, HomeCareOrder, Provider, ServiceItem, Visit
from ..parameters import with_defaults

POOR_GROUPS = ("dibao", "tekun")  # relief's covered groups, read through the core's registry
FLAG_LABELS = {
    "outside_window": _("不在计划时段内签到/签退"),
    "unconfirmed": _("老人未确认"),
    "reported_by_elder": _("老人反映未上门或未按记录服务"),
}


def _values(region_code: str, on: dt.date) -> dict[str, Decimal]:
    return with_defaults(parameters_in_force(region_code, on))


def provider_of(user) -> Provider | None:
    """The provider a staff user is bound to (ProviderMember), or None."""
    member = getattr(user, "eldercare_provider", None) if getattr(user, "is_authenticated", False) else None
    return member.provider if member is not None else None


# ---------------------------------------------------------------- assessment


@transaction.atomic
def assessment_record(
    *, actor, person: Person, level: int, assessor: str, assessed_on: dt.date, score: int | None = None
) -> Assessment:
    if not has_capability(actor, "homecare_manage"):
        raise DomainError(_("您没有登记能力评估的权限。"))
    if level not in AbilityLevel.values:
        raise DomainError(_("请选择评估等级（能力完好至完全失能）。"))
    assessor = (assessor or "").strip()
    if not assessor:
        raise DomainError(_("请填写评估员姓名。"))
    if assessed_on > timezone.localdate():
        raise DomainError(_("评估日期不能晚于今天。"))
    months = int(_values(person.residence_region_id, assessed_on)["assessment_valid_months"])
    assessment = Assessment.objects.create(
        person=person,
        level=level,
        score=score,
        assessor=assessor,
        assessed_on=assessed_on,
        valid_until=add_months(assessed_on, months),
        region_id=person.residence_region_id,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=assessment,
        changes={
            "level": level,
            "assessor": assessor,
            "assessed_on": assessed_on,
            "valid_until": assessment.valid_until,
        },
    )
    return assessment


def assessment_in_force(person_id: int, on: dt.date) -> Assessment | None:
    return (
        Assessment.objects.filter(person_id=person_id, assessed_on__lte=on, valid_until__gt=on)
        .order_by("-assessed_on", "-id")
        .first()
    )


# ---------------------------------------------------------------- eligibility


def is_poor(person_id: int, month: dt.date) -> bool:
    """On dibao or tekun this month: relief's covered groups, through the core's registry."""
    groups = [g for g in price_linkage_groups() if g.key in POOR_GROUPS]
    if not groups:
        return False
    union = " UNION ALL ".join(
        f"SELECT g.person_id FROM ({g.select()}) AS g(person_id, region_id, bank_account)" for g in groups
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM ({union}) u WHERE u.person_id = %(person)s)",
            {"month": month, "person": person_id},
        )
        return cursor.fetchone()[0]


def living_alone(person_id: int) -> bool:
    member = HouseholdMember.objects.filter(person_id=person_id).only("household_id").first()
    return member is not None and HouseholdMember.objects.filter(household_id=member.household_id).count() == 1


def eligibility(person: Person, month: dt.date) -> tuple[str, Decimal] | None:
    """(group, allowance) for the month, from the registry, relief (dibao, tekun, marginal) and the assessment
    in force."""
    if person.death_date is not None and person.death_date < month:
        return None
    end = next_month_start(month) - dt.timedelta(days=1)
    assessment = assessment_in_force(person.pk, month)
    return rules.homecare_allowance(
        age=age_on(person.birth_date, end),
        poor=is_poor(person.pk, month),
        marginal=is_marginal(person.pk, month),
        living_alone=living_alone(person.pk),
        level=assessment.level if assessment else None,
        values=_values(person.residence_region_id, month),
    )


# ---------------------------------------------------------------- orders and visits


@transaction.atomic
def order_create(*, actor, person: Person, provider: Provider, month: dt.date) -> HomeCareOrder:
    if not has_capability(actor, "homecare_manage"):
        raise DomainError(_("您没有派发居家养老服务工单的权限。"))
    if not in_jurisdiction(actor, person.residence_region_id):
        raise DomainError(_("该老人不在您的管辖范围内。"))
    if not provider.active:
        raise DomainError(_("该服务组织已不在约，不能派单。"))
    found = eligibility(person, month)
    if found is None:
        raise DomainError(
            _(
                "%(name)s 不符合政府购买居家养老服务条件（60周岁以上的低保、低保边缘、特困老人，80周岁以上独居老人，或经评估中度失能以上）。"
            )
            % {"name": person.name}
        )
    if HomeCareOrder.objects.filter(person=person, month=month).exists():
        raise DomainError(_("%(name)s 本月已有服务工单。") % {"name": person.name})
    group, allowance = found
    order = HomeCareOrder.objects.create(
        person=person,
        provider=provider,
        month=month,
        group=group,
        allowance=allowance,
        region_id=person.residence_region_id,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=order,
        changes={"provider": provider.pk, "month": month.strftime("%Y-%m"), "group": group, "allowance": allowance},
    )
    return order


@transaction.atomic
def visit_plan(*, actor, order: HomeCareOrder, start: dt.datetime, end: dt.datetime) -> Visit:
    if not (has_capability(actor, "homecare_manage") or provider_of(actor) == order.provider):
        raise DomainError(_("您不能为该工单安排上门服务。"))
    if end <= start:
        raise DomainError(_("计划结束时间应晚于开始时间。"))
    if start.date().replace(day=1) != order.month:
        raise DomainError(_("上门时间应在工单的服务月份内。"))
    visit = Visit.objects.create(
        order=order, provider=order.provider, month=order.month, planned_start=start, planned_end=end
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=visit, region_code=order.region_id)
    return visit


def _worker_visit(actor, visit: Visit) -> Visit:
    """The visit under FOR UPDATE, checked: the actor works for its provider; not locked."""
    if provider_of(actor) is None or provider_of(actor).pk != visit.provider_id:
        raise DomainError(_("只有该服务组织的服务人员才能签到签退。"))
    visit = Visit.objects.select_for_update().select_related("order").get(pk=visit.pk)
    if visit.locked:
        raise DomainError(_("该服务记录已结算锁定；如需更正，请填写原因并由审核人确认。"))
    return visit


@transaction.atomic
def visit_check_in(*, actor, visit: Visit, at: dt.datetime | None = None) -> Visit:
    visit = _worker_visit(actor, visit)
    if visit.status != Visit.Status.PLANNED:
        raise DomainError(_("该上门服务已签到或已结束。"))
    visit.checked_in_at, visit.worker, visit.status = at or timezone.now(), actor, Visit.Status.IN_PROGRESS
    visit.save(update_fields=["checked_in_at", "worker", "status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={"step": "check_in", "at": visit.checked_in_at},
    )
    return visit


@transaction.atomic
def visit_check_out(
    *, actor, visit: Visit, quantities: dict[str, Decimal], elder_confirmed: bool, at: dt.datetime | None = None
) -> Visit:
    """Items done at the provider's prices; outside the window or unconfirmed: flagged for review."""
    visit = _worker_visit(actor, visit)
    if visit.status != Visit.Status.IN_PROGRESS:
        raise DomainError(_("请先签到再签退。"))
    prices = {i.code: i for i in ServiceItem.objects.filter(provider_id=visit.provider_id)}
    done = []
    for code, qty in quantities.items():
        qty = Decimal(qty or 0)
        if qty <= 0:
            continue
        if code not in prices:
            raise DomainError(_("服务项目“%(c)s”不在该组织的价格目录中。") % {"c": code})
        done.append(
            {"code": code, "name": prices[code].name, "qty": str(qty), "unit_price": str(prices[code].unit_price)}
        )
    if not done:
        raise DomainError(_("请至少填写一项已完成的服务内容。"))
    out = at or timezone.now()
    if out <= visit.checked_in_at:
        raise DomainError(_("签退时间应晚于签到时间。"))
    flags = rules.visit_flags(
        planned_start=visit.planned_start,
        planned_end=visit.planned_end,
        checked_in=visit.checked_in_at,
        checked_out=out,
        confirmed=elder_confirmed,
    )
    visit.checked_out_at, visit.items, visit.elder_confirmed = out, done, elder_confirmed
    visit.amount = rules.visit_amount([(Decimal(i["qty"]), Decimal(i["unit_price"])) for i in done])
    visit.status, visit.flagged, visit.flag_reasons = Visit.Status.DONE, bool(flags), flags
    visit.save(
        update_fields=["checked_out_at", "items", "elder_confirmed", "amount", "status", "flagged", "flag_reasons"]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={
            "step": "check_out",
            "at": out,
            "amount": visit.amount,
            "elder_confirmed": elder_confirmed,
            "flags": flags,
        },
    )
    return visit


@transaction.atomic
def visit_missed(*, actor, visit: Visit, reason: str) -> Visit:
    visit = _worker_visit(actor, visit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("未上门须填写原因。"))
    if visit.status not in (Visit.Status.PLANNED, Visit.Status.IN_PROGRESS):
        raise DomainError(_("该上门服务已结束，不能登记为未上门。"))
    visit.status, visit.missed_reason, visit.amount = Visit.Status.MISSED, reason[:200], Decimal("0.00")
    visit.save(update_fields=["status", "missed_reason", "amount"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={"step": "missed", "reason": reason[:200]},
    )
    return visit


@transaction.atomic
def visit_review(*, actor, visit: Visit, accept: bool, note: str) -> Visit:
    """A caseworker decides on a flagged visit: accepted (paid) or rejected (not paid)."""
    if not has_capability(actor, "homecare_manage"):
        raise DomainError(_("您没有核查上门服务的权限。"))
    visit = Visit.objects.select_for_update().select_related("order").get(pk=visit.pk)
    if not in_jurisdiction(actor, visit.order.region_id):
        raise DomainError(_("该服务记录不在您的管辖范围内。"))
    if not visit.flagged:
        raise DomainError(_("该服务记录无需核查。"))
    if visit.locked:
        raise DomainError(_("该服务记录已结算锁定；如需更正，请填写原因并由审核人确认。"))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写核查意见。"))
    visit.flagged, visit.reviewed_by = False, actor
    if not accept:
        visit.status = Visit.Status.REJECTED
    visit.save(update_fields=["flagged", "reviewed_by", "status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={"step": "review", "outcome": "accept" if accept else "reject", "note": note[:500]},
    )
    return visit


@transaction.atomic
def visit_correct(*, actor, visit: Visit, amount: Decimal, reason: str, reviewer) -> Visit:
    """A correction after lock: a reason and a second person, a reviewer of the
    district, who confirms it.  The settlement, when not yet approved, is made again."""
    from .settlement import settlement_refresh

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("结算锁定后更正须填写原因。"))
    if not has_capability(actor, "homecare_manage"):
        raise DomainError(_("您没有更正服务记录的权限。"))
    if reviewer is None or reviewer.pk == actor.pk or reviewer.role not in (Role.REVIEWER, Role.BUREAU_ADMIN):
        raise DomainError(_("更正须由另一名审核人确认。"))
    visit = Visit.objects.select_for_update().select_related("order").get(pk=visit.pk)
    if not (in_jurisdiction(actor, visit.order.region_id) and in_jurisdiction(reviewer, visit.order.region_id)):
        raise DomainError(_("该服务记录不在您的管辖范围内。"))
    before = visit.amount
    visit.amount = Decimal(amount).quantize(Decimal("0.01"))
    visit.save(update_fields=["amount"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={"step": "correct", "amount": [before, visit.amount], "reason": reason[:500], "reviewer": reviewer.pk},
    )
    settlement_refresh(provider_id=visit.provider_id, month=visit.month)
    return visit


@transaction.atomic
def visit_report_by_elder(*, resident, visit: Visit, note: str) -> Visit:
    """The elder (the resident served) reports that a recorded visit did not
    happen as recorded: the visit is flagged for review, out of the settlement until reviewed."""
    visit = Visit.objects.select_for_update().select_related("order").get(pk=visit.pk)
    if resident.person_id is None or visit.order.person_id != resident.person_id:
        raise DomainError(_("只能反映本人的上门服务。"))
    if visit.locked:
        raise DomainError(_("该月服务已结算；请联系街道工作人员核实。"))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请简要说明情况。"))
    if "reported_by_elder" not in visit.flag_reasons:
        visit.flag_reasons = [*visit.flag_reasons, "reported_by_elder"]
    visit.flagged = True
    visit.save(update_fields=["flagged", "flag_reasons"])
    audit_record(
        actor=resident,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.order.region_id,
        changes={"step": "reported_by_elder", "note": note[:500]},
    )
    return visit
