"""The nightly bed/resident consistency check as a django-celery-beat row (03:30)."""

from django.db import migrations

NAME = "养老服务：每晚床位与入住一致性检查"


def add(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.update_or_create(
        name=NAME, defaults={"task": "eldercare.beds_check_nightly", "crontab": crontab, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0004_institutions"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(add, remove)]
