"""The nightly check for parents' conditions past their expected end as a
django-celery-beat row (03:45) that administrators can change or pause."""

from django.db import migrations

NAME = "儿童福利：每晚检查父母情形是否已到预计结束日期"


def add(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.update_or_create(
        name=NAME, defaults={"task": "childcare.conditions_ended_nightly", "crontab": crontab, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("childcare", "0002_defaults_and_schedule")]

    operations = [migrations.RunPython(add, remove)]
