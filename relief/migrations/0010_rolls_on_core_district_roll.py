"""Relief's rolls and lines built on the core's abstract DistrictRoll and
RollLine (civil_affairs/rolls.py): the constraints take the core's names
(renamed in place, no index rebuilt), every line's month is a first day,
the price subsidy's lines may be held like the payroll's (none are: the
column is added with its default, no rewrite), and a payroll roll's
generation time has a database default like the price subsidy's."""
import django.db.models.functions.datetime
from django.db import migrations, models

# (table, old name, new name): the same constraint under the core's name
RENAMED = [
    ("relief_payment", "relief_payment_once_per_benefit_month", "relief_payment_once_per_month"),
    ("relief_payrollroll", "relief_roll_one_per_district_month", "relief_payrollroll_one_per_district_month"),
    ("relief_payrollroll", "relief_roll_month_first_day", "relief_payrollroll_month_first_day"),
    ("relief_pricesubsidy", "relief_subsidy_once_per_person_month", "relief_pricesubsidy_once_per_month"),
    ("relief_pricesubsidy", "relief_subsidy_amount_positive", "relief_pricesubsidy_amount_positive"),
    ("relief_pricesubsidyroll", "relief_subsidy_roll_once", "relief_pricesubsidyroll_one_per_district_month"),
    ("relief_pricesubsidyroll", "relief_subsidy_roll_month_first_day", "relief_pricesubsidyroll_month_first_day"),
]


def _constraints_state():
    first_day = models.Q(month__day=1)
    return [
        migrations.RemoveConstraint(model_name="payment", name="relief_payment_once_per_benefit_month"),
        migrations.RemoveConstraint(model_name="payrollroll", name="relief_roll_one_per_district_month"),
        migrations.RemoveConstraint(model_name="payrollroll", name="relief_roll_month_first_day"),
        migrations.RemoveConstraint(model_name="pricesubsidy", name="relief_subsidy_once_per_person_month"),
        migrations.RemoveConstraint(model_name="pricesubsidy", name="relief_subsidy_amount_positive"),
        migrations.RemoveConstraint(model_name="pricesubsidyroll", name="relief_subsidy_roll_once"),
        migrations.RemoveConstraint(model_name="pricesubsidyroll", name="relief_subsidy_roll_month_first_day"),
        migrations.AddConstraint(model_name="payment", constraint=models.UniqueConstraint(
            fields=("benefit", "month"), name="relief_payment_once_per_month")),
        migrations.AddConstraint(model_name="payrollroll", constraint=models.UniqueConstraint(
            fields=("month", "district"), name="relief_payrollroll_one_per_district_month")),
        migrations.AddConstraint(model_name="payrollroll", constraint=models.CheckConstraint(
            condition=first_day, name="relief_payrollroll_month_first_day")),
        migrations.AddConstraint(model_name="pricesubsidy", constraint=models.UniqueConstraint(
            fields=("person", "month"), name="relief_pricesubsidy_once_per_month")),
        migrations.AddConstraint(model_name="pricesubsidy", constraint=models.CheckConstraint(
            condition=models.Q(amount__gt=0), name="relief_pricesubsidy_amount_positive")),
        migrations.AddConstraint(model_name="pricesubsidyroll", constraint=models.UniqueConstraint(
            fields=("month", "district"), name="relief_pricesubsidyroll_one_per_district_month")),
        migrations.AddConstraint(model_name="pricesubsidyroll", constraint=models.CheckConstraint(
            condition=first_day, name="relief_pricesubsidyroll_month_first_day")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("relief", "0009_review_task_status_due_id_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=_constraints_state(),
            database_operations=[
                migrations.RunSQL(
                    [f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"' for table, old, new in RENAMED],
                    [f'ALTER TABLE "{table}" RENAME CONSTRAINT "{new}" TO "{old}"' for table, old, new in RENAMED]),
            ],
        ),
        migrations.AddConstraint(model_name="payment", constraint=models.CheckConstraint(
            condition=models.Q(month__day=1), name="relief_payment_month_first_day")),
        migrations.AddConstraint(model_name="pricesubsidy", constraint=models.CheckConstraint(
            condition=models.Q(month__day=1), name="relief_pricesubsidy_month_first_day")),
        migrations.AddField(
            model_name="pricesubsidy", name="held",
            field=models.BooleanField(db_default=False, default=False, verbose_name="暂停发放待复核")),
        migrations.AlterField(
            model_name="payrollroll", name="generated_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name="生成时间")),
        migrations.AlterField(
            model_name="pricesubsidy", name="month", field=models.DateField(verbose_name="发放月份")),
        migrations.AlterField(
            model_name="pricesubsidyroll", name="month", field=models.DateField(verbose_name="发放月份")),
    ]
