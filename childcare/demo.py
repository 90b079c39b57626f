"""Childcare in the demo city, set-based (a few INSERT … SELECT statements
whatever the size): the default parameters at city level; a child director
for every village/community and a supervisor for every street with a few
gaps (seeded), stations in most towns; the demo staff bound to childcare;
recognised orphans and de-facto unsupported children (approved cases with
both parents' situations, live allowances paid to the household head's
account); children in distress and left behind with risk levels, a history of
visits (some overdue) and referrals.  Repeatable for a seed: every choice is
a hash of the seed and the row's key, never random() in the database.

The proportions are those of the benchmark city rather than of a real one
(issue 14's batch needs at least 20 000 children at 400 000 households)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.models import Parameter, Region, Role, User

from .models import (
    Allowance,
    Case,
    Child,
    Director,
    ParentSituation,
    Referral,
    RiskChange,
    Staff,
    Station,
    StationStaff,
    Supervisor,
    Visit,
)
from .parameters import DEFAULTS

ALLOWANCE_PER_MILLE = 120  # of minors living in a village/community
REGISTRY_PER_MILLE = 50
DIRECTOR_GAP_PER_MILLE = 25  # villages left without a director
SUPERVISOR_GAP_PER_MILLE = 60
STATION_PER_MILLE = 850
SINCE = dt.date(2020, 1, 1)

T = {
    m.__name__: m._meta.db_table
    for m in (
        Allowance,
        Case,
        Child,
        Director,
        ParentSituation,
        Referral,
        RiskChange,
        Staff,
        Station,
        StationStaff,
        Supervisor,
        Visit,
        User,
        Region,
    )
}
T["Person"] = "civil_affairs_person"
T["Member"] = "civil_affairs_householdmember"


def _pick(key_sql: str, seed: int, per_mille: int) -> str:
    """A repeatable choice of about per_mille/1000 of rows, by a hash of the seed and the key."""
    return f"(abs(hashtext({key_sql}::text || ':{int(seed)}')) %% 1000) < {int(per_mille)}"


def _h(key_sql: str, seed: int, salt: str, modulo: int) -> str:
    return f"(abs(hashtext({key_sql}::text || ':{int(seed)}:{salt}')) %% {int(modulo)})"


def _exec(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def seed_area(*, seed: int, progress) -> None:
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if city is None:
        return
    with transaction.atomic():
        _seed(seed, city, progress)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ANALYZE {T['Allowance']}, {T['Case']}, {T['Child']}, {T['Visit']}, {T['Director']}, {T['Supervisor']}"
        )


def _seed(seed: int, city: Region, progress) -> None:
    today = clock.today()
    Parameter.objects.bulk_create(
        [
            Parameter(region=city, key=key, value=value, effective_from=SINCE, note="DOMAIN.md 演示标准")
            for key, value in DEFAULTS.items()
        ],
        ignore_conflicts=True,
    )
    if Allowance.objects.exists() or Child.objects.exists():
        progress(_("儿童福利：已有数据，跳过。"))
        return
    password = make_password(None)  # unusable: roster accounts log in once an administrator sets a password
    # ---- rosters: accounts and roster rows, set-based
    for prefix, role, level, table, gap in (
        ("cd_", Role.COMMUNITY_WORKER, Region.Level.VILLAGE, T["Director"], DIRECTOR_GAP_PER_MILLE),
        ("cs_", Role.CASEWORKER, Region.Level.TOWNSHIP, T["Supervisor"], SUPERVISOR_GAP_PER_MILLE),
    ):
        _exec(
            f"""
            INSERT INTO {T["User"]} (username, password, role, region_id, first_name, last_name, email, is_staff,
                                     is_superuser, is_active, date_joined, phone, verification_method)
            SELECT %(prefix)s || r.code, %(password)s, %(role)s, r.code, left(r.name, 20) ||
                   CASE WHEN %(role)s = 'caseworker' THEN '儿童督导员' ELSE '儿童主任' END,
                   '', '', false, false, true, now(), '', ''
            FROM {T["Region"]} r
            WHERE r.level = %(level)s AND NOT {_pick("r.code", seed, gap)}
              AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.region_id = r.code)
            ON CONFLICT (username) DO NOTHING""",
            {"prefix": prefix, "password": password, "role": role, "level": level},
        )
        _exec(
            f"""
            INSERT INTO {table} (user_id, region_id, phone, since)
            SELECT u.id, u.region_id, '', %(since)s FROM {T["User"]} u
            WHERE u.username LIKE %(like)s AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.region_id = u.region_id)
              AND NOT EXISTS (SELECT 1 FROM {table} y WHERE y.user_id = u.id)""",
            {"like": prefix + "%", "since": dt.date(2021, 3, 1)},
        )
    _bind_demo_staff()
    stations = _exec(
        f"""
        INSERT INTO {T["Station"]} (region_id, name, address, phone)
        SELECT r.code, r.name || '未成年人保护工作站', r.name || '社会事务办', ''
        FROM {T["Region"]} r WHERE r.level = 4 AND {_pick("r.code", seed, STATION_PER_MILLE)}
        ON CONFLICT DO NOTHING"""
    )
    _exec(
        f"""
        INSERT INTO {T["StationStaff"]} (station_id, name, duty, phone)
        SELECT s.id, '站长', '负责人', '' FROM {T["Station"]} s"""
    )
    admin_id = User.objects.filter(role=Role.BUREAU_ADMIN).order_by("id").values_list("id", flat=True).first()
    if admin_id is None:
        admin_id = User.objects.create(username="childcare_demo_admin", role=Role.BUREAU_ADMIN, region=city).pk
    cases = _seed_allowances(seed, today, admin_id)
    children = _seed_registry(seed, today)
    progress(
        _("儿童福利：孤儿和事实无人抚养儿童 %(a)d 人，困境和留守儿童 %(c)d 人，工作站 %(s)d 个。")
        % {"a": cases, "c": children, "s": stations}
    )


def _bind_demo_staff() -> None:
    """The demo logins: 金沙's caseworker as its supervisor, the community worker
    as its community's director, the district reviewer and the bureau as childcare staff."""
    for username, model, level in (
        ("community_worker", Director, Region.Level.VILLAGE),
        ("caseworker_jinsha", Supervisor, Region.Level.TOWNSHIP),
    ):
        user = User.objects.filter(username=username).first()
        if user is None or user.region is None or user.region.level != level:
            continue
        model.objects.filter(region_id=user.region_id).delete()
        model.objects.get_or_create(user=user, defaults={"region_id": user.region_id})
    for user in User.objects.filter(username__in=["admin", "reviewer_tz", "caseworker_jinsha"]):
        Staff.objects.get_or_create(user=user)


def _seed_allowances(seed: int, today: dt.date, admin_id: int) -> int:
    """Approved cases, both parents' situations and live allowances from this
    year, for about ALLOWANCE_PER_MILLE of minors living in villages/communities."""
    start = dt.date(today.year, 1, 1)
    n = _exec(
        f"""
        INSERT INTO {T["Case"]} (number, child_id, guardian_id, guardian_relation, region_id, category, setting,
            school_until, bank_account, bank_name, online, state, submitted_on, submitted_by_id, check_due,
            check_opinion, decision_note, created_at)
        SELECT 'ETD' || lpad(p.id::text, 12, '0'), p.id, g.person_id, '祖父母', p.residence_region_id,
               CASE WHEN {_h("p.id", seed, "cat", 10)} < 6 THEN 'orphan' ELSE 'unsupported' END,
               CASE WHEN {_h("p.id", seed, "cat", 10)} < 2 THEN 'institutional' ELSE 'dispersed' END,
               NULL, '6228' || lpad(p.id::text, 15, '0'), '农业银行', false, 'approved',
               %(submitted)s, %(admin)s, %(submitted)s, '演示数据', '演示数据', now()
        FROM {T["Person"]} p
        JOIN {T["Member"]} m ON m.person_id = p.id
        LEFT JOIN {T["Member"]} g ON g.household_id = m.household_id AND g.relation = 'head' AND g.person_id <> p.id
        WHERE p.death_date IS NULL AND p.birth_date > %(adult)s AND length(p.residence_region_id) = 12
          AND right(p.residence_region_id, 3) <> '000' AND {_pick("p.id", seed, ALLOWANCE_PER_MILLE)}
        ON CONFLICT DO NOTHING""",
        {"submitted": start - dt.timedelta(days=40), "admin": admin_id, "adult": dt.date(today.year - 18, 1, 31)},
    )
    for which in ("father", "mother"):
        _exec(
            f"""
            INSERT INTO {T["ParentSituation"]} (case_id, which, parent_id, name, code, since, until, evidence)
            SELECT c.id, %(which)s, NULL, '',
                   CASE WHEN c.category = 'orphan' OR %(which)s = 'father' THEN 'dead'
                        ELSE (ARRAY['deprived', 'disabled', 'out_of_contact', 'ill'])[1 + {_h("c.id", seed, "code", 4)}]
                   END,
                   %(since)s, NULL, '演示数据'
            FROM {T["Case"]} c WHERE c.number LIKE 'ETD%%'""",
            {"which": which, "since": dt.date(2019, 6, 1)},
        )
    _exec(
        f"""
        INSERT INTO {T["Allowance"]} (child_id, case_id, guardian_id, region_id, category, setting, start_month,
            last_month, school_until, next_review, status, stop_reason, stopped_from, bank_account, bank_name,
            created_at)
        SELECT c.child_id, c.id, c.guardian_id, c.region_id, c.category, c.setting, %(start)s,
               date_trunc('month', p.birth_date + interval '18 years')::date, NULL,
               %(start)s::date + ({_h("c.id", seed, "review", 360)} || ' days')::interval + interval '1 year',
               'active', '', NULL, c.bank_account, c.bank_name, now()
        FROM {T["Case"]} c JOIN {T["Person"]} p ON p.id = c.child_id
        WHERE c.number LIKE 'ETD%%'""",
        {"start": dt.date(today.year, 1, 1)},
    )
    return n


def _seed_registry(seed: int, today: dt.date) -> int:
    """Children in distress and left behind with a risk level, a first version,
    visits (some overdue) and referrals."""
    n = _exec(
        f"""
        INSERT INTO {T["Child"]} (person_id, kind, region_id, guardian_id, guardian_name, guardian_situation, school,
            risk, registered_on, first_visit_due, last_visit_on, next_visit_due, closed_on, version)
        SELECT p.id,
               (ARRAY['poverty','disability','illness','no_guardian','left_behind','left_behind','left_behind'])
                 [1 + {_h("p.id", seed, "kind", 7)}],
               p.residence_region_id, NULL, '祖父母', '年老体弱', '', r.risk, %(registered)s, %(first_due)s,
               %(today)s::date - ({_h("p.id", seed, "last", 200)} || ' days')::interval,
               %(today)s::date - ({_h("p.id", seed, "last", 200)} || ' days')::interval
                 + (CASE r.risk WHEN 'high' THEN 1 WHEN 'medium' THEN 3 ELSE 6 END || ' months')::interval,
               NULL, 1
        FROM {T["Person"]} p
        CROSS JOIN LATERAL (SELECT CASE WHEN {_h("p.id", seed, "risk", 10)} = 0 THEN 'high'
                                        WHEN {_h("p.id", seed, "risk", 10)} < 4 THEN 'medium' ELSE 'low' END AS risk) r
        WHERE p.death_date IS NULL AND p.birth_date > %(adult)s AND right(p.residence_region_id, 3) <> '000'
          AND {_pick("(p.id || 'r')", seed, REGISTRY_PER_MILLE)}
        ON CONFLICT DO NOTHING""",
        {
            "registered": dt.date(2024, 3, 1),
            "first_due": dt.date(2024, 3, 8),
            "today": today,
            "adult": dt.date(today.year - 17, 12, 31),
        },
    )
    _exec(
        f"""
        INSERT INTO {T["RiskChange"]} (child_id, version, old, new, reason, by_id, at)
        SELECT c.id, 1, '', c.risk, '登记', NULL, now() FROM {T["Child"]} c"""
    )
    # Visits: the last one on last_visit_on, by the village's director, and one or two before it.
    _exec(
        f"""
        INSERT INTO {T["Visit"]} (child_id, visited_on, by_id, seen, notes, risk_seen, on_time, created_at)
        SELECT c.id, (c.last_visit_on - (k * CASE c.risk WHEN 'high' THEN 30 WHEN 'medium' THEN 90 ELSE 180 END)),
               d.user_id, {_h("(c.id + k)", seed, "seen", 10)} < 8, '入户走访，了解学习生活情况。', c.risk,
               {_h("(c.id + k)", seed, "late", 10)} < 8, now()
        FROM {T["Child"]} c JOIN {T["Director"]} d ON d.region_id = c.region_id
        CROSS JOIN generate_series(0, 1 + {_h("c.id", seed, "n", 2)}) AS k
        WHERE c.last_visit_on - (k * 180) > c.registered_on"""
    )
    _exec(
        f"""
        INSERT INTO {T["Referral"]} (child_id, service, reason, opened_on, opened_by_id, status, closed_on, outcome,
                                      relief_application)
        SELECT c.id, (ARRAY['medical','education','psychological','legal'])[1 + {_h("c.id", seed, "svc", 4)}],
               '走访发现需要专业服务', c.last_visit_on, d.user_id,
               CASE WHEN {_h("c.id", seed, "closed", 2)} = 0 THEN 'closed' ELSE 'open' END,
               CASE WHEN {_h("c.id", seed, "closed", 2)} = 0 THEN c.last_visit_on + 20 ELSE NULL END,
               CASE WHEN {_h("c.id", seed, "closed", 2)} = 0 THEN '已提供服务' ELSE '' END, ''
        FROM {T["Child"]} c JOIN {T["Director"]} d ON d.region_id = c.region_id
        WHERE c.risk <> 'low' AND {_h("c.id", seed, "ref", 5)} = 0"""
    )
    return n
