"""Visits to the vulnerable elderly (探访关爱).

The list: each night (Celery beat, `manage.py build_visit_list`, or the
bureau's button, all on the shared batch engine) one set of SQL statements
builds who qualifies on the day (eldercare/rules.py: living alone, empty
nest, 失能/半失能 on dibao, 计生特扶 — all aged 60+) into a session temp table
from the registry (households, members, birth dates), relief's dibao group
(read through the core's covered-group registry: relief's own read-only
SELECT), eldercare's ability assessments and the `fp_support` feed rows; then
in one transaction: new people are listed (next visit due after the
interval), open entries whose reasons or community changed are updated, and
open entries no longer qualifying are ended with the reason — each change
audited by a set-based audit row in the same statement.  A rerun of the day
adds nothing (one open entry per person, a database constraint).

Visits: the community worker of the elder's community records each visit
(seen or not, structured checks, notes); a visit at which the elder was seen
moves the next due date to the visit day + the interval.  A visit can open a
relief temporary-assistance case (a draft through relief's
application_create), like childcare's referral."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs import clock
from civil_affairs.areas import price_linkage_groups
from civil_affairs.batches import analyze, batchrun_enqueue, result_update, run_exclusive
from civil_affairs.models import AuditEvent, BatchRun, FeedRecord, Household, HouseholdMember, Person, Region
from civil_affairs.months import add_months
from civil_affairs.parameters import parameters_by_region, parameters_in_force
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import in_jurisdiction
from civil_affairs.services import DomainError, audit_record, audit_rows_sql, batchrun_create, batchrun_finish

from .. import rules
from ..feeds import KEY as FP_KIND
from ..models import Assessment, VulnerableElder, VulnerableVisit
from ..parameters import with_defaults

KIND = "eldercare_vulnerable_list"
INTERVAL_KEY = "vulnerable_visit_interval_days"
DIBAO_GROUP = "dibao"
COUNT_LABELS = {
    "added": gettext_lazy("新列入"),
    "changed": gettext_lazy("原因或社区变更"),
    "ended": gettext_lazy("移出"),
    "listed": gettext_lazy("名单人数"),
}
# the structured checks of a visit (what was seen), each 正常 / 需关注 / 紧急
CHECK_ITEMS = {
    "health": gettext_lazy("身体状况"),
    "home_safety": gettext_lazy("居家安全（水电气、防跌倒）"),
    "food": gettext_lazy("饮食起居"),
    "mood": gettext_lazy("精神状态"),
    "hygiene": gettext_lazy("个人及环境卫生"),
}

_P, _H, _M = Person._meta.db_table, Household._meta.db_table, HouseholdMember._meta.db_table
_A, _F, _R = Assessment._meta.db_table, FeedRecord._meta.db_table, Region._meta.db_table
_V = VulnerableElder._meta.db_table
_CAND, _INTERVAL = "vulnerable_candidates", "vulnerable_interval"
_TARGET = VulnerableElder._meta.label_lower


def _dibao_sql() -> str:
    """Relief's dibao group for %(month)s (person_id, region_id, bank_account), or an empty set when relief is absent."""
    for group in price_linkage_groups():
        if group.key == DIBAO_GROUP:
            return group.select()
    return "SELECT NULL::bigint, NULL::varchar, NULL::varchar WHERE false"


def _candidates_sql() -> list[str]:
    """Everyone qualifying on %(day)s, with the reasons (in rules.VULNERABLE_REASONS order) and the community."""
    return [
        f"DROP TABLE IF EXISTS {_CAND}",
        f"""CREATE TEMP TABLE {_CAND} AS
WITH living AS (
    SELECT m.household_id, m.person_id, p.birth_date FROM {_M} m JOIN {_P} p ON p.id = m.person_id
    WHERE p.death_date IS NULL OR p.death_date > %(day)s
), homes AS (
    SELECT household_id, count(*) AS n, bool_and(birth_date <= %(born60)s) AS all_old
    FROM living GROUP BY household_id HAVING bool_or(birth_date <= %(born60)s)
), reasons AS (
    SELECT l.person_id, CASE WHEN h.n = 1 THEN 'alone' ELSE 'empty_nest' END AS reason
    FROM homes h JOIN living l ON l.household_id = h.household_id
    WHERE h.n = 1 AND l.birth_date <= %(born60)s OR h.n > 1 AND h.all_old
    UNION ALL
    SELECT d.person_id, 'disabled_dibao' FROM (SELECT DISTINCT g.person_id FROM ({_dibao_sql()})
                                               AS g(person_id, region_id, bank_account)) d
    WHERE EXISTS (SELECT 1 FROM {_A} a WHERE a.person_id = d.person_id AND a.assessed_on <= %(day)s
                  AND a.valid_until > %(day)s AND a.level > 0
                  AND NOT EXISTS (SELECT 1 FROM {_A} b WHERE b.person_id = a.person_id AND b.assessed_on <= %(day)s
                                  AND b.valid_until > %(day)s
                                  AND (b.assessed_on, b.id) > (a.assessed_on, a.id)))
    UNION ALL
    SELECT p.id, 'fp_support' FROM {_F} f JOIN {_P} p ON p.id_number = f.id_number
    WHERE f.kind = %(fp)s AND f.event_date <= %(day)s
      AND (f.detail->>'end_date' IS NULL OR (f.detail->>'end_date')::date >= %(day)s)
      AND NOT EXISTS (SELECT 1 FROM {_F} e WHERE e.kind = %(fp)s AND e.id_number = f.id_number
                      AND e.event_date = f.event_date AND e.detail->>'support_type' = f.detail->>'support_type'
                      AND (e.detail->>'end_date')::date < %(day)s)
)
SELECT r.person_id, p.residence_region_id AS region_id,
       to_jsonb(array_agg(DISTINCT r.reason ORDER BY r.reason)) AS reasons
FROM reasons r JOIN {_P} p ON p.id = r.person_id
WHERE p.birth_date <= %(born60)s AND (p.death_date IS NULL OR p.death_date > %(day)s)
GROUP BY r.person_id, p.residence_region_id""",
        f"CREATE UNIQUE INDEX ON {_CAND} (person_id)",
        f"ANALYZE {_CAND}",
    ]


# array_agg(DISTINCT … ORDER BY reason) sorts by name: alone, disabled_dibao, empty_nest, fp_support —
# rules.VULNERABLE_REASONS's order, so a rerun compares equal lists.

_AUDIT_COLS = "%(actor_id)s::bigint, %(actor_label)s, {action}, '" + _TARGET + "', x.id::text, x.region_id"

_ADD_SQL = f"""
WITH ins AS (
    INSERT INTO {_V} (person_id, region_id, reasons, listed_on, next_due, end_reason)
    SELECT c.person_id, c.region_id, c.reasons, %(day)s, %(day)s::date + coalesce(i.days, %(default_days)s), ''
    FROM {_CAND} c LEFT JOIN {_INTERVAL} i ON i.region_id = c.region_id
    WHERE NOT EXISTS (SELECT 1 FROM {_V} v WHERE v.person_id = c.person_id AND v.ended_on IS NULL)
    ON CONFLICT (person_id) WHERE ended_on IS NULL DO NOTHING
    RETURNING id, region_id, reasons, person_id
), audit_rows AS (
    SELECT {_AUDIT_COLS.format(action="'create'")},
           jsonb_build_object('step', 'vulnerable_listed', 'reasons', x.reasons, 'person', x.person_id,
                              'run', %(run)s::bigint)
    FROM ins x
), audit AS ({audit_rows_sql("audit_rows")})
SELECT count(*) FROM ins"""

_CHANGE_SQL = f"""
WITH old AS (
    SELECT v.id, v.reasons, v.region_id FROM {_V} v JOIN {_CAND} c ON c.person_id = v.person_id
    WHERE v.ended_on IS NULL AND (v.reasons <> c.reasons OR v.region_id <> c.region_id)
    FOR UPDATE OF v
), upd AS (
    UPDATE {_V} v SET reasons = c.reasons, region_id = c.region_id
    FROM old, {_CAND} c WHERE v.id = old.id AND c.person_id = v.person_id
    RETURNING v.id, v.region_id, v.reasons, old.reasons AS old_reasons, old.region_id AS old_region
), audit_rows AS (
    SELECT {_AUDIT_COLS.format(action="'update'")},
           jsonb_build_object('step', 'vulnerable_changed', 'reasons', jsonb_build_array(x.old_reasons, x.reasons),
                              'region', jsonb_build_array(x.old_region, x.region_id), 'run', %(run)s::bigint)
    FROM upd x
), audit AS ({audit_rows_sql("audit_rows")})
SELECT count(*) FROM upd"""

# An alone/empty-nest entry whose household now has a living member under 60 says so.
_END_SQL = f"""
WITH gone AS (
    SELECT v.id, v.region_id,
           CASE WHEN p.death_date IS NOT NULL AND p.death_date <= %(day)s THEN 'died'
                WHEN m.household_id IS NULL THEN 'no_household'
                WHEN v.reasons <@ '["alone", "empty_nest"]'::jsonb AND EXISTS (
                    SELECT 1 FROM {_M} o JOIN {_P} q ON q.id = o.person_id
                    WHERE o.household_id = m.household_id AND q.birth_date > %(born60)s
                      AND (q.death_date IS NULL OR q.death_date > %(day)s)) THEN 'younger_member'
                ELSE 'no_longer' END AS reason
    FROM {_V} v JOIN {_P} p ON p.id = v.person_id LEFT JOIN {_M} m ON m.person_id = v.person_id
    WHERE v.ended_on IS NULL AND NOT EXISTS (SELECT 1 FROM {_CAND} c WHERE c.person_id = v.person_id)
), upd AS (
    UPDATE {_V} v SET ended_on = %(day)s, end_reason = g.reason FROM gone g WHERE v.id = g.id
    RETURNING v.id, v.region_id, v.end_reason
), audit_rows AS (
    SELECT {_AUDIT_COLS.format(action="'update'")},
           jsonb_build_object('step', 'vulnerable_ended', 'end_reason', x.end_reason, 'run', %(run)s::bigint)
    FROM upd x
), audit AS ({audit_rows_sql("audit_rows")})
SELECT count(*) FROM upd"""

_LISTED_SQL = f"SELECT count(*) FROM {_V} WHERE ended_on IS NULL"


def _interval_sql(day: dt.date) -> tuple[str, dict]:
    """The interval in force per region where a parameter row differs from the city's (a temp table)."""
    by_region = parameters_by_region(day, keys=[INTERVAL_KEY])
    codes = list(Region.objects.filter(level__gte=3).values_list("code", flat=True))
    default = int(with_defaults({})[INTERVAL_KEY])
    city = Region.objects.filter(level=Region.Level.CITY).values_list("code", flat=True).first()
    if city is not None:
        default = int(with_defaults(by_region.get(city, {}))[INTERVAL_KEY])
    pairs = [(c, int(v[INTERVAL_KEY])) for c in codes if INTERVAL_KEY in (v := by_region.get(c, {}))]
    pairs = [(c, d) for c, d in pairs if d != default]
    sql = (
        f"CREATE TEMP TABLE {_INTERVAL} AS SELECT * FROM unnest(%(i_codes)s::varchar[], %(i_days)s::int[])"
        " AS t(region_id, days)"
    )
    return sql, {"i_codes": [c for c, _d in pairs], "i_days": [d for _c, d in pairs], "default_days": default}


def day_checked(day: dt.date) -> dt.date:
    if day > clock.today():
        raise DomainError(_("不能为将来的日期 %(d)s 生成探访名单。") % {"d": day.isoformat()})
    return day


def _build(run: BatchRun, day: dt.date, progress: Callable[[int, int], None] | None) -> dict:
    actor = run.created_by
    params = {
        "day": day,
        "month": day.replace(day=1),
        "born60": add_months(day, -12 * rules.VULNERABLE_MIN_AGE),
        "fp": FP_KIND,
        "run": run.pk,
        "actor_id": actor.pk if actor else None,
        "actor_label": actor.get_username() if actor else "system",
    }
    interval_sql, interval_params = _interval_sql(day)
    params.update(interval_params)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_INTERVAL}")
        cursor.execute(interval_sql, params)
        for sql in _candidates_sql():
            cursor.execute(sql, params)
        if progress:
            progress(1, 2)
        try:
            with transaction.atomic():
                counts = {}
                for name, sql in (("added", _ADD_SQL), ("changed", _CHANGE_SQL), ("ended", _END_SQL)):
                    cursor.execute(sql, params)
                    counts[name] = cursor.fetchone()[0]
                cursor.execute(_LISTED_SQL)
                counts["listed"] = cursor.fetchone()[0]
                BatchRun.objects.filter(pk=run.pk).update(total=1, done=1)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_CAND}; DROP TABLE IF EXISTS {_INTERVAL}")
    if progress:
        progress(2, 2)
    analyze(VulnerableElder)
    summary = {"date": day.isoformat(), **counts}
    result_update(run_id=run.pk, summary=summary, counts=counts)
    message = _("%(d)s 探访关爱名单：新列入 %(a)d 人，原因或社区变更 %(c)d 人，移出 %(e)d 人；名单共 %(n)d 人。") % {
        "d": day.isoformat(),
        "a": counts["added"],
        "c": counts["changed"],
        "e": counts["ended"],
        "n": counts["listed"],
    }
    batchrun_finish(run_id=run.pk, message=message)
    return summary


def visit_list_build_run(*, run_id: int, progress: Callable[[int, int], None] | None = None) -> dict | None:
    """What the Celery task and the command run.  None when the run had already finished."""
    run = BatchRun.objects.select_related("created_by").get(pk=run_id)
    if run.kind != KIND:
        raise DomainError(_("批处理任务 #%(id)d 不是探访关爱名单任务。") % {"id": run_id})
    try:
        day = day_checked(dt.date.fromisoformat(run.params.get("date") or ""))
    except (ValueError, DomainError) as exc:
        message = str(exc) if isinstance(exc, DomainError) else _("日期格式应为 YYYY-MM-DD。")
        batchrun_finish(run_id=run_id, failed=True, message=message)
        raise DomainError(message) from None
    return run_exclusive(
        run=run,
        key=day.toordinal(),
        label=_("%(d)s 探访关爱名单") % {"d": day.isoformat()},
        same={"date": day.isoformat()},
        work=lambda run: _build(run, day, progress),
    )


def visit_list_build_start(*, user, day: dt.date | None = None) -> BatchRun:
    """The bureau's button: today's list, queued with a progress bar."""
    if not has_capability(user, "visit_list_build"):
        raise DomainError(_("您没有生成探访关爱名单的权限。"))
    day = day_checked(day or clock.today())
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"date": day.isoformat()}, user=user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=run,
            region_code=run.region_id or "",
            changes={"step": "vulnerable_build_start", "date": day.isoformat()},
        )
        batchrun_enqueue(run)
    return run


def visit_list_nightly() -> BatchRun | None:
    """Celery beat (nightly): today's list, unless today's run is queued, running or done."""
    day = clock.today().isoformat()
    runs = BatchRun.objects.filter(kind=KIND, params__date=day)
    if runs.filter(status__in=(BatchRun.Status.PENDING, BatchRun.Status.RUNNING, BatchRun.Status.SUCCEEDED)).exists():
        return None
    with transaction.atomic():
        run = batchrun_create(kind=KIND, params={"date": day, "scheduled": True})
        batchrun_enqueue(run)
    return run


# ---------------------------------------------------------------- visits


def interval_days(region_code: str, on: dt.date) -> int:
    return int(with_defaults(parameters_in_force(region_code, on))[INTERVAL_KEY])


def _require(actor, capability: str, region_code: str) -> None:
    if not has_capability(actor, capability) or not in_jurisdiction(actor, region_code):
        raise DomainError(_("您没有为该社区的老人登记探访的权限。"))


def _checks(raw: dict, *, seen: bool) -> dict:
    allowed = set(VulnerableVisit.Check.values)
    checks = {}
    for item, label in CHECK_ITEMS.items():
        value = (raw.get(item) or "").strip()
        if not value:
            if seen:
                raise DomainError(_("见到老人时请填写每项探访情况：%(l)s 未填。") % {"l": label})
            continue
        if value not in allowed:
            raise DomainError(_("%(l)s 的情况应为正常、需关注或紧急。") % {"l": label})
        checks[item] = value
    return checks


@transaction.atomic
def visit_record(
    *, actor, entry: VulnerableElder, visited_on: dt.date, seen: bool, checks: dict, notes: str = ""
) -> VulnerableVisit:
    """Record a visit.  Seen: every check filled, and the next visit falls due `interval` days later.
    Not seen: the notes say where the elder is; the visit stays due."""
    entry = VulnerableElder.objects.select_for_update().get(pk=entry.pk)
    _require(actor, "visit_record", entry.region_id)
    if entry.ended_on is not None:
        raise DomainError(_("该老人已于 %(d)s 移出探访名单。") % {"d": entry.ended_on.isoformat()})
    if visited_on > clock.today():
        raise DomainError(_("探访日期不能晚于今天。"))
    if visited_on < entry.listed_on:
        raise DomainError(_("探访日期不能早于列入名单的日期（%(d)s）。") % {"d": entry.listed_on.isoformat()})
    notes = (notes or "").strip()
    checked = _checks(checks, seen=seen)
    if not seen and not notes:
        raise DomainError(_("未见到老人时请在探访记录中写明情况（如外出、住院、子女接走）。"))
    if len(notes) > 2000:
        raise DomainError(_("探访记录不能超过2000字。"))
    visit = VulnerableVisit.objects.create(
        entry=entry,
        person_id=entry.person_id,
        region_id=entry.region_id,
        visited_on=visited_on,
        seen=seen,
        checks=checked,
        notes=notes,
        on_time=visited_on <= entry.next_due,
        visitor=actor,
    )
    if seen and (entry.last_visit_on is None or visited_on >= entry.last_visit_on):
        entry.last_visit_on = visited_on
        entry.next_due = rules.visit_next_due(
            last_seen=visited_on, interval_days=interval_days(entry.region_id, visited_on)
        )
        entry.save(update_fields=["last_visit_on", "next_due"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=visit,
        region_code=entry.region_id,
        changes={
            "step": "vulnerable_visit",
            "entry": entry.pk,
            "visited_on": visited_on,
            "seen": seen,
            "checks": checked,
            "on_time": visit.on_time,
            "next_due": entry.next_due,
        },
    )
    return visit


TEMPORARY_TYPES = ("emergency", "expenditure")


@transaction.atomic
def visit_refer_relief(*, actor, visit: VulnerableVisit, reason: str, temporary_type: str = "expenditure"):
    """Open a relief temporary-assistance case (a draft application of relief's,
    through relief.services.applications.application_create) for the elder's household."""
    visit = VulnerableVisit.objects.select_for_update().get(pk=visit.pk)
    _require(actor, "visit_record", visit.region_id)
    if visit.relief_application:
        raise DomainError(_("本次探访已转介临时救助（申请编号 %(n)s）。") % {"n": visit.relief_application})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写转介临时救助的原因。"))
    if temporary_type not in TEMPORARY_TYPES:
        raise DomainError(_("请选择临时救助类型（急难型或支出型）。"))
    from relief.services.applications import temporary_referral

    application = temporary_referral(
        actor=actor,
        person=visit.person,
        region=Region.objects.get(code=visit.region_id),
        reason=_("探访关爱转介：%(r)s") % {"r": reason[:500]},
        temporary_type=temporary_type,
    )
    visit.relief_application = application.number
    visit.save(update_fields=["relief_application"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=visit,
        region_code=visit.region_id,
        changes={"step": "vulnerable_refer", "relief": application.number, "temporary_type": temporary_type},
    )
    return application
