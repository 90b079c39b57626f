# Issue 11 item 10: the review-task queue (open tasks by due date, then id) is
# read in its order from one index; (status, due, id) replaces (status, due).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("relief", "0008_standards_and_calendar_to_core"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="reviewtask",
            name="relief_task_status_due",
        ),
        migrations.AddIndex(
            model_name="reviewtask",
            index=models.Index(fields=["status", "due", "id"], name="relief_task_status_due_id"),
        ),
    ]
