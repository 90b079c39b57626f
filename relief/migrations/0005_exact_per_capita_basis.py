from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("relief", "0004_roll_approval_held_visit_confirm_ceilings"),
    ]

    operations = [
        migrations.AddField(
            model_name="benefit",
            name="basis_monthly_income",
            field=models.DecimalField(blank=True, decimal_places=30, max_digits=44, null=True,
                                      verbose_name="核定时家庭月收入（元，未舍入）"),
        ),
    ]
