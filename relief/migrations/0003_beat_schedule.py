"""The nightly eligibility recheck (02:00) and the monthly price-linkage batch
(the 20th, 03:00, for the month before: the statistics office publishes the
index mid-month) as django-celery-beat rows, so administrators can change or
pause them in the admin."""
from django.db import migrations

SCHEDULES = [
    # name, task, hour, minute, day of month
    ("核对：每晚资格复核", "relief.recheck_nightly", "2", "0", "*"),
    ("物价补贴联动：每月批处理", "relief.price_linkage_monthly", "3", "0", "20"),
]


def add(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute, day in SCHEDULES:
        crontab, _ = Crontab.objects.get_or_create(minute=minute, hour=hour, day_of_week="*", day_of_month=day,
                                                   month_of_year="*", timezone="Asia/Shanghai")
        Periodic.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0002_feeds_tasks_price_linkage"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add, remove)]
