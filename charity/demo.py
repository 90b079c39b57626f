"""Charity in the demo city, set-based (a handful of INSERT … SELECT statements,
fast at 400 000 households and the same for a seed):

- organisations: the city's 慈善总会 (a foundation with public-fundraising status),
  a 慈善协会 in every district, a 慈善分会 in every street/township and in about
  half the villages and communities;
- the named fund 张謇慈善基金, the yearly drive 慈善一日捐 (2025 and 2026) with
  plans filed, projects;
- about 50 donations per 100 households (heads as registered donors, a few
  companies and anonymous gifts), on the ledger;
- disbursements to relief households (read through relief's selectors),
  approved by a second person, so most organisations spend ≥ 70 % of last
  year's income; one district's association spends only half: in breach;
- the city's 2025 yearly receipts, issued by the batch."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from civil_affairs.models import Region, Role, User

from .models import Campaign, Disbursement, Donation, Donor, Fund, LedgerEntry, Organisation

GOVERNANCE_ALL = (
    '{"board_related_third": true, "no_close_relatives": true, "non_mainland_third": true, '
    '"legal_rep_mainland": true, "secretary_full_time": true, "full_time_staff": true, "supervisors": true, '
    '"rules_complete": true, "no_penalty": true}'
)
DRIVE_DAY = {2025: dt.date(2025, 6, 10), 2026: dt.date(2026, 6, 10)}


def _users():
    from civil_affairs import services as core

    maker = User.objects.filter(username="charity_staff").first()
    checker = User.objects.filter(username="charity_staff2").first()
    if maker is not None and checker is None:
        checker = core.staff_user_create(
            actor=None, username="charity_staff2", password="minzheng2026", role=Role.CHARITY_STAFF,
            region=maker.region, name="慈善组织复核人",
        )  # fmt: skip
    return maker, checker


def _organisations(city: Region) -> int:
    org = Organisation._meta.db_table
    with connection.cursor() as c:
        c.execute(
            f"""INSERT INTO {org} (name, region_id, org_type, registered_on, rating, recognition, recognised_on,
                    public_fundraising, public_fundraising_on, governance, net_assets_last_year, created_at)
                VALUES (%s, %s, 'foundation', '2012-05-01', 5, 'recognised', '2016-12-01', true, '2017-06-01',
                        %s::jsonb, 80000000, now())""",
            [f"{city.name}慈善总会", city.code, GOVERNANCE_ALL],
        )
        c.execute(
            f"""INSERT INTO {org} (name, region_id, org_type, registered_on, rating, recognition, recognised_on,
                    public_fundraising, public_fundraising_on, governance, net_assets_last_year, created_at)
                SELECT r.name || '慈善协会', r.code, 'social_group', '2014-03-01', 4, 'recognised', '2017-03-01',
                       true, '2018-03-01', %s::jsonb, 6000000, now()
                FROM civil_affairs_region r WHERE r.level = 3 AND r.code LIKE %s ORDER BY r.code
                ON CONFLICT (name) DO NOTHING""",
            [GOVERNANCE_ALL, city.prefix + "%"],
        )
        c.execute(
            f"""INSERT INTO {org} (name, region_id, org_type, registered_on, rating, recognition, recognised_on,
                    public_fundraising, governance, net_assets_last_year, created_at)
                SELECT p.name || r.name || '慈善分会', r.code, 'social_service', '2019-01-01', 0,
                       'recognised', '2020-01-01', false, '{{}}'::jsonb, 300000, now()
                FROM civil_affairs_region r JOIN civil_affairs_region p ON p.code = r.parent_id
                WHERE r.code LIKE %s AND (r.level = 4 OR (r.level = 5 AND ('x' || substr(md5(r.code), 1, 4))::bit(16)::int %% 2 = 0))
                ORDER BY r.code
                ON CONFLICT (name) DO NOTHING""",
            [city.prefix + "%"],
        )
        return c.rowcount


DONATIONS_SQL = """
WITH heads AS (
    SELECT h.id AS household_id, h.region_id, m.person_id, p.name, p.id_number,
           ('x' || substr(md5(%(seed)s || '-' || h.id), 1, 8))::bit(32)::bigint AS r
    FROM civil_affairs_household h
    JOIN civil_affairs_householdmember m ON m.household_id = h.id AND m.relation = 'head'
    JOIN civil_affairs_person p ON p.id = m.person_id
    WHERE h.region_id LIKE %(prefix)s
),
chosen AS (
    SELECT heads.*, CASE WHEN r %% 2 = 0 THEN %(city_org)s ELSE d.id END AS org_id,
           CASE WHEN r %% 3 = 0 THEN 2025 ELSE 2026 END AS year,
           (20 + (r / 7) %% 50 * 20)::numeric(14, 2) AS amount
    FROM heads JOIN {org} d ON d.region_id = substr(heads.region_id, 1, 6) || '000000'
    WHERE r %% 100 < 50
),
donors AS (
    INSERT INTO {donor} (organisation_id, kind, name, id_number, phone, person_id, key)
    SELECT DISTINCT org_id, 'person', name, id_number, '', person_id, 'id:' || id_number FROM chosen
    ON CONFLICT (organisation_id, key) DO NOTHING
    RETURNING id, organisation_id, key
)
INSERT INTO {donation} (organisation_id, donor_id, anonymous, kind, item, amount, received_on, campaign_id, fund_id,
                        project_id, transaction_id, receipt_declined, entered_by_id, created_at)
SELECT c.org_id, CASE WHEN c.r %% 97 = 0 THEN NULL ELSE dn.id END, c.r %% 97 = 0, 'money', '', c.amount,
       make_date(c.year, 6, 10) + (c.r %% 120)::int,
       camp.id, CASE WHEN camp.id IS NULL AND c.r %% 5 = 1 THEN fund.id END, NULL, '', c.r %% 41 = 0, %(actor)s, now()
FROM chosen c
JOIN donors dn ON dn.organisation_id = c.org_id AND dn.key = 'id:' || c.id_number
LEFT JOIN {campaign} camp ON camp.organisation_id = c.org_id AND camp.name = c.year || '年慈善一日捐'
LEFT JOIN {fund} fund ON fund.organisation_id = c.org_id AND fund.is_named
"""

LEDGER_SQL = """
INSERT INTO {ledger} (organisation_id, kind, amount, fund_id, project_id, campaign_id, donation_id, entered_on,
                      reason, created_by_id, created_at, reverses_id, transfer_group)
SELECT d.organisation_id, 'donation', d.amount, d.fund_id, d.project_id, d.campaign_id, d.id, d.received_on, '',
       d.entered_by_id, now(), NULL, NULL
FROM {donation} d WHERE NOT EXISTS (SELECT 1 FROM {ledger} e WHERE e.donation_id = d.id)
"""


def _donations(city: Region, city_org: Organisation, seed: int, actor) -> int:
    tables = {
        "org": Organisation._meta.db_table,
        "donor": Donor._meta.db_table,
        "donation": Donation._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "fund": Fund._meta.db_table,
        "ledger": LedgerEntry._meta.db_table,
    }
    with connection.cursor() as c:
        c.execute(
            DONATIONS_SQL.format(**tables),
            {
                "seed": str(seed),
                "prefix": city.prefix + "%",
                "city_org": city_org.pk,
                "actor": actor.pk if actor else None,
            },
        )
        n = c.rowcount
        c.execute(LEDGER_SQL.format(**tables))
    return n


def _setup(city_org: Organisation, districts: list[Organisation], actor) -> None:
    from . import services

    services.fund_create(actor=actor, org=city_org, name="张謇慈善基金", is_named=True)
    for org in [city_org, *districts]:
        for year in (2025, 2026):
            drive = services.campaign_create(
                actor=actor, org=org, name=f"{year}年慈善一日捐", starts_on=dt.date(year, 6, 1),
                ends_on=dt.date(year, 12, 31),
            )  # fmt: skip
            services.plan_file(
                actor=actor,
                campaign=drive,
                filed_on=dt.date(year, 5, 20),
                record_number=f"{org.region_id[:6]}{year}MJ001",
            )
    services.project_create(actor=actor, org=city_org, name="困境儿童助学", starts_on=dt.date(2025, 1, 1))
    services.project_create(
        actor=actor, org=city_org, name="低保家庭大病救助", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2026, 12, 31)
    )


def _relief_households(limit: int) -> list[tuple[int, str]]:
    """Households on the minimum living allowance, read through relief's scoped selector."""
    try:
        from relief.selectors.applications import benefit_list_for_user
    except ImportError:
        return []
    admin = User.objects.filter(role=Role.BUREAU_ADMIN, region__level=Region.Level.CITY).order_by("pk").first()
    if admin is None:
        return []
    return list(
        benefit_list_for_user(admin)
        .order_by("household_id")
        .values_list("household_id", "household__region_id")[:limit]
    )


def _spend(orgs: list[Organisation], maker, checker, breach: Organisation | None) -> int:
    """2026 spending: relief households helped by the city, then each organisation's
    spending topped up to 80 % of its 2025 income (50 % for the one in breach),
    and a management cost of 5 % where the cost exceeds the 200 000 yuan exemption."""
    from .selectors import yearly_figures

    figures = yearly_figures([o.pk for o in orgs])
    made = 0
    city_org = orgs[0]
    households = _relief_households(2000)
    rows = [
        Disbursement(
            organisation=city_org,
            beneficiary_kind="household",
            household_id=h,
            region_id=region,
            amount=500,
            purpose="低保家庭节日慰问",
            paid_on=dt.date(2026, 2, 1),
            status="approved",
            proposed_by=maker,
            decided_by=checker,
        )  # fmt: skip
        for h, region in households
    ]
    for org in orgs:
        f = figures.get(org.pk, {})
        last = f.get(2025)
        if last is None or not last.income:
            continue
        share = 0.5 if org == breach else 0.8
        target = (last.income * type(last.income)(share)).quantize(type(last.income)("0.01"))
        already = sum(d.amount for d in rows if d.organisation_id == org.pk)
        if target > already:
            rows.append(
                Disbursement(
                    organisation=org,
                    beneficiary_kind="organisation",
                    beneficiary_name="辖区养老院和儿童福利机构",
                    amount=target - already,
                    purpose="慈善项目支出",
                    paid_on=dt.date(2026, 9, 1),
                    status="approved",
                    proposed_by=maker,
                    decided_by=checker,
                )  # fmt: skip
            )
    rows = Disbursement.objects.bulk_create(rows, batch_size=2000)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(organisation_id=d.organisation_id, kind="disbursement", amount=-d.amount, disbursement=d,
                        entered_on=d.paid_on, reason=d.purpose, created_by=checker)
            for d in rows
        ],
        batch_size=2000,
    )  # fmt: skip
    made += len(rows)
    costs = []
    for org in orgs:
        last = figures.get(org.pk, {}).get(2025)
        if last is not None and last.income:
            cost = (last.income * type(last.income)("0.05")).quantize(type(last.income)("0.01"))
            costs.append(LedgerEntry(organisation=org, kind="management_cost", amount=-cost, entered_on=dt.date(2026, 10, 1),
                                     reason="人员和办公费用", created_by=maker))  # fmt: skip
    LedgerEntry.objects.bulk_create(costs)
    return made


def seed_area(*, seed: int, progress) -> None:
    """Called by `seed_demo` after the city is loaded; does nothing if charity data exists."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None or Organisation.objects.exists():
        return
    from . import batch, services

    maker, checker = _users()
    with transaction.atomic():
        _organisations(city)
        city_org = Organisation.objects.get(region=city, org_type="foundation")
        districts = list(Organisation.objects.filter(region__level=Region.Level.COUNTY).order_by("region_id"))
        if maker is not None:
            services.staff_bind(actor=None, user=maker, organisation=city_org)
            services.staff_bind(actor=None, user=checker, organisation=city_org)
        _setup(city_org, districts, maker)
        n = _donations(city, city_org, seed, maker)
        breach = districts[0] if districts else None
        spent = _spend([city_org, *districts], maker, checker, breach) if maker is not None else 0
    with connection.cursor() as c:
        c.execute("ANALYZE charity_donation, charity_donor, charity_ledgerentry, charity_ledgertotal")
    run = batch.receipts_start(org=city_org, year=2025)
    batch.receipts_run(run_id=run.pk)
    progress(
        _("慈善：组织 %(o)d 家，捐赠 %(n)d 笔，慈善支出 %(s)d 笔；%(b)s 慈善活动支出未达上年收入的70%%（示例）。")
        % {"o": Organisation.objects.count(), "n": n, "s": spent, "b": breach.name if breach else "—"}
    )


__all__ = ["seed_area"]
