"""Eldercare's parameter defaults (DOMAIN.md demo values) at city level from
2020-01-01 for every city already in the tree (a fresh install seeds its
city later: the seeder writes the same rows, and the code falls back to
the same values where no row is in force), and the monthly senior-allowance
batch as a django-celery-beat row (the 1st, 04:00), editable in the admin."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "senior_allowance_80": Decimal("50.00"),
    "senior_allowance_90": Decimal("150.00"),
    "senior_allowance_100": Decimal("500.00"),
    "homecare_allowance_poor": Decimal("200.00"),
    "homecare_allowance_other": Decimal("100.00"),
    "homecare_allowance_severe_extra": Decimal("100.00"),
    "meal_subsidy_general": Decimal("3.00"),
    "meal_subsidy_poor": Decimal("8.00"),
    "meal_daily_cap": Decimal("2"),
    "assessment_valid_months": Decimal("12"),
}
SCHEDULES = [
    # name, task, hour, minute, day of month
    ("养老服务：每月发放尊老金", "eldercare.senior_allowance_monthly", "4", "0", "1"),
]


def add(apps, schema_editor):
    Region = apps.get_model("civil_affairs", "Region")
    Parameter = apps.get_model("civil_affairs", "Parameter")
    for city in Region.objects.filter(level=2):
        for key, value in DEFAULTS.items():
            Parameter.objects.get_or_create(
                region=city, key=key, effective_from=dt.date(2020, 1, 1), defaults={"value": value, "note": "默认值"}
            )
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute, day in SCHEDULES:
        crontab, _ = Crontab.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month=day, month_of_year="*", timezone="Asia/Shanghai"
        )
        Periodic.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()
    apps.get_model("civil_affairs", "Parameter").objects.filter(
        key__in=list(DEFAULTS), effective_from=dt.date(2020, 1, 1), note="默认值"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("eldercare", "0001_initial"),
        ("civil_affairs", "0012_person_name_pinyin_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add, remove)]
