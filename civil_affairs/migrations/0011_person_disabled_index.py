# Issue 11 item 10: lists filtered by disability grade read the few percent of
# people with a grade (partial index), not the registry.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("civil_affairs", "0010_calendar_seed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("disability_grade__gt", 0)),
                fields=["disability_grade", "sex", "residence_region", "id"],
                name="person_disabled",
            ),
        ),
    ]
