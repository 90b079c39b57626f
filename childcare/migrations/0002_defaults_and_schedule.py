"""Childcare's default parameters (DOMAIN.md demo figures, effective 2020-01-01)
at every top region already present, and the monthly allowance batch as a
django-celery-beat row (the 5th, 04:00, for that month) that administrators can
change or pause.  Regions created later are covered by the same defaults in
code (childcare.selectors.standards_in_force) until a row is set."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "childcare_rate_institutional": Decimal("2760.00"),
    "childcare_rate_dispersed": Decimal("2200.00"),
    "childcare_rate_unsupported": Decimal("2200.00"),
    "childcare_age_end": Decimal(18),
    "childcare_school_age_end": Decimal(22),
    "childcare_condition_months": Decimal(6),
    "childcare_check_working_days": Decimal(15),
    "childcare_decision_working_days": Decimal(15),
    "childcare_visit_months_high": Decimal(1),
    "childcare_visit_months_medium": Decimal(3),
    "childcare_visit_months_low": Decimal(6),
    "childcare_first_visit_days_high": Decimal(2),
    "childcare_first_visit_days_medium": Decimal(5),
    "childcare_first_visit_days_low": Decimal(10),
}
SINCE = dt.date(2020, 1, 1)
SCHEDULE = ("儿童福利：每月基本生活费花名册", "childcare.allowance_monthly", "4", "0", "5")


def add(apps, schema_editor):
    Region = apps.get_model("civil_affairs", "Region")
    Parameter = apps.get_model("civil_affairs", "Parameter")
    for region in Region.objects.filter(parent__isnull=True):
        for key, value in DEFAULTS.items():
            Parameter.objects.get_or_create(
                region=region, key=key, effective_from=SINCE, defaults={"value": value, "note": "默认值（DOMAIN.md）"}
            )
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, hour, minute, day = SCHEDULE
    crontab, _ = Crontab.objects.get_or_create(
        minute=minute, hour=hour, day_of_week="*", day_of_month=day, month_of_year="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()
    apps.get_model("civil_affairs", "Parameter").objects.filter(key__in=list(DEFAULTS), effective_from=SINCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("childcare", "0001_initial"),
        ("civil_affairs", "0009_parameter_calendarday"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add, remove)]
