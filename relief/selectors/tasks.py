"""Reads of the review tasks the nightly recheck puts in the caseworkers'
queue, scoped to the user's jurisdiction by the task's community."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from civil_affairs.models import BatchRun
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import batchrun_list_for_user, scoped

from ..models import Application, ReviewTask


def task_list_for_user(user, *, kind: str = "", status: str = "") -> QuerySet[ReviewTask]:
    """Tasks in the jurisdiction; `status` "" means open ones, "all" every status."""
    if not has_capability(user, "relief_view"):
        return ReviewTask.objects.none()
    qs = scoped(
        ReviewTask.objects.select_related("benefit", "benefit__household", "person", "region"), user, "region__code"
    )
    if kind in ReviewTask.Kind.values:
        qs = qs.filter(kind=kind)
    if status in ReviewTask.Status.values:
        qs = qs.filter(status=status)
    elif status != "all":
        qs = qs.filter(status=ReviewTask.Status.OPEN)
    return qs


def task_get_for_user(user, pk) -> ReviewTask:
    task = (
        task_list_for_user(user, status="all")
        .select_related("feed_record", "resolved_by", "run", "benefit__recipient")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def task_open_counts(user) -> dict[str, int]:
    """Open tasks per kind (and "all"), for the queue's tabs: one GROUP BY on
    the (region, status, id) index."""
    rows = task_list_for_user(user).order_by().values("kind").annotate(n=Count("id"))
    counts = {row["kind"]: row["n"] for row in rows}
    counts["all"] = sum(counts.values())
    return counts


def task_rechecks(task: ReviewTask) -> list[Application]:
    """The benefit's recheck applications, newest first (the one a task started among them)."""
    return list(Application.objects.filter(recheck_of_id=task.benefit_id).order_by("-created_at")[:5])


def recheck_runs_for_user(user, *, limit: int = 5) -> list[BatchRun]:
    """The latest recheck runs, for the bureau's "run now" panel."""
    from ..services.recheck import KIND

    return list(batchrun_list_for_user(user).filter(kind=KIND).order_by("-created_at")[:limit])
