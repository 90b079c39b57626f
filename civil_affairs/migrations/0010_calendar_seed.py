"""The holidays and 调休 working days of the chinese-calendar release installed
(civil_affairs.calendar.calendar_seed; `manage.py calendar_seed` adds later years)."""
from django.db import migrations


def seed(apps, schema_editor):
    from civil_affairs.calendar import calendar_seed

    calendar_seed(apps.get_model("civil_affairs", "CalendarDay"))


class Migration(migrations.Migration):

    dependencies = [
        ("civil_affairs", "0009_parameter_calendarday"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
