from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("relief", "0006_visit_declined"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="missing_documents",
            field=models.JSONField(blank=True, default=list, verbose_name="提交时缺少的材料"),
        ),
        migrations.AddField(
            model_name="application",
            name="missing_documents_note",
            field=models.TextField(blank=True, verbose_name="缺少材料的说明"),
        ),
    ]
