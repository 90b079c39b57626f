"""Eldercare in the demo city, set-based (a few statements, whatever the size),
repeatable for a seed (rows are picked by md5(id, seed), never by random()):

- the parameter defaults at city level;
- institutions near Nantong's ratios (298 institutions and 87 000 beds for
  7.7 million people: one per ~26 000 people, ~290 beds each, 68 % nursing
  beds, 78 % of beds privately run, 81 % with medical capacity), ~65 % occupied
  by people aged 80+; a day-care centre per street run by an institution
  (chain model) serving the street's communities; meal points;
- home-care providers (three per district) with price lists, last month's
  orders for eligible elders (80+ living alone, or assessed moderate or worse)
  with four checked-in-and-out visits each;
- a month of meals at the meal points;
- last month's senior allowance (the batch itself) and home-care settlement."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.batches import analyze
from civil_affairs.models import HouseholdMember, Parameter, Person, Region
from civil_affairs.services import batchrun_create

from .models import (
    Assessment,
    Bed,
    Facility,
    HomeCareOrder,
    Institution,
    Meal,
    Provider,
    ServiceItem,
    Stay,
    Visit,
)
from .parameters import DEFAULTS, EFFECTIVE_FROM

_P, _R, _M = Person._meta.db_table, Region._meta.db_table, HouseholdMember._meta.db_table
_I, _B, _S, _F = Institution._meta.db_table, Bed._meta.db_table, Stay._meta.db_table, Facility._meta.db_table
_PR, _IT, _O, _V = (
    Provider._meta.db_table,
    ServiceItem._meta.db_table,
    HomeCareOrder._meta.db_table,
    Visit._meta.db_table,
)
_A, _ME = Assessment._meta.db_table, Meal._meta.db_table
_SERVES = Facility.serves.through._meta.db_table

H = "('x' || substr(md5(({col})::text || '-' || %(seed)s::text), 1, 8))::bit(32)::int"  # a stable hash per row and seed


def _h(col: str) -> str:
    return f"abs({H.format(col=col)})"


STATEMENTS = [
    # institutions: one per ~26 000 people, in streets picked by hash
    f"""INSERT INTO {_I} (name, filing_number, operator, star_grade, grade_score, grade_valid_until, medical, region_id)
    SELECT s.name || '第' || g.n || '养老院', 'YL' || s.code || lpad(g.n::text, 2, '0'),
           CASE WHEN {_h("s.code || g.n")} %% 100 < 22 THEN 'public'
                WHEN {_h("s.code || g.n")} %% 100 < 40 THEN 'public_private' ELSE 'private' END,
           ({_h("s.code || 's' || g.n")} %% 6), 600 + ({_h("s.code || 'g' || g.n")} %% 400),
           %(today)s::date + 365, CASE WHEN {_h("s.code || 'm' || g.n")} %% 100 < 24 THEN 'in_house'
                WHEN {_h("s.code || 'm' || g.n")} %% 100 < 81 THEN 'partner' ELSE 'none' END, s.code
    FROM {_R} s
    CROSS JOIN LATERAL generate_series(1, (CASE WHEN {_h("s.code")} %% 100 < 35 THEN 1 ELSE 0 END)
         + (SELECT count(*) FROM {_P} p WHERE p.residence_region_id LIKE substr(s.code, 1, 9) || '%%')::int / 26000)
         AS g(n)
    WHERE s.level = 4
    ON CONFLICT (filing_number) DO NOTHING""",
    # beds: 150–430 per institution, 68 % nursing
    f"""INSERT INTO {_B} (institution_id, room, number, kind, status)
    SELECT i.id, (100 + b.n / 2)::text, (1 + b.n %% 2)::text,
           CASE WHEN {_h("i.filing_number || '-' || b.n")} %% 100 < 68 THEN 'nursing' ELSE 'ordinary' END, 'free'
    FROM {_I} i CROSS JOIN LATERAL generate_series(0, 149 + {_h("i.filing_number")} %% 280) AS b(n)
    WHERE NOT EXISTS (SELECT 1 FROM {_B} x WHERE x.institution_id = i.id)""",
    # residents: people aged 80+ (living, not yet in a bed) into ~65 % of the free beds of their district
    f"""WITH free AS (
        SELECT b.id, b.institution_id, substr(i.region_id, 1, 6) AS d,
               row_number() OVER (PARTITION BY substr(i.region_id, 1, 6) ORDER BY {_h("i.filing_number || b.room || '-' || b.number")}, i.filing_number, b.room, b.number) AS k
        FROM {_B} b JOIN {_I} i ON i.id = b.institution_id
        WHERE b.status = 'free' AND {_h("i.filing_number || b.room || '-' || b.number")} %% 100 < 65
    ), old AS (
        SELECT p.id, substr(p.residence_region_id, 1, 6) AS d,
               row_number() OVER (PARTITION BY substr(p.residence_region_id, 1, 6) ORDER BY {_h("p.id_number")}, p.id_number) AS k
        FROM {_P} p
        WHERE p.birth_date < %(born80)s AND p.death_date IS NULL
          AND NOT EXISTS (SELECT 1 FROM {_S} s WHERE s.person_id = p.id AND s.state = 'admitted')
    ), placed AS (
        INSERT INTO {_S} (institution_id, bed_id, person_id, state, admitted_on, discharge_reason)
        SELECT f.institution_id, f.id, o.id, 'admitted', %(today)s::date - (30 + {_h("o.k")} %% 1500), ''
        FROM free f JOIN old o ON o.d = f.d AND o.k = f.k
        RETURNING bed_id
    )
    UPDATE {_B} b SET status = 'occupied' FROM placed WHERE b.id = placed.bed_id""",
    # a day-care centre per street run by one of the district's institutions (chain model), and meal points
    f"""INSERT INTO {_F} (kind, name, region_id, operator_id)
    SELECT 'day_care', s.name || '日间照料中心', s.code,
           (SELECT i.id FROM {_I} i WHERE i.region_id LIKE substr(s.code, 1, 6) || '%%' ORDER BY {_h("i.filing_number")} LIMIT 1)
    FROM {_R} s WHERE s.level = 4
      AND NOT EXISTS (SELECT 1 FROM {_F} f WHERE f.region_id = s.code AND f.kind = 'day_care')""",
    f"""INSERT INTO {_SERVES} (facility_id, region_id)
    SELECT f.id, c.code FROM {_F} f JOIN {_R} c ON c.parent_id = f.region_id
    WHERE f.kind = 'day_care' ON CONFLICT DO NOTHING""",
    f"""INSERT INTO {_F} (kind, name, region_id)
    SELECT 'meal_point', c.name || '长者食堂', c.code FROM {_R} c
    WHERE c.level = 5 AND {_h("c.code")} %% 100 < 6
      AND NOT EXISTS (SELECT 1 FROM {_F} f WHERE f.region_id = c.code AND f.kind = 'meal_point')""",
    # providers: three per district, with their price lists
    f"""INSERT INTO {_PR} (name, credit_code, region_id, bank_account, active)
    SELECT d.name || '居家养老服务社' || g.n, '52' || substr(d.code, 1, 6) || 'MJ' || lpad(g.n::text, 8, '0'),
           d.code, '6222' || substr(d.code, 1, 6) || lpad(g.n::text, 6, '0'), true
    FROM {_R} d CROSS JOIN generate_series(1, 3) AS g(n) WHERE d.level = 3
    ON CONFLICT (credit_code) DO NOTHING""",
    f"""INSERT INTO {_IT} (provider_id, code, name, unit_price)
    SELECT p.id, t.code, t.name, t.price FROM {_PR} p
    CROSS JOIN (VALUES ('clean', '助洁', 40.00), ('bath', '助浴', 60.00), ('meal', '助餐送餐', 15.00),
                       ('care', '陪护', 35.00)) AS t(code, name, price)
    ON CONFLICT (provider_id, code) DO NOTHING""",
    # assessments: 4 % of people aged 60+ assessed, levels spread over the five
    f"""INSERT INTO {_A} (person_id, level, score, assessor, assessed_on, valid_until, region_id, created_at)
    SELECT p.id, {_h("p.id_number || 'lv'")} %% 5, 20 + {_h("p.id_number || 'sc'")} %% 80, '评估员' || (1 + {_h("p.id_number")} %% 40),
           %(today)s::date - 60, %(today)s::date + 300, p.residence_region_id, now()
    FROM {_P} p WHERE p.birth_date < %(born60)s AND p.death_date IS NULL AND {_h("p.id_number || 'as'")} %% 100 < 4
      AND NOT EXISTS (SELECT 1 FROM {_A} a WHERE a.person_id = p.id)""",
    # last month's home-care orders: 80+ living alone, or assessed moderate or worse (a district's provider)
    f"""INSERT INTO {_O} (person_id, provider_id, month, "group", allowance, region_id, created_at)
    SELECT e.id, (SELECT pr.id FROM {_PR} pr WHERE pr.region_id = substr(e.residence_region_id, 1, 6) || '000000'
                  ORDER BY pr.credit_code OFFSET {_h("e.id_number")} %% 3 LIMIT 1),
           %(last)s, 'other', CASE WHEN e.lv >= 3 THEN 200 ELSE 100 END, e.residence_region_id, now()
    FROM (
        SELECT p.id, p.id_number, p.residence_region_id, max(a.level) AS lv
        FROM {_P} p LEFT JOIN {_A} a ON a.person_id = p.id
        WHERE p.birth_date < %(born60)s AND p.death_date IS NULL
          AND (a.level >= 2 OR (p.birth_date < %(born80)s AND
               (SELECT count(*) FROM {_M} m2 WHERE m2.household_id =
                   (SELECT m.household_id FROM {_M} m WHERE m.person_id = p.id LIMIT 1)) = 1))
        GROUP BY p.id, p.id_number, p.residence_region_id
    ) e
    ON CONFLICT (person_id, month) DO NOTHING""",
    # four visits each, checked in and out inside the window with the elder's confirmation
    f"""INSERT INTO {_V} (order_id, provider_id, month, planned_start, planned_end, checked_in_at, checked_out_at,
                        items, amount, elder_confirmed, status, flagged, flag_reasons, missed_reason, locked)
    SELECT o.id, o.provider_id, o.month, t.s, t.s + interval '1 hour', t.s + interval '3 minutes',
           t.s + interval '58 minutes',
           jsonb_build_array(jsonb_build_object('code', 'clean', 'name', '助洁', 'qty', '1', 'unit_price', '40.00')),
           40.00, true, 'done', false, '[]'::jsonb, '', false
    FROM {_O} o CROSS JOIN LATERAL (
        SELECT (o.month + (w * 7 + 1 + o.id %% 5) * interval '1 day' + interval '9 hours') AT TIME ZONE 'Asia/Shanghai'
        FROM generate_series(0, 3) AS w) AS t(s)
    WHERE o.month = %(last)s AND NOT EXISTS (SELECT 1 FROM {_V} v WHERE v.order_id = o.id)""",
    # a month of lunches at the meal points for the 60+ of their communities (a sample)
    f"""INSERT INTO {_ME} (point_id, person_id, date, meal, "group", subsidy)
    SELECT f.id, p.id, d.day, 2, 'general', 3.00
    FROM {_F} f JOIN {_P} p ON p.residence_region_id = f.region_id
    CROSS JOIN LATERAL (SELECT g::date FROM generate_series(%(last)s::date, %(this)s::date - 1, interval '1 day') AS g)
         AS d(day)
    WHERE f.kind = 'meal_point' AND p.birth_date < %(born60)s AND p.death_date IS NULL
      AND {_h("p.id_number || 'meal'")} %% 100 < 15 AND {_h("p.id_number || d.day::text")} %% 100 < 60
    ON CONFLICT (person_id, date, meal) DO NOTHING""",
]


def seed_area(*, seed: int, progress) -> None:
    """Called by `seed_demo` after the city is loaded."""
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        return
    for key, value in DEFAULTS.items():
        Parameter.objects.get_or_create(
            region=city, key=key, effective_from=dt.date.fromisoformat(EFFECTIVE_FROM), defaults={"value": value}
        )
    today = clock.today()
    this = today.replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    params = {
        "seed": seed,
        "today": today,
        "this": this,
        "last": last,
        "born80": dt.date(today.year - 80, today.month, 1),
        "born60": dt.date(today.year - 60, today.month, 1),
    }
    with connection.cursor() as cursor:
        for sql in STATEMENTS:
            cursor.execute(sql, params)
    analyze(Institution, Bed, Stay, Facility, Provider, ServiceItem, Assessment, HomeCareOrder, Visit, Meal)
    from .demo_adaptations import seed_adaptations  # home adaptations and family care beds

    seed_adaptations(seed=seed, progress=progress)
    from .services import allowance, settlement

    summary = allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": f"{last:%Y-%m}"}).pk)
    settled = settlement.settlement_run(
        run_id=batchrun_create(kind=settlement.KIND, params={"month": f"{last:%Y-%m}"}).pk
    )
    _seed_vulnerable(seed=seed, today=today, progress=progress)
    progress(
        _(
            "养老服务：机构 %(i)d 家、床位 %(b)d 张（入住 %(s)d 人），居家服务工单 %(o)d 件、上门 %(v)d 次，助餐 %(m)d 人次，尊老金 %(a)d 人，结算 %(p)d 家。"
        )
        % {
            "i": Institution.objects.count(),
            "b": Bed.objects.count(),
            "s": Stay.objects.filter(state="admitted").count(),
            "o": HomeCareOrder.objects.filter(month=last).count(),
            "v": Visit.objects.filter(month=last).count(),
            "m": Meal.objects.filter(date__gte=last, date__lt=this).count(),
            "a": (summary or {}).get("people", 0),
            "p": (settled or {}).get("providers", 0),
        }
    )


# ---------------------------------------------------------------- visits to the vulnerable elderly
# 计生特扶 feed rows for 0.5 % of the people aged 60+; the visit list built two weeks ago (the batch itself),
# then visits by the community worker (or the street's caseworker) of the elder's community: a first visit
# for 75 % within the first week, a second a week later for 55 % (the rest are overdue in the queues).

_VULNERABLE_STATEMENTS = [
    """INSERT INTO civil_affairs_feedrecord (kind, id_number, name, "key", event_date, detail, imported_at)
    SELECT 'fp_support', p.id_number, p.name,
           CASE WHEN {h} %% 2 = 0 THEN 'died' ELSE 'disabled' END || ':2018-01-01:', DATE '2018-01-01',
           jsonb_build_object('support_type', CASE WHEN {h} %% 2 = 0 THEN 'died' ELSE 'disabled' END,
                              'start', '2018-01-01', 'end_date', NULL), now()
    FROM civil_affairs_person p
    WHERE p.birth_date <= %(born60)s AND p.death_date IS NULL AND {h} %% 200 = 0
    ON CONFLICT (kind, id_number, "key") DO NOTHING""".format(h=_h("p.id_number || 'fp'")),
    # the visits: (entry, day) with the nearest community worker or caseworker above the community
    """INSERT INTO eldercare_vulnerablevisit (entry_id, person_id, region_id, visited_on, seen, checks, notes,
                                              on_time, visitor_id, relief_application, created_at)
    SELECT e.id, e.person_id, e.region_id, d.day, true,
           jsonb_build_object('health', CASE WHEN {h} %% 10 = 0 THEN 'concern' ELSE 'ok' END, 'home_safety', 'ok',
                              'food', 'ok', 'mood', CASE WHEN {h} %% 7 = 0 THEN 'concern' ELSE 'ok' END,
                              'hygiene', 'ok'),
           CASE WHEN {h} %% 10 = 0 THEN '血压偏高，已提醒按时服药' ELSE '身体尚可，居家安全' END,
           true, w.id, '', now()
    FROM eldercare_vulnerableelder e
    CROSS JOIN LATERAL (
        SELECT u.id FROM civil_affairs_user u JOIN civil_affairs_region r ON r.code = u.region_id
        WHERE u.role IN ('community_worker', 'caseworker') AND u.is_active AND e.region_id LIKE r.prefix || '%%'
        ORDER BY length(r.prefix) DESC, u.id LIMIT 1) w
    CROSS JOIN LATERAL (VALUES (e.listed_on + 4 + {h} %% 3, {h} %% 100 < 75),
                               (e.listed_on + 11 + {h} %% 2, {h} %% 100 < 55)) AS d(day, chosen)
    WHERE e.ended_on IS NULL AND d.chosen AND d.day <= %(today)s
      AND NOT EXISTS (SELECT 1 FROM eldercare_vulnerablevisit v WHERE v.entry_id = e.id)""".format(
        h=_h("e.person_id::text || 'visit'")
    ),
    """UPDATE eldercare_vulnerableelder e SET last_visit_on = v.last, next_due = v.last + 7
    FROM (SELECT entry_id, max(visited_on) AS last FROM eldercare_vulnerablevisit WHERE seen GROUP BY entry_id) v
    WHERE v.entry_id = e.id AND e.ended_on IS NULL AND e.last_visit_on IS DISTINCT FROM v.last""",
]


def _seed_vulnerable(*, seed: int, today: dt.date, progress) -> None:
    from .models import VulnerableElder, VulnerableVisit
    from .services import vulnerable

    params = {"seed": seed, "today": today, "born60": dt.date(today.year - 60, today.month, 1)}
    with connection.cursor() as cursor:
        cursor.execute(_VULNERABLE_STATEMENTS[0], params)
    day = today - dt.timedelta(days=13)
    vulnerable.visit_list_build_run(run_id=batchrun_create(kind=vulnerable.KIND, params={"date": day.isoformat()}).pk)
    with connection.cursor() as cursor:
        for sql in _VULNERABLE_STATEMENTS[1:]:
            cursor.execute(sql, params)
    analyze(VulnerableElder, VulnerableVisit)
    progress(
        _("养老服务：探访关爱对象 %(n)d 人，探访记录 %(v)d 次。")
        % {
            "n": VulnerableElder.objects.filter(ended_on__isnull=True).count(),
            "v": VulnerableVisit.objects.count(),
        }
    )
