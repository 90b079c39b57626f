"""Relief in the demo city: the demo standards (the holiday calendar is the
core's, seeded by seed_demo), the existing dibao roster (households the rules find eligible), and a handful of
open cases at every step in 金沙街道 for the demo caseworker."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from civil_affairs.demo import PERIOD_END
from civil_affairs.facts import Member, Record
from civil_affairs.models import AssetRecord, ExpenditureRecord, Household, HouseholdMember, IncomeRecord, Region, User
from civil_affairs.money import exact_decimal
from civil_affairs.months import add_months

from . import rules
from .models import Application, Benefit, Kind
from .services import applications as application_services
from .services.standards import standards_load_demo

AS_OF = PERIOD_END + dt.timedelta(days=1)  # the roster was assessed on the demo records' period end
CHUNK = 5000

CANDIDATES_SQL = """
WITH income AS (
    SELECT household_id,
           SUM(CASE WHEN kind = 'wages' THEN amount * 0.8
                    WHEN kind IN ('business', 'property', 'transfer') THEN amount ELSE 0 END) AS counted
    FROM civil_affairs_incomerecord GROUP BY household_id),
size AS (
    SELECT m.household_id, count(*) AS n
    FROM civil_affairs_householdmember m JOIN civil_affairs_person p ON p.id = m.person_id
    WHERE p.death_date IS NULL GROUP BY m.household_id)
SELECT size.household_id FROM size LEFT JOIN income USING (household_id)
WHERE COALESCE(income.counted, 0) / 12 / size.n < %s
  AND NOT EXISTS (SELECT 1 FROM civil_affairs_assetrecord a
                  WHERE a.household_id = size.household_id AND a.kind = 'vehicle')
  AND NOT EXISTS (SELECT 1 FROM relief_benefit b WHERE b.household_id = size.household_id)
  AND NOT EXISTS (SELECT 1 FROM relief_application ap WHERE ap.household_id = size.household_id)
ORDER BY size.household_id
"""


def _facts(household_ids: list[int]):
    """Members and records of many households in four queries, as rules.py values."""
    members, heads, regions = defaultdict(list), {}, {}
    for m in (
        HouseholdMember.objects.filter(household_id__in=household_ids)
        .select_related("person", "household")
        .order_by("id")
    ):
        p = m.person
        regions[m.household_id] = m.household.region_id
        if m.relation == HouseholdMember.Relation.HEAD:
            heads[m.household_id] = p.pk
        if p.death_date is None:
            members[m.household_id].append(
                Member(
                    person_id=p.pk,
                    name=p.name,
                    birth_date=p.birth_date,
                    disability_grade=p.disability_grade,
                    disability_type=p.disability_type,
                    labour_capacity=p.labour_capacity,
                    seriously_ill=p.serious_illness,
                )
            )
    records = {}
    for model in (IncomeRecord, AssetRecord, ExpenditureRecord):
        by_household = defaultdict(list)
        for r in model.objects.filter(household_id__in=household_ids).values_list(
            "household_id", "person_id", "kind", "amount", "period_start", "period_end"
        ):
            by_household[r[0]].append(Record(*r[1:]))
        records[model] = by_household
    return members, heads, regions, records


def _candidates(standards: rules.Standards) -> list[int]:
    """Households that look poor enough for dibao by a quick set-based test;
    rules.py then decides each one."""
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, [standards.dibao_standard])
        return [row[0] for row in cursor.fetchall()]


def load_roster(*, seed: int, standards: rules.Standards, progress) -> int:
    """The existing dibao roster: every household the rules find eligible on AS_OF
    (except those with a case open)."""
    rng = random.Random(f"relief-{seed}")
    candidates = _candidates(standards)
    created = 0
    for start in range(0, len(candidates), CHUNK):
        ids = candidates[start : start + CHUNK]
        members, heads, regions, records = _facts(ids)
        benefits = []
        for hid in ids:
            people = members.get(hid)
            if not people or hid not in heads:
                continue
            income = rules.per_capita_income(
                members=len(people), incomes=records[IncomeRecord][hid], on=AS_OF, standards=standards
            )
            assets = rules.asset_test(members=people, assets=records[AssetRecord][hid], on=AS_OF, standards=standards)
            result = rules.dibao(
                members=people, per_capita=income.per_capita_exact, assets=assets, on=AS_OF, standards=standards
            )
            if not result.eligible:
                continue
            started = add_months(AS_OF.replace(day=1), -rng.randrange(0, 24))
            stable = rules.stable_household(people, AS_OF)
            recheck = rules.next_recheck(start=started, stable=stable, standards=standards)
            while recheck < AS_OF:
                recheck = rules.next_recheck(start=recheck, stable=stable, standards=standards)
            benefits.append(
                Benefit(
                    household_id=hid,
                    recipient_id=heads[hid],
                    kind=Kind.DIBAO,
                    region_id=regions[hid],
                    monthly_amount=result.amount,
                    members=len(people),
                    start_month=started,
                    next_recheck=recheck,
                    stable=stable,
                    bank_name=_("农村商业银行"),
                    bank_account=f"6230{rng.randrange(10**14, 10**15)}",
                    # the basis, so the nightly recheck can recompute the amount when a standard changes
                    basis_standard=result.standard,
                    basis_per_capita=result.per_capita,
                    basis_monthly_income=exact_decimal(income.monthly_total),
                    basis_extras=len(result.extras),
                )
            )
        Benefit.objects.bulk_create(benefits, batch_size=CHUNK)
        created += len(benefits)
        progress(
            _("低保在册家庭 %(n)d 户（已核算 %(done)d / %(total)d 户候选）。")
            % {"n": created, "done": min(start + CHUNK, len(candidates)), "total": len(candidates)}
        )
    return created


def open_cases(*, seed: int, standards: rules.Standards) -> int:
    """A few cases at each step in the demo caseworker's street, made through
    the services; poor households first, so some reach the public notice."""
    worker = User.objects.filter(username="caseworker_jinsha").first()
    partner = User.objects.filter(username="caseworker_jinsha2").first()  # co-signs the home visits
    community = User.objects.filter(username="community_worker").first()
    if worker is None or partner is None or community is None:
        return 0
    poor = set(_candidates(standards))
    local = list(Household.objects.filter(region=community.region).order_by("id").values_list("id", flat=True))
    chosen = ([h for h in local if h in poor] + [h for h in local if h not in poor])[:10]
    households = sorted(Household.objects.filter(pk__in=chosen), key=lambda h: chosen.index(h.pk))
    # "visited": the home visit is recorded and awaits the second visitor's confirmation
    plan = [
        "notice",
        "notice",
        "proposed",
        "investigating",
        "visited",
        "accepted",
        "accepted",
        "submitted",
        "submitted",
        "temporary",
    ]
    made = 0
    for household, target in zip(households, plan):
        with transaction.atomic():
            kind = Kind.TEMPORARY if target == "temporary" else Kind.DIBAO
            app = application_services.application_create(
                actor=worker,
                household=household,
                kind=kind,
                reason=_("演示案件"),
                temporary_type=Application.TemporaryType.EMERGENCY if kind == Kind.TEMPORARY else "",
                requested_amount=Decimal("1500") if kind == Kind.TEMPORARY else None,
            )
            application_services.application_details_update(
                actor=worker,
                application=app,
                authorised_verification=True,
                bank_name=_("农村商业银行"),
                bank_account=f"62301{seed:04d}{household.pk:010d}"[:19],
            )
            application_services.application_submit(actor=worker, application=app)
            if target in ("submitted", "temporary"):
                made += 1
                continue
            app = application_services.application_accept(
                actor=worker,
                application=app,
                checklist={k: True for k in application_services.REQUIRED_DOCUMENTS[kind]},
            )
            if target != "accepted":
                visit = application_services.application_visit_record(
                    actor=worker,
                    application=app,
                    second_visitor=partner,
                    visited_on=app.accepted_on,
                    living_conditions=_("住房简陋，家电老旧"),
                    findings=_("申报情况基本属实"),
                )
                if target != "visited":
                    application_services.visit_confirm(actor=partner, visit=visit)
            if target in ("proposed", "notice"):
                app = application_services.application_propose(actor=worker, application=app, note=_("演示"))
                if target == "notice" and app.eligible:
                    application_services.application_notice_publish(actor=worker, application=app)
            made += 1
    return made


def seed_area(*, seed: int, progress) -> None:
    """Called by `seed_demo` after the city is loaded."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        return
    standards_load_demo(actor=None, region=city)
    progress(_("救助标准 %(n)d 项。") % {"n": len(rules.Standards.keys())})
    from .selectors.standards import standards_in_force

    standards = standards_in_force(city.code, AS_OF)
    cases = open_cases(seed=seed, standards=standards)
    roster = load_roster(seed=seed, standards=standards, progress=progress)
    progress(_("社会救助：低保在册 %(r)d 户，办理中案件 %(c)d 件。") % {"r": roster, "c": cases})
