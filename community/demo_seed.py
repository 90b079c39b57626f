"""Community's demo data, set-based (a handful of INSERT … SELECT statements,
seconds at 400 000 households), repeatable for a seed: for every community a
committee whose 5-year term is spread over the cycle (a few overdue), its
members from the registry, the past election that seated it with its ballot
box, deliberation topics at every step with their timeline and execution, and
social organisations filed by streets and districts with annual reports and
grades (about 42 % rated, as in Nantong)."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext as _

from civil_affairs.demo import REFERENCE_DATE

from . import rules
from .models import (
    AnnualReport,
    BallotBox,
    BoxVote,
    Candidate,
    Committee,
    CommitteeMember,
    Election,
    Grid,
    NeighbourhoodGroup,
    Rating,
    SocialOrg,
    Topic,
    TopicEntry,
    TopicFollow,
    Voter,
)
from .parameters import BAND_KEYS

T = {
    m.__name__: m._meta.db_table
    for m in (
        AnnualReport,
        BallotBox,
        BoxVote,
        Candidate,
        Committee,
        CommitteeMember,
        Election,
        Grid,
        NeighbourhoodGroup,
        Rating,
        SocialOrg,
        Topic,
        TopicEntry,
        TopicFollow,
        Voter,
    )
}

TITLES = [
    "老旧小区加装电梯",
    "小区停车位划分",
    "垃圾分类投放点调整",
    "社区食堂开办时间",
    "楼道堆物清理",
    "健身器材更新",
    "电动车充电桩设置",
    "绿化带改造",
    "物业费调整",
    "养犬管理公约",
]

STATES = [
    "proposed",
    "declined",
    "accepted",
    "notified",
    "met",
    "resolved",
    "published",
    "executing",
    "done",
    "reported",
]
ENTRY_COUNTS = [1, 2, 2, 3, 4, 5, 6, 7, 7, 8]  # per state of STATES: the timeline entries it has
ENTRY_STEPS = ["propose", "accept", "notify", "meet", "resolve", "publish", "progress", "feedback"]

# One hash per row and purpose, from the seed: the same seed gives the same city.
H = "abs(hashtext(%(seed)s || ':' || {key}))"

STATEMENTS = [
    # grids and groups: 2–4 grids per community, 2 groups per grid
    f"""INSERT INTO {T["Grid"]} (region_id, name, worker)
        SELECT r.code, '第' || g || '网格', '' FROM civil_affairs_region r
        CROSS JOIN LATERAL generate_series(1, 2 + {H.format(key="r.code || 'g'")} %% 3) g
        WHERE r.level = 5""",
    f"""INSERT INTO {T["NeighbourhoodGroup"]} (grid_id, name, leader)
        SELECT g.id, '第' || n || '小组', '' FROM {T["Grid"]} g CROSS JOIN generate_series(1, 2) n""",
    # the past election of every community: day spread over the last 5 years (3 %% a little before: overdue)
    f"""INSERT INTO {T["Election"]} (region_id, election_day, seats, state, committee_formed_on, election_committee,
            roll_published_on, registered, voted, turnout, valid, runoff_required, announced_on, handover_due,
            handed_over_on, handover_late, created_at)
        SELECT x.code, x.day, 5, 'handed_over', x.day - 45, '', x.day - 25, x.reg, x.voted,
               round(100.0 * x.voted / greatest(x.reg, 1), 2), x.voted * 2 > x.reg, false, x.day + 1, x.day + 11,
               x.day + 1 + x.lag, x.lag > 10, now()
          FROM (SELECT r.code,
                       (%(ref)s::date - (CASE WHEN {H.format(key="r.code || 'o'")} %% 100 < 3 THEN 1830 + {H.format(key="r.code || 'l'")} %% 200
                                               ELSE {H.format(key="r.code || 'd'")} %% 1825 END))::date AS day,
                       greatest(coalesce(a.n, 0), 10) AS reg,
                       (greatest(coalesce(a.n, 0), 10) * (72 + {H.format(key="r.code || 'v'")} %% 24) / 100) AS voted,
                       2 + {H.format(key="r.code || 'h'")} %% 11 AS lag
                  FROM civil_affairs_region r
                  LEFT JOIN (SELECT hukou_region_id, count(*) AS n FROM civil_affairs_person
                              WHERE death_date IS NULL AND birth_date <= %(ref)s::date - interval '18 years'
                              GROUP BY hukou_region_id) a ON a.hukou_region_id = r.code
                 WHERE r.level = 5) x""",
    # the committee it seated, current, for 5 years from the announcement
    f"""INSERT INTO {T["Committee"]} (region_id, term_start, term_end, current, election_id)
        SELECT e.region_id, e.announced_on, (e.announced_on + interval '5 years')::date, true, e.id
          FROM {T["Election"]} e""",
    # members: the first 5 adults of the community in a seeded order (chair, vice, 3 members)
    f"""INSERT INTO {T["CommitteeMember"]} (committee_id, person_id, post, term_start, term_end)
        SELECT c.id, p.id, CASE p.rn WHEN 1 THEN 'chair' WHEN 2 THEN 'vice' ELSE 'member' END, c.term_start, c.term_end
          FROM {T["Committee"]} c
          JOIN LATERAL (SELECT id, row_number() OVER (ORDER BY {H.format(key="id::text")}) AS rn
                          FROM civil_affairs_person
                         WHERE hukou_region_id = c.region_id AND death_date IS NULL
                           AND birth_date BETWEEN '1960-01-01' AND '1998-01-01'
                         ORDER BY {H.format(key="id::text")} LIMIT 5) p ON true""",
    # candidates: the members (elected) with their votes
    f"""INSERT INTO {T["Candidate"]} (election_id, person_id, votes, elected, runoff)
        SELECT c.election_id, m.person_id, e.voted * (60 + {H.format(key="m.id::text")} %% 35) / 100, true, false
          FROM {T["CommitteeMember"]} m JOIN {T["Committee"]} c ON c.id = m.committee_id
          JOIN {T["Election"]} e ON e.id = c.election_id""",
    f"""INSERT INTO {T["BallotBox"]} (election_id, name, registered, issued, returned, valid, invalid)
        SELECT e.id, '中心票箱', e.registered, e.voted, e.voted, e.voted - e.voted / 50, e.voted / 50
          FROM {T["Election"]} e""",
    # deliberation: 6 topics per community, one step each from a seeded spread over every step
    f"""INSERT INTO {T["Topic"]} (region_id, title, description, state, proposer_id, proposer_user_id, proposed_on,
            decline_reason, participants, notice, meeting_on, meeting_place, attendance, minutes, resolution,
            published_on, owner, due_on, progress, completed_on, feedback, created_at)
        SELECT x.code, (ARRAY{TITLES!r})[1 + x.h %% {len(TITLES)}], '',
               (ARRAY{STATES!r})[x.step + 1], x.proposer, NULL, x.proposed,
               CASE WHEN x.step = 1 THEN '不属于本社区协商范围，已转交相关部门' ELSE '' END,
               CASE WHEN x.step >= 2 THEN '居民代表、物业、业委会' ELSE '' END,
               CASE WHEN x.step >= 3 THEN '议题材料已发放' ELSE '' END,
               CASE WHEN x.step >= 3 THEN x.proposed + 14 END, CASE WHEN x.step >= 3 THEN '社区议事厅' ELSE '' END,
               CASE WHEN x.step >= 4 THEN 12 + x.h %% 30 END,
               CASE WHEN x.step >= 4 THEN '与会人员充分讨论' ELSE '' END,
               CASE WHEN x.step >= 5 THEN '按协商方案实施' ELSE '' END,
               CASE WHEN x.step >= 6 THEN x.proposed + 20 END,
               CASE WHEN x.step >= 5 THEN '社区主任' ELSE '' END,
               CASE WHEN x.step = 7 THEN %(ref)s::date + 20 + x.h %% 70 WHEN x.step >= 5 THEN x.proposed + 90 END,
               CASE WHEN x.step >= 8 THEN 100 WHEN x.step = 7 THEN 10 + x.h %% 80 ELSE 0 END,
               CASE WHEN x.step >= 8 THEN x.proposed + 90 + (CASE WHEN x.h %% 100 < 6 THEN 15 ELSE -(x.h %% 20) END) END,
               CASE WHEN x.step >= 9 THEN '已向居民反馈' ELSE '' END, now()
          FROM (SELECT r.code, {H.format(key="r.code || t.n")} AS h,
                       CASE WHEN t.n <= 2 THEN 8 + t.n %% 2 ELSE {H.format(key="r.code || t.n || 's'")} %% 10 END AS step,
                       (SELECT m.person_id FROM {T["CommitteeMember"]} m JOIN {T["Committee"]} c ON c.id = m.committee_id
                         WHERE c.region_id = r.code AND c.current ORDER BY m.id LIMIT 1) AS proposer,
                       (%(ref)s::date - (100 + {H.format(key="r.code || t.n || 'p'")} %% 260))::date AS proposed
                  FROM civil_affairs_region r CROSS JOIN generate_series(1, 6) t(n)
                 WHERE r.level = 5) x""",
    # each topic's timeline: one entry per step it has passed (progress on the execution step)
    f"""INSERT INTO {T["TopicEntry"]} (topic_id, step, "on", note, progress, evidence, evidence_name, evidence_type,
            actor_id, created_at)
        SELECT t.id, CASE WHEN t.state = 'declined' AND s.n = 2 THEN 'decline' ELSE (ARRAY{ENTRY_STEPS!r})[s.n] END,
               t.proposed_on + (s.n - 1) * 10, '', CASE WHEN s.n = 7 THEN t.progress END, '', '', '', NULL, now()
          FROM {T["Topic"]} t
          JOIN generate_series(1, 8) s(n) ON s.n <= (ARRAY{ENTRY_COUNTS!r})[array_position(ARRAY{STATES!r}, t.state)]""",
    # social organisations: per street 2–5 community organisations (filed there), per district 20–40 others
    f"""INSERT INTO {T["SocialOrg"]} (region_id, name, kind, credit_code, registered_on, legal_rep, business_scope,
            penalised_on, penalty_outstanding, under_investigation, abnormal_since, abnormal_reason,
            violation_since, violation_reason, grade, grade_until)
        SELECT x.code, x.name || (ARRAY['志愿服务队','文体协会','邻里互助会','养老服务社','调解会'])[1 + x.h %% 5] || x.n,
               x.kind, '', (%(ref)s::date - (200 + x.h %% 4000))::date, '', '', NULL, false, false,
               CASE WHEN x.h %% 100 = 7 THEN %(ref)s::date - 60 END, CASE WHEN x.h %% 100 = 7 THEN '未按时报送年报' ELSE '' END,
               NULL, '', '', NULL
          FROM (SELECT r.code, r.name, n, 'community' AS kind, {H.format(key="r.code || n || 'c'")} AS h
                  FROM civil_affairs_region r CROSS JOIN generate_series(1, 5) n
                 WHERE r.level = 4 AND n <= 2 + {H.format(key="r.code || 'k'")} %% 4
                UNION ALL
                SELECT r.code, r.name, n, (ARRAY['group','non_ent','foundation','group','non_ent'])[1 + n %% 5],
                       {H.format(key="r.code || n || 'o'")}
                  FROM civil_affairs_region r CROSS JOIN generate_series(1, 40) n
                 WHERE r.level = 3 AND n <= 20 + {H.format(key="r.code || 'k'")} %% 21) x""",
    # annual reports on the last two years, mostly 合格
    f"""INSERT INTO {T["AnnualReport"]} (org_id, year, submitted_on, late, result)
        SELECT o.id, y, make_date(y + 1, 3, 1) + (h %% 45), (h %% 45) > 30,
               CASE WHEN h %% 20 = 0 THEN 'fail' WHEN h %% 7 = 0 THEN 'basic' ELSE 'pass' END
          FROM {T["SocialOrg"]} o CROSS JOIN LATERAL (VALUES (2024), (2025)) v(y)
          CROSS JOIN LATERAL (SELECT {H.format(key="o.id::text || y::text")} AS h) hh
         WHERE o.registered_on < make_date(y, 12, 31)""",
    # ratings: about 42 %% rated, scores 760–990 graded by the shipped bands, valid 5 years
    f"""INSERT INTO {T["Rating"]} (org_id, applied_on, state, refusal, score, grade, scored_on, valid_until, objection,
            objection_on, objection_due, answered_on, answer)
        SELECT o.id, x.day - 30, 'final', '', x.score,
               CASE WHEN x.score >= 951 THEN '5A' WHEN x.score >= 901 THEN '4A' WHEN x.score >= 851 THEN '3A'
                    WHEN x.score >= 801 THEN '2A' ELSE '1A' END,
               x.day, (x.day + interval '5 years' - interval '1 day')::date, '', NULL, NULL, NULL, ''
          FROM {T["SocialOrg"]} o
          CROSS JOIN LATERAL (SELECT (%(ref)s::date - ({H.format(key="o.id::text || 'r'")} %% 1700))::date AS day,
                                     760 + {H.format(key="o.id::text || 's'")} %% 231 AS score) x
         WHERE {H.format(key="o.id::text || 'q'")} %% 100 < 42 AND o.registered_on <= x.day - 760""",
    f"""UPDATE {T["SocialOrg"]} o SET grade = r.grade, grade_until = r.valid_until
          FROM {T["Rating"]} r WHERE r.org_id = o.id AND r.state = 'final'""",
    # elections coming up: committees whose term ends within 6 months start theirs (voter roll not built yet)
    f"""INSERT INTO {T["Election"]} (region_id, election_day, seats, state, committee_formed_on, election_committee,
            registered, voted, turnout, valid, runoff_required, handover_late, created_at)
        SELECT c.region_id, greatest(c.term_end, %(ref)s::date + 30), 5, 'preparing', %(ref)s::date - 5,
               '选举委员会主任、委员各一名', NULL, NULL, NULL, NULL, false, false, now()
          FROM {T["Committee"]} c
         WHERE c.current AND c.term_end BETWEEN %(ref)s::date AND %(ref)s::date + 180""",
]


def seed(*, seed: int, progress=None) -> dict:
    progress = progress or (lambda _m: None)
    params = {"seed": str(seed), "ref": REFERENCE_DATE}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred checks of earlier rows fire now, not at TRUNCATE
        cursor.execute(f"TRUNCATE {', '.join(T.values())} RESTART IDENTITY CASCADE")
        for sql in STATEMENTS:
            cursor.execute(sql, params)
        # the grade score bands in force, as dated parameters of the city (the shipped defaults, from 2020)
        cursor.execute(
            "INSERT INTO civil_affairs_parameter (region_id, key, value, effective_from, note, created_at) "
            "SELECT r.code, b.key, b.value, DATE '2020-01-01', %s, now() FROM civil_affairs_region r "
            "CROSS JOIN (SELECT * FROM unnest(%s::text[], %s::numeric[])) b(key, value) WHERE r.level = 2 "
            "ON CONFLICT (region_id, key, effective_from) DO NOTHING",
            [
                "社会组织评估管理办法（民政部令第39号）",
                [BAND_KEYS[g] for g in rules.GRADES],
                [rules.DEFAULT_BANDS[g] for g in rules.GRADES],
            ],
        )
        counts = {}
        for key in ("Committee", "Election", "Topic", "SocialOrg", "Rating"):
            cursor.execute(f"SELECT count(*) FROM {T[key]}")
            counts[key] = cursor.fetchone()[0]
        cursor.execute(f"ANALYZE {', '.join(T.values())}")
    progress(
        _("基层治理：委员会 %(c)d 个，选举 %(e)d 场，协商议题 %(t)d 个，社会组织 %(o)d 个（已评估 %(r)d 个）。")
        % {
            "c": counts["Committee"],
            "e": counts["Election"],
            "t": counts["Topic"],
            "o": counts["SocialOrg"],
            "r": counts["Rating"],
        }
    )
    return counts
