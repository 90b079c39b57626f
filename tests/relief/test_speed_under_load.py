"""Issue 11 item 10, relief's part: the review-task queue is read in its own
order from the (status, due, id) index, and every batch leaves fresh statistics
(ANALYZE) on the tables it wrote, so the lists over them are planned on today's
figures from the next query on, not whenever autovacuum comes round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from civil_affairs import feeds
from civil_affairs.models import BatchRun, Person, Role
from civil_affairs.services import batchrun_create
from relief.models import (
    Benefit,
    FeedRecord,
    Payment,
    PayrollRoll,
    PriceIndex,
    PriceSubsidy,
    PriceSubsidyRoll,
    ReviewTask,
)
from relief.services import payroll, price_linkage, recheck
from tests.plans import analyzed_since, database_now, list_query, plan
from tests.relief.factories import TODAY, benefit_for


def test_review_task_queue_reads_the_status_due_id_index(family, users, login):
    benefit = benefit_for(family)
    statuses = [ReviewTask.Status.OPEN, ReviewTask.Status.DONE, ReviewTask.Status.DISMISSED]
    ReviewTask.objects.bulk_create(
        ReviewTask(
            kind=ReviewTask.Kind.RECHECK_DUE,
            benefit=benefit,
            region=family.region,
            key=str(i),
            status=statuses[i % 3],
            due=TODAY + dt.timedelta(days=i % 90),
        )
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE relief_reviewtask")
    sql = list_query(login(users[Role.CASEWORKER]), "/work/relief/tasks/", "relief_reviewtask")
    indexes, nodes = plan(sql)
    # open tasks by due date then id, read in that order: no sort of the jurisdiction's tasks
    assert "relief_task_status_due_id" in indexes and not {"Sort", "Incremental Sort"} & nodes, (indexes, nodes)


def _payroll(family):
    benefit_for(family)
    payroll.payroll_generate(month=dt.date(2026, 12, 1))
    return [Payment, PayrollRoll]


def _price_linkage(family):
    benefit_for(family)
    PriceIndex.objects.create(
        month=dt.date(2026, 10, 1), region_id="320600000000", cpi_yoy=Decimal("3.6"), food_yoy=Decimal("2.1")
    )
    run = batchrun_create(kind=price_linkage.KIND, params={"month": "2026-10"})
    assert price_linkage.price_linkage_run(run_id=run.pk)["people"] == 3
    return [PriceSubsidy, PriceSubsidyRoll]


def _recheck(family):
    benefit_for(family, next_recheck=TODAY)  # due tonight: the recheck opens a task
    recheck.recheck_eligibility(day=TODAY)
    assert ReviewTask.objects.filter(kind=ReviewTask.Kind.RECHECK_DUE).exists()
    return [ReviewTask, Benefit, FeedRecord, Payment, Person]


def _feed_import(family):
    run = feeds.feed_import_file(kind="death", path=feeds.feed_sample_path(kind="death"))
    assert run.status == BatchRun.Status.SUCCEEDED and FeedRecord.objects.exists()
    return [FeedRecord]


@pytest.mark.parametrize("batch", [_payroll, _price_linkage, _recheck, _feed_import])
def test_every_batch_analyzes_the_tables_it_wrote(batch, family):
    since = database_now()
    written = batch(family)
    assert analyzed_since(since, written) == {model._meta.db_table for model in written}
