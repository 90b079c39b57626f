from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("relief", "0004_roll_approval_held_visit_confirm_ceilings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="benefit",
            name="basis_per_capita",
            field=models.DecimalField(blank=True, decimal_places=20, max_digits=32, null=True,
                                      verbose_name="核定时人均月收入（元）"),
        ),
    ]
