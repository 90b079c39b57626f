"""Relief's standards and holiday calendar move to the core with their data:
relief_standard → civil_affairs_parameter (same keys), relief_calendarday →
civil_affairs_calendarday (a row that differs from the package's seeding is an
administrator's and wins), then the relief tables go."""
from django.db import migrations

COPY = """
INSERT INTO civil_affairs_parameter (region_id, key, value, effective_from, note, created_at)
SELECT region_id, key, value, effective_from, note, created_at FROM relief_standard;

INSERT INTO civil_affairs_calendarday (date, is_working_day, name, source)
SELECT date, is_working_day, name, 'admin' FROM relief_calendarday
ON CONFLICT (date) DO UPDATE SET is_working_day = EXCLUDED.is_working_day, name = EXCLUDED.name, source = 'admin'
WHERE civil_affairs_calendarday.is_working_day IS DISTINCT FROM EXCLUDED.is_working_day;
"""

COPY_BACK = """
INSERT INTO relief_standard (region_id, key, value, effective_from, note, created_at)
SELECT region_id, key, value, effective_from, note, created_at FROM civil_affairs_parameter;

INSERT INTO relief_calendarday (date, is_working_day, name)
SELECT date, is_working_day, name FROM civil_affairs_calendarday;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("civil_affairs", "0010_calendar_seed"),
        ("relief", "0007_application_missing_documents_note"),
    ]

    operations = [
        migrations.RunSQL(COPY, COPY_BACK),
        migrations.DeleteModel(name="Standard"),
        migrations.DeleteModel(name="CalendarDay"),
    ]
