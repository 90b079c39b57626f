"""System runs (no creator: Celery beat, commands) were filed under the
province row above the city, in nobody's jurisdiction; file the existing ones
under the city, as batchrun_create now does (issue 10 finding 6)."""
from django.db import migrations

PROVINCE, CITY = 1, 2  # Region.Level


def system_runs_under_city(apps, schema_editor):
    Region = apps.get_model("civil_affairs", "Region")
    BatchRun = apps.get_model("civil_affairs", "BatchRun")
    city = Region.objects.filter(level=CITY).order_by("code").first()
    if city is not None:
        BatchRun.objects.filter(created_by__isnull=True, region__level=PROVINCE).update(region=city)


class Migration(migrations.Migration):

    dependencies = [
        ("civil_affairs", "0006_person_id_last4_index"),
    ]

    operations = [
        migrations.RunPython(system_runs_under_city, migrations.RunPython.noop),
    ]
