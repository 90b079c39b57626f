"""The working-day calendar in the core (issue 11 item 3): seeded from the
chinese-calendar package for the years it knows, administrators' rows kept
over the package's, deadlines counted in working days."""

import datetime as dt
import importlib
from io import StringIO

from django.apps import apps as django_apps
from django.core.management import call_command

from civil_affairs.calendar import (
    add_working_days,
    calendar_exceptions,
    calendar_seed,
    deadline_after,
    is_working_day,
    package_days,
    package_years,
    working_days_left,
)
from civil_affairs.models import AuditEvent, CalendarDay, Role


def test_the_working_day_rules_on_plain_values():
    exceptions = {dt.date(2026, 11, 3): False, dt.date(2026, 11, 7): True}  # a Tuesday off, a Saturday on
    assert not is_working_day(dt.date(2026, 11, 3), exceptions)
    assert is_working_day(dt.date(2026, 11, 7), exceptions)
    assert not is_working_day(dt.date(2026, 11, 8), exceptions)
    assert add_working_days(dt.date(2026, 11, 2), 3, exceptions) == dt.date(2026, 11, 6)
    assert working_days_left(dt.date(2026, 11, 2), dt.date(2026, 11, 9), exceptions) == 5
    assert working_days_left(dt.date(2026, 11, 11), dt.date(2026, 11, 9), exceptions) == -2


def test_seeding_adds_the_packages_days_once(db):
    CalendarDay.objects.all().delete()  # what the migration loaded: seed it again from nothing
    first, last = package_years()
    assert first <= 2024 and last >= 2026
    added = calendar_seed()
    assert added == len(package_days()) == CalendarDay.objects.count()
    national_day = CalendarDay.objects.get(date=dt.date(2026, 10, 1))
    assert (national_day.is_working_day, national_day.name, national_day.source) == (False, "国庆节", "package")
    swapped = CalendarDay.objects.get(date=dt.date(2026, 10, 10))  # a Saturday worked in exchange
    assert (swapped.is_working_day, swapped.name) == (True, "国庆节调休上班")
    assert calendar_seed() == 0


def test_the_data_migration_seeds_the_calendar(db):
    CalendarDay.objects.all().delete()
    migration = importlib.import_module("civil_affairs.migrations.0010_calendar_seed")
    migration.seed(django_apps, None)
    assert CalendarDay.objects.filter(date__year=2026).count() > 20


def test_deadlines_cross_the_national_day_holiday(db):
    calendar_seed()
    # 30 Sep 2026 + 3 working days: 1–7 Oct off, Thu 8, Fri 9, and Saturday 10 Oct worked in exchange
    assert deadline_after(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert calendar_exceptions(dt.date(2026, 10, 9), dt.date(2026, 10, 11)) == {dt.date(2026, 10, 10): True}


def test_an_administrators_change_wins_over_the_package_and_is_audited(regions, users, login):
    calendar_seed()
    client = login(users[Role.BUREAU_ADMIN])
    page = client.get("/admin/civil_affairs/calendarday/?source__exact=package").content.decode()
    assert "国庆节调休上班" in page
    response = client.post(
        "/admin/civil_affairs/calendarday/2026-10-10/change/",
        {"date": "2026-10-10", "name": "本市不调休", "is_working_day": ""},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 10))
    assert (day.is_working_day, day.source) == (False, CalendarDay.Source.ADMIN)
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.calendarday", target_id="2026-10-10", changes__admin=True
    ).exists()
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert "新增 0 天" in out.getvalue()
    assert not CalendarDay.objects.get(date=dt.date(2026, 10, 10)).is_working_day  # the table wins
    assert deadline_after(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 12)  # Monday, not the Saturday
