"""Home adaptations and family care beds in the demo city, set-based and
repeatable for a seed (rows picked by md5(id, seed)), in proportion to the
seed reports: Suzhou did 10 135 adaptations in a year for ~13 million people
(~0.4 % of people aged 60+ a year), Yizheng has 105 family care beds for
~0.5 million people (~0.1 % of people aged 60+).

- one contractor per district;
- adaptations for ~0.4 % of people aged 60+ and care beds for ~0.1 % of people
  aged 80+, applied over the last year; each case goes as far along
  (assessed 6 days after applying, ordered 3 days later, completed 20 days
  later, accepted 3 days later, paid 7 days later) as today allows, except
  ~10 % stalled at their step (overdue in the list) and ~5 % refused at
  assessment; deadlines from the core's working-day calendar;
- the group and cap from relief's covered groups (dibao/tekun: 5 000, else 3 000);
- a needs list of two lines per assessed case; budget = min(estimate, cap);
  acceptance by a reviewer, the order by a caseworker (two people)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import price_linkage_groups
from civil_affairs.calendar import add_working_days, calendar_exceptions
from civil_affairs.models import Person, Region, Role, User
from civil_affairs.parameters import parameters_in_force

from .models import Adaptation, AdaptationNeed, Contractor
from .parameters import with_defaults
from .services.homecare import POOR_GROUPS

_P, _R, _U = Person._meta.db_table, Region._meta.db_table, User._meta.db_table
_C, _A, _N = Contractor._meta.db_table, Adaptation._meta.db_table, AdaptationNeed._meta.db_table
H = "abs(('x' || substr(md5(({col})::text || '-' || %(seed)s::text), 1, 8))::bit(32)::int)"

# (item, unit cost) per kind; a case takes two lines picked by its hash
ITEMS = {
    "adaptation": [
        ("卫生间扶手", 350),
        ("淋浴椅", 280),
        ("防滑地面处理", 1200),
        ("紧急呼叫器", 450),
        ("坐便器改造", 900),
        ("床边护栏", 320),
        ("无障碍坡道", 1600),
        ("感应夜灯", 120),
    ],
    "care_bed": [("电动护理床", 2600), ("智能监测设备", 800), ("防压疮床垫", 650), ("紧急呼叫器", 450)],
}


def _h(col: str) -> str:
    return H.format(col=col)


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + "]"


# Two lines per case picked by the person's hash: (item, quantity 1–2, unit cost); the estimate is their sum.
NEEDS_LINES = (
    "SELECT lists.items[1 + (({h} + line.n) %% cardinality(lists.items))] AS item, "
    "1 + ({hn} %% 2) AS qty, lists.costs[1 + (({h} + line.n) %% cardinality(lists.costs))]::numeric AS cost "
    "FROM (VALUES (0), (1)) AS line(n), "
    "(SELECT CASE WHEN {kind} = 'care_bed' THEN "
    + _array([i for i, _c in ITEMS["care_bed"]])
    + " ELSE "
    + _array([i for i, _c in ITEMS["adaptation"]])
    + " END AS items, CASE WHEN {kind} = 'care_bed' THEN "
    + _array([c for _i, c in ITEMS["care_bed"]])
    + " ELSE "
    + _array([c for _i, c in ITEMS["adaptation"]])
    + " END AS costs) AS lists"
)
NEEDS_TOTAL = "SELECT sum(l.qty * l.cost) FROM (" + NEEDS_LINES.replace("{person}", "") + ") AS l"


def seed_adaptations(*, seed: int, progress) -> None:
    today = clock.today()
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        return
    values = with_defaults(parameters_in_force(city.code, today))
    first = today - dt.timedelta(days=400)
    exceptions = calendar_exceptions(first, today + dt.timedelta(days=120))
    # per day of the year: its +N working days for each step that counts working days (the core's calendar)
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    wd = {
        key: [add_working_days(d, int(values[key]), exceptions) for d in days]
        for key in (
            "adaptation_assess_working_days",
            "adaptation_order_working_days",
            "adaptation_accept_working_days",
            "adaptation_pay_working_days",
        )
    }
    maker = User.objects.filter(role=Role.CASEWORKER).order_by("id").values_list("id", flat=True).first()
    checker = User.objects.filter(role=Role.REVIEWER).order_by("id").values_list("id", flat=True).first()
    groups = [g for g in price_linkage_groups() if g.key in POOR_GROUPS]
    poor = (
        " UNION ".join(
            f"SELECT g.person_id FROM ({g.select()}) AS g(person_id, region_id, bank_account)" for g in groups
        )
        if groups
        else "SELECT NULL::bigint AS person_id WHERE false"
    )
    params = {
        "seed": seed,
        "today": today,
        "month": today.replace(day=1),
        "born60": dt.date(today.year - 60, today.month, 1),
        "born80": dt.date(today.year - 80, today.month, 1),
        "cap_poor": values["adaptation_cap_poor"],
        "cap_other": values["adaptation_cap_other"],
        "work_days": int(values["adaptation_work_days"]),
        "days": days,
        "assess": wd["adaptation_assess_working_days"],
        "order": wd["adaptation_order_working_days"],
        "accept": wd["adaptation_accept_working_days"],
        "pay": wd["adaptation_pay_working_days"],
        "maker": maker,
        "checker": checker,
        "top": "paid" if maker and checker else "completed",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_C} (name, credit_code, region_id, phone, bank_account, active)
            SELECT r.name || '适老化改造服务中心', '91' || substr(r.code, 1, 6) || 'MAAD0001', r.code,
                   '0513-8' || substr(r.code, 4, 3) || '0000', '62220000' || substr(r.code, 1, 6) || '0001', true
            FROM {_R} r WHERE r.level = 3 ON CONFLICT (credit_code) DO NOTHING""",
        )
        if Adaptation.objects.exists():  # seeded already: a rerun adds nothing
            return
        cursor.execute(
            f"""
            WITH poor AS MATERIALIZED ({poor}), cal AS (
                SELECT * FROM unnest(%(days)s::date[], %(assess)s::date[], %(order)s::date[], %(accept)s::date[],
                                     %(pay)s::date[]) AS c(day, assess, ordr, accept, pay)
            ), picked AS (
                SELECT p.id, p.residence_region_id AS region,
                       CASE WHEN p.birth_date < %(born80)s AND {_h("p.id || 'bed'")} %% 1000 < 1 THEN 'care_bed'
                            ELSE 'adaptation' END AS kind,
                       {_h("p.id || 'ad'")} AS h
                FROM {_P} p
                WHERE p.birth_date < %(born60)s AND p.death_date IS NULL
                  AND ({_h("p.id || 'ad'")} %% 1000 < 4
                       OR (p.birth_date < %(born80)s AND {_h("p.id || 'bed'")} %% 1000 < 1))
            ), timed AS (
                SELECT pk.*, (%(today)s::date - 1 - (pk.h %% 365))::date AS applied,
                       (pk.h / 7) %% 20 AS fate  -- 0, 1: stalled at their step; 2: refused at assessment
                FROM picked pk
            ), steps AS (
                SELECT t.*, t.applied + 6 AS assessed, t.applied + 9 AS ordered, t.applied + 29 AS completed,
                       t.applied + 32 AS accepted, t.applied + 39 AS paid
                FROM timed t
            ), staged AS (
                SELECT s.*,
                       CASE
                         WHEN s.fate = 2 AND s.assessed <= %(today)s THEN 'rejected'
                         WHEN s.paid <= %(today)s AND s.fate > 1 AND %(top)s = 'paid' THEN 'paid'
                         WHEN s.accepted <= %(today)s AND s.fate > 1 AND %(top)s = 'paid' THEN 'accepted'
                         WHEN s.completed <= %(today)s AND s.fate <> 0 THEN 'completed'
                         WHEN s.ordered <= %(today)s AND s.fate <> 0 THEN 'ordered'
                         WHEN s.assessed <= %(today)s AND s.fate <> 0 THEN 'assessed'
                         ELSE 'applied'
                       END AS state
                FROM steps s
            ), priced AS (
                SELECT st.*, (pr.person_id IS NOT NULL) AS is_poor,
                       CASE WHEN pr.person_id IS NOT NULL THEN %(cap_poor)s ELSE %(cap_other)s END::numeric AS cap,
                       ({NEEDS_TOTAL.format(person="st.id", kind="st.kind", h=_h("st.id"), hn=_h("st.id || '-' || line.n"))})
                         AS total
                FROM staged st LEFT JOIN (SELECT DISTINCT person_id FROM poor) pr ON pr.person_id = st.id
            )
            INSERT INTO {_A} (
                kind, person_id, household_id, region_id, channel, applicant_id, reason, "group", cap, state,
                applied_at, assess_due, assessed_by_id, assessed_at, assessment_note, estimate, order_due,
                contractor_id, budget, ordered_by_id, ordered_at, work_due, completed_at, completed_by_id,
                actual_cost, completion_note, accept_due, accepted_by_id, accepted_at, acceptance_note, pay_due,
                paid_amount, paid_by_id, paid_at, payment_reference, rejected_at, rejection_reason)
            SELECT x.kind, x.id, NULL, x.region, CASE WHEN x.h %% 3 = 0 THEN 'online' ELSE 'counter' END,
                   CASE WHEN x.h %% 3 = 0 THEN NULL ELSE %(maker)s END, '', CASE WHEN x.is_poor THEN 'poor' ELSE 'other' END,
                   x.cap, x.state, x.applied + time '09:30', ca.assess,
                   CASE WHEN x.state NOT IN ('applied', 'rejected') THEN %(maker)s END,
                   CASE WHEN x.state NOT IN ('applied', 'rejected') THEN x.assessed + time '10:00' END, '',
                   CASE WHEN x.state NOT IN ('applied', 'rejected') THEN x.total END,
                   CASE WHEN x.state NOT IN ('applied', 'rejected') THEN co.ordr END,
                   CASE WHEN x.state IN ('ordered', 'completed', 'accepted', 'paid') THEN c.id END,
                   CASE WHEN x.state IN ('ordered', 'completed', 'accepted', 'paid') THEN least(x.total, x.cap) END,
                   CASE WHEN x.state IN ('ordered', 'completed', 'accepted', 'paid') THEN %(maker)s END,
                   CASE WHEN x.state IN ('ordered', 'completed', 'accepted', 'paid') THEN x.ordered + time '14:00' END,
                   CASE WHEN x.state IN ('ordered', 'completed', 'accepted', 'paid') THEN x.ordered + %(work_days)s END,
                   CASE WHEN x.state IN ('completed', 'accepted', 'paid') THEN x.completed + time '16:00' END,
                   CASE WHEN x.state IN ('completed', 'accepted', 'paid') THEN %(maker)s END,
                   CASE WHEN x.state IN ('completed', 'accepted', 'paid') THEN least(x.total, x.cap) END, '',
                   CASE WHEN x.state IN ('completed', 'accepted', 'paid') THEN cc.accept END,
                   CASE WHEN x.state IN ('accepted', 'paid') THEN %(checker)s END,
                   CASE WHEN x.state IN ('accepted', 'paid') THEN x.accepted + time '11:00' END, '',
                   CASE WHEN x.state IN ('accepted', 'paid') THEN ac.pay END,
                   CASE WHEN x.state = 'paid' THEN least(x.total, x.cap) END,
                   CASE WHEN x.state = 'paid' THEN %(checker)s END,
                   CASE WHEN x.state = 'paid' THEN x.paid + time '15:00' END,
                   CASE WHEN x.state = 'paid' THEN 'DEMO-' || x.id ELSE '' END,
                   CASE WHEN x.state = 'rejected' THEN x.assessed + time '10:00' END,
                   CASE WHEN x.state = 'rejected' THEN '上门评估：已自行改造，无需补助' ELSE '' END
            FROM priced x
            JOIN cal ca ON ca.day = x.applied
            LEFT JOIN cal co ON co.day = x.assessed
            LEFT JOIN cal cc ON cc.day = x.completed
            LEFT JOIN cal ac ON ac.day = x.accepted
            LEFT JOIN {_C} c ON c.credit_code = '91' || substr(x.region, 1, 6) || 'MAAD0001'
            WHERE c.id IS NOT NULL OR x.state IN ('applied', 'assessed', 'rejected')
            ORDER BY x.applied, x.id  -- ids follow the application time, as they do when people apply
            ON CONFLICT DO NOTHING""",
            params,
        )
        # the same two needs lines the estimate was summed from
        cursor.execute(
            f"""
            INSERT INTO {_N} (adaptation_id, item, quantity, unit_cost, cost)
            SELECT a.id, it.item, it.qty, it.cost, it.qty * it.cost
            FROM {_A} a
            CROSS JOIN LATERAL ({NEEDS_LINES.format(kind="a.kind", h=_h("a.person_id"), hn=_h("a.person_id || '-' || line.n"))}) AS it
            WHERE a.estimate IS NOT NULL""",
            params,
        )
    progress(
        _("适老化改造：施工单位 %(c)d 家，申请 %(a)d 件（已支付 %(p)d 件），家庭养老床位 %(b)d 张。")
        % {
            "c": Contractor.objects.count(),
            "a": Adaptation.objects.filter(kind="adaptation").count(),
            "p": Adaptation.objects.filter(kind="adaptation", state="paid").count(),
            "b": Adaptation.objects.filter(kind="care_bed", state__in=["accepted", "paid"]).count(),
        }
    )
