"""Visits to the vulnerable elderly (探访关爱) on PostgreSQL, with numbers: who
the nightly list holds (60 alone is on, 59 is not — age on the build date;
empty nest; dibao + 中度失能; the 计生特扶 feed), a rerun adds nothing, an
elder who moved in with someone younger is ended with the reason, visits due
7 days after the last one seen and overdue on the 8th, a visit opening one
relief draft, the command, the pages and the dashboard figure."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from civil_affairs import feeds
from civil_affairs.models import AuditEvent, BatchRun, FeedRecord, HouseholdMember, Role
from civil_affairs.services import DomainError, batchrun_create
from eldercare import rules
from eldercare.models import Assessment, VulnerableElder, VulnerableVisit
from eldercare.selectors import indicators
from eldercare.selectors import vulnerable as selectors
from eldercare.services import vulnerable as services
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
from tests.eldercare.factories import id_number_born

DAY = dt.date(2026, 12, 15)  # the build date (the fixture's today)
_numbers = iter(range(700, 999))


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "age, ages, dibao, level, fp, expected",
    [
        (60, [60], False, None, False, ["alone"]),
        (59, [59], False, None, False, []),  # under 60 on the build date
        (72, [72, 68], False, None, False, ["empty_nest"]),
        (72, [72, 40], False, None, False, []),  # lives with a younger member
        (72, [72, 40], True, 2, False, ["disabled_dibao"]),  # dibao, 中度失能
        (72, [72, 40], True, 1, False, ["disabled_dibao"]),  # 轻度失能 counts too (半失能)
        (72, [72, 40], True, 0, False, []),  # 能力完好
        (72, [72, 40], False, 3, False, []),  # 重度失能 but not on dibao
        (72, [72, 40], True, None, False, []),  # dibao, never assessed
        (66, [66, 35], False, None, True, ["fp_support"]),
        (81, [81], True, 4, True, ["alone", "disabled_dibao", "fp_support"]),
        (81, None, False, None, True, ["fp_support"]),  # no household record
    ],
)
def test_vulnerable_reasons(age, ages, dibao, level, fp, expected):
    assert rules.vulnerable_reasons(age=age, household_ages=ages, dibao=dibao, level=level, fp_support=fp) == expected


def test_age_on_the_build_date():
    assert rules.age_on(dt.date(1966, 12, 15), DAY) == 60
    assert rules.age_on(dt.date(1966, 12, 16), DAY) == 59
    assert rules.age_on(dt.date(1964, 2, 29), dt.date(2024, 2, 28)) == 59
    assert rules.age_on(dt.date(1964, 2, 29), dt.date(2024, 2, 29)) == 60


def test_visit_due_7_days_after_and_overdue_on_the_8th():
    due = rules.visit_next_due(last_seen=dt.date(2026, 12, 1), interval_days=7)
    assert due == dt.date(2026, 12, 8)
    assert not rules.visit_overdue(next_due=due, today=dt.date(2026, 12, 8))
    assert rules.visit_overdue(next_due=due, today=dt.date(2026, 12, 9))
    days = [dt.date(2026, 12, 8), dt.date(2026, 12, 9), dt.date(2026, 12, 7)]
    assert rules.on_time_share(due_dates=days, today=dt.date(2026, 12, 8)) == Decimal("66.7")
    assert rules.on_time_share(due_dates=[], today=DAY) is None


# ---------------------------------------------------------------- the list


def _household(region, *births, number=None):
    household = HouseholdFactory(region=region, number=number or f"H3206120010{next(_numbers):05d}")
    people = []
    for i, birth in enumerate(births):
        relation = HouseholdMember.Relation.HEAD if i == 0 else HouseholdMember.Relation.SPOUSE
        member = MemberFactory(
            household=household,
            relation=relation,
            person__id_number=id_number_born(birth),
            person__residence_region=region,
            person__hukou_region=region,
        )
        people.append(member.person)
    return household, people


def _build(day=DAY, user=None):
    run = batchrun_create(kind=services.KIND, params={"date": day.isoformat()}, user=user)
    return services.visit_list_build_run(run_id=run.pk)


def _open(person):
    return VulnerableElder.objects.filter(person=person, ended_on__isnull=True).first()


def _dibao(household, recipient):
    from relief.models import Benefit

    Benefit.objects.create(
        household=household,
        recipient=recipient,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=dt.date(2026, 1, 1),
    )


def _assess(person, level, on=dt.date(2026, 6, 1)):
    Assessment.objects.create(
        person=person,
        level=level,
        assessor="评估员",
        assessed_on=on,
        valid_until=on.replace(year=on.year + 1),
        region_id=person.residence_region_id,
    )


@pytest.fixture
def city(today, elder_params, regions):
    r = regions["jinsha_1"]
    _h, (sixty,) = _household(r, dt.date(1966, 12, 15))
    _h, (fifty_nine,) = _household(r, dt.date(1966, 12, 16))
    _h, couple = _household(r, dt.date(1950, 1, 1), dt.date(1955, 5, 5))
    _h, (mixed_old, mixed_young) = _household(r, dt.date(1950, 1, 1), dt.date(1966, 12, 16))
    dibao_home, (dibao_old, _son) = _household(r, dt.date(1956, 3, 3), dt.date(1990, 3, 3))
    _dibao(dibao_home, dibao_old)
    _assess(dibao_old, 2)  # 中度失能
    intact_home, (intact_old, _d) = _household(r, dt.date(1956, 3, 3), dt.date(1990, 3, 3))
    _dibao(intact_home, intact_old)
    _assess(intact_old, 0)  # 能力完好
    return {
        "sixty": sixty,
        "fifty_nine": fifty_nine,
        "couple": couple,
        "mixed_old": mixed_old,
        "mixed_young": mixed_young,
        "dibao_old": dibao_old,
        "intact_old": intact_old,
    }


def test_the_list_from_the_registry_relief_and_assessments(city, users):
    summary = _build()
    assert summary["added"] == 4 and summary["listed"] == 4 and summary["ended"] == 0
    assert _open(city["sixty"]).reasons == ["alone"]  # 60 on the build date, living alone
    assert _open(city["fifty_nine"]) is None  # 59: not on
    assert [_open(p).reasons for p in city["couple"]] == [["empty_nest"], ["empty_nest"]]
    assert _open(city["mixed_old"]) is None and _open(city["mixed_young"]) is None
    entry = _open(city["dibao_old"])
    assert entry.reasons == ["disabled_dibao"]  # dibao recipient assessed 中度失能
    assert _open(city["intact_old"]) is None
    # each gets a weekly visit: due 7 days after listing, in the elder's community
    assert entry.listed_on == DAY and entry.next_due == dt.date(2026, 12, 22) and entry.region_id == "320612001001"
    assert (
        AuditEvent.objects.filter(target_type="eldercare.vulnerableelder", changes__step="vulnerable_listed").count()
        == 4
    )


def test_rerun_adds_nothing_and_ends_with_a_reason(city, users, regions):
    _build()
    again = _build()
    assert (again["added"], again["changed"], again["ended"], again["listed"]) == (0, 0, 0, 4)
    assert VulnerableElder.objects.count() == 4
    # the 60-year-old moves into a household with a 40-year-old: ended, with why
    home, _people = _household(regions["jinsha_1"], dt.date(1986, 1, 1))
    HouseholdMember.objects.filter(person=city["sixty"]).update(household=home, relation="other")
    # one of the couple dies: ended as died; the survivor is now alone (reason changed, not re-listed)
    first, second = city["couple"]
    first.death_date = dt.date(2026, 12, 20)
    first.save(update_fields=["death_date"])
    with pytest.raises(DomainError, match="将来"):
        _build(dt.date(2026, 12, 21))
    first.death_date = dt.date(2026, 12, 14)
    first.save(update_fields=["death_date"])
    third = _build()
    assert (third["added"], third["changed"], third["ended"], third["listed"]) == (0, 1, 2, 2)
    moved = VulnerableElder.objects.get(person=city["sixty"])
    assert moved.ended_on == DAY and moved.end_reason == "younger_member"
    assert moved.get_end_reason_display() == "与60岁以下家庭成员同住"
    assert VulnerableElder.objects.get(person=first).end_reason == "died"
    assert _open(second).reasons == ["alone"]
    ended = AuditEvent.objects.get(target_id=str(moved.pk), changes__step="vulnerable_ended")
    assert ended.changes["end_reason"] == "younger_member"


def test_a_family_planning_support_feed_row_puts_a_person_on(today, elder_params, regions):
    kind = feeds.feed_kinds()["fp_support"]
    assert kind.columns[:4] == ("id_number", "name", "support_type", "start_date")
    sample = feeds.feed_sample_path(kind="fp_support")
    assert sample.name == "family_planning_support.csv" and sample.is_file()
    # the sample's first person (born 1958) lives with a younger son; the third's support ended on 2026-06-30
    home = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000950")
    MemberFactory(household=home, person__id_number="320612195803122112", person__residence_region=regions["jinsha_1"])
    MemberFactory(household=home, relation="child", person__id_number=id_number_born(dt.date(1985, 1, 1)))
    ended = MemberFactory(
        household=HouseholdFactory(region=regions["wenfeng_1"], number="H320613001000950"),
        person__id_number="320613195511204315",
        person__residence_region=regions["wenfeng_1"],
    ).person
    MemberFactory(household=ended.membership.household, relation="child")
    run = feeds.feed_import_file(kind="fp_support", path=sample)
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["counts"]["added"] == 3
    assert FeedRecord.objects.get(kind="fp_support", id_number="320612195803122112").detail["support_type"] == "died"
    assert _build()["added"] == 1
    entry = VulnerableElder.objects.get()
    assert entry.person.id_number == "320612195803122112" and entry.reasons == ["fp_support"]
    # the same file again adds nothing
    assert feeds.feed_import_file(kind="fp_support", path=sample).result["counts"]["added"] == 0


def test_bad_feed_rows_have_clear_reasons(db, today, tmp_path):
    path = tmp_path / "fp.csv"
    path.write_text(
        "id_number,support_type,start_date\n320612195803122112,独生子女残疾,2020-01-01\n"
        "320612195803122112,死亡,2030-01-01\n",
        encoding="utf-8",
    )
    run = feeds.feed_import_file(kind="fp_support", path=path)
    assert run.result["counts"]["bad"] == 2
    reasons = [e["reason"] for e in run.errors]
    assert "support_type" in reasons[0] and "晚于今天" in reasons[1]


def test_the_command(city, users):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("build_visit_list", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="将来"):
        call_command("build_visit_list", "--date", "2027-01-01")
    call_command("build_visit_list")
    assert VulnerableElder.objects.filter(ended_on__isnull=True).count() == 4


# ---------------------------------------------------------------- visits


@pytest.fixture
def listed(city, users):
    _build(dt.date(2026, 12, 1))  # the 60-year-old is 59 on that day: the couple and the dibao elder are listed
    assert VulnerableElder.objects.count() == 3
    return _open(city["couple"][0])


def _checks(value="ok"):
    return dict.fromkeys(services.CHECK_ITEMS, value)


def test_visit_due_7_days_after_the_last_and_overdue_on_day_8(listed, users):
    worker = users[Role.COMMUNITY_WORKER]
    assert listed.next_due == dt.date(2026, 12, 8)
    visit = services.visit_record(
        actor=worker, entry=listed, visited_on=dt.date(2026, 12, 3), seen=True, checks=_checks(), notes="身体好"
    )
    listed.refresh_from_db()
    assert visit.on_time and listed.last_visit_on == dt.date(2026, 12, 3) and listed.next_due == dt.date(2026, 12, 10)
    queue = selectors.queue_for_user(worker, today=dt.date(2026, 12, 10))
    assert listed.pk not in [e.pk for e in queue if e.overdue]
    queue = selectors.queue_for_user(worker, today=dt.date(2026, 12, 11))  # the 8th day after the visit
    assert listed.pk in [e.pk for e in queue if e.overdue]
    assert selectors.queue_counts(worker, today=dt.date(2026, 12, 11)) == {"open": 3, "overdue": 3}
    # an attempt without seeing the elder is recorded and leaves the visit due
    late = services.visit_record(
        actor=worker, entry=listed, visited_on=dt.date(2026, 12, 12), seen=False, checks={}, notes="住院中"
    )
    listed.refresh_from_db()
    assert not late.on_time and listed.next_due == dt.date(2026, 12, 10)
    assert (
        AuditEvent.objects.filter(target_type="eldercare.vulnerablevisit", changes__step="vulnerable_visit").count()
        == 2
    )


def test_visit_input_is_checked(listed, users):
    worker = users[Role.COMMUNITY_WORKER]
    with pytest.raises(DomainError, match="身体状况"):
        services.visit_record(actor=worker, entry=listed, visited_on=DAY, seen=True, checks={}, notes="")
    with pytest.raises(DomainError, match="写明"):
        services.visit_record(actor=worker, entry=listed, visited_on=DAY, seen=False, checks={}, notes=" ")
    with pytest.raises(DomainError, match="晚于今天"):
        services.visit_record(actor=worker, entry=listed, visited_on=dt.date(2026, 12, 16), seen=True, checks=_checks())
    with pytest.raises(DomainError, match="权限"):  # another street's caseworker
        services.visit_record(
            actor=users["other_caseworker"], entry=listed, visited_on=DAY, seen=True, checks=_checks()
        )
    assert VulnerableVisit.objects.count() == 0


def test_a_visit_opens_one_relief_temporary_assistance_draft(listed, users):
    from relief.models import Application

    worker = users[Role.COMMUNITY_WORKER]
    visit = services.visit_record(
        actor=worker, entry=listed, visited_on=DAY, seen=True, checks=_checks("concern"), notes="冬季取暖困难"
    )
    application = services.visit_refer_relief(actor=worker, visit=visit, reason="取暖费用无力承担")
    assert Application.objects.count() == 1
    application = Application.objects.get()
    assert (application.kind, application.temporary_type, application.state) == ("temporary", "expenditure", "draft")
    assert application.household_id == listed.person.membership.household_id and "取暖费用" in application.reason
    visit.refresh_from_db()
    assert visit.relief_application == application.number
    with pytest.raises(DomainError, match="已转介"):
        services.visit_refer_relief(actor=worker, visit=visit, reason="再次")
    assert Application.objects.count() == 1


def test_visits_on_time_indicator(listed, users, regions):
    worker = users[Role.COMMUNITY_WORKER]
    services.visit_record(actor=worker, entry=listed, visited_on=DAY, seen=True, checks=_checks())
    # 3 open entries: the one visited today is due 2026-12-22, the other two were due 2026-12-08 (overdue)
    values = indicators.visits_on_time(regions["city"], DAY)
    assert values == {"320612000000": Decimal("33.3")}


# ---------------------------------------------------------------- pages


def test_the_worker_queue_page_and_an_elders_page(listed, users, client):
    worker = users[Role.COMMUNITY_WORKER]
    client.force_login(worker)
    page = client.get(reverse("eldercare:vulnerable"))
    html = page.content.decode()
    assert page.status_code == 200 and "逾期 7 天" in html and listed.person.name in html
    assert listed.person.id_number not in html  # masked
    page = client.get(reverse("eldercare:vulnerable_entry", args=[listed.pk]))
    assert page.status_code == 200 and "空巢" in page.content.decode()
    assert AuditEvent.objects.filter(action="view", target_type="eldercare.vulnerableelder").count() == 1
    form = {"visited_on": DAY.isoformat(), "seen": "yes", "notes": "一切正常"}
    form.update({f"check_{k}": "ok" for k in services.CHECK_ITEMS})
    # a refused visit (a date in the future) shows the form again with what was typed
    future = {**form, "visited_on": (DAY + dt.timedelta(days=3)).isoformat(), "seen": "no", "check_food": "concern"}
    refused = client.post(reverse("eldercare:vulnerable_visit", args=[listed.pk]), future)
    html = refused.content.decode()
    assert refused.status_code == 400 and "探访日期不能晚于今天" in html
    assert "一切正常</textarea>" in html and 'value="no" checked' in html and future["visited_on"] in html
    assert '<option value="concern" selected>' in html
    assert not VulnerableVisit.objects.filter(entry=listed).exists()
    response = client.post(reverse("eldercare:vulnerable_visit", args=[listed.pk]), form)
    assert response.status_code == 302 and VulnerableVisit.objects.filter(entry=listed, notes="一切正常").exists()
    client.force_login(users["other_caseworker"])
    assert client.get(reverse("eldercare:vulnerable_entry", args=[listed.pk])).status_code == 404


def test_the_bureau_builds_the_list_with_a_button(today, elder_params, users, client, settings):
    client.force_login(users[Role.BUREAU_ADMIN])
    response = client.post(reverse("eldercare:vulnerable_build"))
    assert response.status_code == 302
    run = BatchRun.objects.get(kind=services.KIND)
    assert run.params["date"] == today.isoformat()


def test_person_360_row_and_the_api(listed, users, client):
    from eldercare.selectors.person360 import person_rows

    rows = [r for r in person_rows(users[Role.COMMUNITY_WORKER], listed.person) if str(r.kind) == "探访关爱"]
    assert len(rows) == 1 and rows[0].title == "空巢" and "2026-12-08" in rows[0].status
    assert not [r for r in person_rows(users["other_caseworker"], listed.person) if str(r.kind) == "探访关爱"]
    client.force_login(users[Role.COMMUNITY_WORKER])
    data = client.get("/api/eldercare/vulnerable-elders/").json()
    assert [row["next_due"] for row in data["results"]] == ["2026-12-08"] * 3
    assert all("*" in row["id_number"] for row in data["results"])
    detail = client.get(f"/api/eldercare/vulnerable-elders/{listed.pk}/").json()
    assert detail["reasons"] == ["empty_nest"] and detail["name"] == listed.person.name
    assert AuditEvent.objects.filter(action="view", target_id=str(listed.pk)).count() == 1


def test_the_queue_exports_to_excel_masked_and_audited(listed, users, client):
    import io

    import openpyxl

    client.force_login(users[Role.COMMUNITY_WORKER])
    response = client.get(reverse("eldercare:vulnerable") + "?export=xlsx&overdue=1")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("老人", "公民身份号码") and len(rows) == 4  # three overdue on the 15th
    assert all("*" in r[1] for r in rows[1:]) and {r[7] for r in rows[1:]} == {7}
    assert AuditEvent.objects.filter(action="export", target_type="eldercare.vulnerableelder").count() == 1


def test_a_visit_through_the_api(listed, users, client):
    client.force_login(users[Role.COMMUNITY_WORKER])
    url = f"/api/eldercare/vulnerable-elders/{listed.pk}/visits/"
    bad = client.post(url, {"visited_on": "2026-12-10", "seen": True, "checks": {"health": "ok"}}, "application/json")
    assert bad.status_code == 400 and "居家安全" in bad.json()["detail"]
    ok = client.post(
        url,
        {"visited_on": "2026-12-10", "seen": True, "checks": _checks(), "notes": "良好"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["next_due"] == "2026-12-17"
    client.force_login(users[Role.REVIEWER])
    assert client.post(url, {}, content_type="application/json").status_code == 403


def test_an_end_date_in_a_later_file_ends_the_support(today, elder_params, regions, tmp_path):
    home = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000951")
    MemberFactory(household=home, person__id_number="320612195803122112", person__residence_region=regions["jinsha_1"])
    MemberFactory(household=home, relation="child", person__id_number=id_number_born(dt.date(1985, 1, 1)))
    feeds.feed_import_file(kind="fp_support", path=feeds.feed_sample_path(kind="fp_support"))
    assert _build(dt.date(2026, 12, 1))["added"] == 1
    path = tmp_path / "ended.csv"
    path.write_text(
        "id_number,support_type,start_date,end_date\n320612195803122112,独生子女死亡,2018-01-01,2026-12-10\n",
        encoding="utf-8",
    )
    assert feeds.feed_import_file(kind="fp_support", path=path).result["counts"]["added"] == 1
    assert _build(dt.date(2026, 12, 10))["ended"] == 0  # the last day of the support still counts
    summary = _build()
    assert summary["ended"] == 1
    entry = VulnerableElder.objects.get()
    assert (entry.ended_on, entry.end_reason) == (DAY, "no_longer")


def test_the_nightly_task_runs_once_a_day(today, elder_params):
    """The data migration's beat row (made again here: a transactional test elsewhere may have flushed it)."""
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from civil_affairs.celery import app

    importlib.import_module("eldercare.migrations.0008_vulnerable_visits").add_schedule(apps, None)
    row = PeriodicTask.objects.get(task="eldercare.vulnerable_list_nightly")
    assert row.enabled and (row.crontab.hour, row.crontab.minute) == ("3", "45")
    app.loader.import_default_modules()
    assert "eldercare.vulnerable_list_nightly" in app.tasks
    first = services.visit_list_nightly()
    assert first is not None and first.params["date"] == DAY.isoformat()
    assert services.visit_list_nightly() is None  # queued already: nothing more
