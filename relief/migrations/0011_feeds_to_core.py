"""Data-exchange feed rows move to the core with their data (issue 11 item 3):
relief_feedrecord → civil_affairs_feedrecord (same ids, so review tasks keep
their evidence row; the id sequence continues after them), review tasks point
at the core's rows, and the feed import runs become the core's batch kind
"feed_import" (so a run interrupted before the move resumes on the core's
task); then relief's table goes."""

import django.db.models.deletion
from django.db import migrations, models

COPY = """
INSERT INTO civil_affairs_feedrecord (id, kind, id_number, name, key, event_date, amount, detail, run_id,
                                      imported_at, checked_at)
SELECT id, kind, id_number, name, key, event_date, amount, detail, run_id, imported_at, checked_at
FROM relief_feedrecord ORDER BY id;
SELECT setval(pg_get_serial_sequence('civil_affairs_feedrecord', 'id'),
              GREATEST((SELECT max(id) FROM civil_affairs_feedrecord), 1),
              (SELECT max(id) IS NOT NULL FROM civil_affairs_feedrecord));
UPDATE civil_affairs_batchrun SET kind = 'feed_import' WHERE kind = 'relief_feed_import';
ANALYZE civil_affairs_feedrecord;
"""

COPY_BACK = """
INSERT INTO relief_feedrecord (id, kind, id_number, name, key, event_date, amount, detail, run_id,
                               imported_at, checked_at)
SELECT id, kind, id_number, name, key, event_date, amount, detail, run_id, imported_at, checked_at
FROM civil_affairs_feedrecord ORDER BY id;
SELECT setval(pg_get_serial_sequence('relief_feedrecord', 'id'),
              GREATEST((SELECT max(id) FROM relief_feedrecord), 1),
              (SELECT max(id) IS NOT NULL FROM relief_feedrecord));
"""

# Backwards, after review tasks point at relief's table again.
FORGET = """
UPDATE civil_affairs_batchrun SET kind = 'relief_feed_import' WHERE kind = 'feed_import';
DELETE FROM civil_affairs_feedrecord;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("civil_affairs", "0014_feedrecord"),
        ("relief", "0010_rolls_on_core_district_roll"),
    ]

    operations = [
        migrations.RunSQL(COPY, FORGET),
        migrations.AlterField(
            model_name="reviewtask",
            name="feed_record",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="civil_affairs.feedrecord",
                verbose_name="比对数据",
            ),
        ),
        # backwards: relief's table is made again (DeleteModel reversed) and filled before the FK moves back
        migrations.RunSQL(migrations.RunSQL.noop, COPY_BACK),
        migrations.DeleteModel(name="FeedRecord"),
    ]
