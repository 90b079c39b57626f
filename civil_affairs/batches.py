"""The batch engine: one place that runs big set-based work in chunks.

A batch is a BatchRun plus a `step(lo, hi)` that does the work for ids in
[lo, hi) with one or a few SQL statements and returns counts by name.  The
engine:

- holds a PostgreSQL advisory lock for the batch's key for the whole run, so
  a second start of the same batch (same kind, same month or night) is
  refused while the first runs, on any worker;
- fixes the chunk grid (first id, chunk size) in the run's params on the
  first attempt, so a resumed run skips exactly the chunks that finished;
- runs each chunk in its own transaction together with the progress update
  (`done`, and the counts in `result`), so a killed worker leaves either the
  whole chunk and its progress or neither, and a restart continues after the
  last finished chunk with totals equal to an uninterrupted run's.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from . import text
from .areas import BatchKind
from .errors import DomainError
from .models import BatchRun
from .services import batchrun_finish, batchrun_started

# What a feed import counts (civil_affairs/feeds.py)
FEED_COUNT_LABELS = {
    "added": pgettext_lazy("count", "新增"),
    "duplicates": gettext_lazy("已存在"),
    "bad": gettext_lazy("错误行"),
    "blank": gettext_lazy("空行"),
    "events": gettext_lazy("引发事件（人）"),
}

# The core's own batch kinds, listed with the areas' (registry imports, "import_<key>", are handled apart).
CORE_BATCH_KINDS: tuple[BatchKind, ...] = (
    BatchKind(
        "feed_import",  # civil_affairs.feeds.KIND
        gettext_lazy("比对数据导入"),
        "civil_affairs.tasks.feed_import_task",
        "feed_import",
        count_labels=FEED_COUNT_LABELS,
    ),
)


def batch_kinds() -> dict[str, BatchKind]:
    """BatchRun.kind → its registration: the core's (CORE_BATCH_KINDS), then every
    area's batch kinds (areas.py).  Registry imports ("import_<key>") are the
    core's own and not listed here."""
    from .areas import registered

    kinds = {k.kind: k for k in CORE_BATCH_KINDS}
    for area in registered():
        for batch_kind in area.batch_kinds:
            kinds.setdefault(batch_kind.kind, batch_kind)
    return kinds


IMPORT_PREFIX = "import_"  # registry imports: BatchRun.kind = "import_<import kind>"
IMPORT_TASK = "civil_affairs.tasks.registry_import_task"


def kind_label(kind: str) -> str:
    """The run's kind in words: an area's batch, or "导入：人员" for a registry import."""
    if (batch_kind := batch_kinds().get(kind)) is not None:
        return str(batch_kind.label)
    if kind.startswith(IMPORT_PREFIX):
        from .resources import import_kinds

        found = import_kinds().get(kind[len(IMPORT_PREFIX) :])
        return _("导入：%(k)s") % {"k": found.label if found else kind}
    return kind


# Names of the counts steps return (BatchRun.result["counts"]) → words; areas add
# theirs with their batch kinds (BatchKind.count_labels).
COUNT_LABELS: dict[str, str] = {
    # lines a roll-writing batch could not add because their district roll was already approved
    "blocked": gettext_lazy("未能加入（花名册已审核）"),
}


def count_label(name: str) -> str:
    if name in COUNT_LABELS:
        return str(COUNT_LABELS[name])
    for batch_kind in batch_kinds().values():
        if name in batch_kind.count_labels:
            return str(batch_kind.count_labels[name])
    return name


def capability_for_kind(kind: str) -> str | None:
    """The capability needed to start or resume a run of `kind` (None: nobody by hand)."""
    if kind.startswith(IMPORT_PREFIX):
        from .resources import import_kinds

        found = import_kinds().get(kind[len(IMPORT_PREFIX) :])
        return found.capability if found else None
    batch_kind = batch_kinds().get(kind)
    return batch_kind.capability if batch_kind else None


def kinds_runnable_by(user) -> list[str]:
    """Every batch kind this user may start or resume (for pages that offer "继续运行")."""
    from .permissions import has_capability
    from .resources import import_kinds

    kinds = [f"{IMPORT_PREFIX}{k}" for k in import_kinds()] + list(batch_kinds())
    return [k for k in kinds if (cap := capability_for_kind(k)) and has_capability(user, cap)]


def task_for_kind(kind: str):
    """The Celery task that runs a BatchRun of this kind, from the registry."""
    from .areas import resolve

    if kind.startswith(IMPORT_PREFIX):
        return resolve(IMPORT_TASK)
    batch_kind = batch_kinds().get(kind)
    if batch_kind is None:
        raise LookupError(kind)
    return resolve(batch_kind.task)


def batchrun_enqueue(run: BatchRun) -> None:
    """Queue the registered task of `run.kind` with the run's id once the current
    transaction commits (at once outside one).  The one way services start a
    batch: they never import tasks, so services and tasks import no cycle."""
    task = task_for_kind(run.kind)
    run_id = run.pk
    transaction.on_commit(lambda: task.delay(run_id))


def lock_class(kind: str) -> int:
    """The advisory-lock class of a batch kind: a stable 31-bit hash of its name,
    so no two kinds share locks by a hand-picked number (pg_advisory_lock takes
    two int4 keys: this one, and the run's own key such as yyyymm)."""
    return zlib.crc32(kind.encode()) & 0x7FFFFFFF


def stale_before() -> dt.datetime:
    """A running run whose last heartbeat is older than this lost its worker."""
    return timezone.now() - dt.timedelta(minutes=settings.BATCH_HEARTBEAT_STALE_MINUTES)


def interrupted_q() -> Q:
    """Running runs without a recent heartbeat (started before heartbeats
    existed: their start time stands in for it)."""
    cutoff = stale_before()
    return Q(status=BatchRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


def is_interrupted(run: BatchRun) -> bool:
    last = run.heartbeat_at or run.started_at or run.created_at
    return run.status == BatchRun.Status.RUNNING and last is not None and last < stale_before()


Step = Callable[[int, int], dict[str, int]]
Progress = Callable[[int, int], None]  # (ids covered, ids in all)


class BatchBusy(DomainError):
    """The same batch is running elsewhere."""


@contextmanager
def exclusive(lock_class: int, key: int, *, label: str) -> Iterator[None]:
    """Hold the session advisory lock (lock_class, key) or refuse at once.
    A worker that dies drops its connection and with it the lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_class, key])
        if not cursor.fetchone()[0]:
            raise BatchBusy(_("%(what)s 正在另一进程中运行，请等它结束后再试。") % {"what": label})
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_class, key])


def run_chunks(
    *, run_id: int | None, first: int, end: int, chunk: int, step: Step, progress: Progress | None = None
) -> dict[str, int]:
    """Run `step` over [first, end) in chunks, resuming after `done`.
    Returns the run's counts so far (this attempt's and earlier ones').
    Without a run (a caller that keeps no record) the same chunks run from
    the start, each in its own transaction."""
    run = BatchRun.objects.get(pk=run_id) if run_id is not None else None
    done = 0
    counts: dict[str, int] = {}
    if run is not None:
        first = run.params.setdefault("first_id", first)
        chunk = run.params.setdefault("chunk", chunk)
        BatchRun.objects.filter(pk=run_id).update(params=run.params)
        done = run.done
        end = max(end, first + done)
        batchrun_started(run_id=run_id, total=end - first)
        counts = dict(run.result.get("counts", {}))
    for lo in range(first + done, end, chunk):
        hi = min(lo + chunk, end)
        with transaction.atomic():
            for name, n in step(lo, hi).items():
                counts[name] = counts.get(name, 0) + n
            if run is not None:
                # The heartbeat: a run whose worker died stops touching it and shows as interrupted.
                BatchRun.objects.filter(pk=run_id).update(
                    done=F("done") + (hi - lo), heartbeat_at=timezone.now(), result={**run.result, "counts": counts}
                )
        if progress is not None:
            progress(hi - first, end - first)
    return counts


def result_update(*, run_id: int, **values) -> None:
    """Merge named values (a summary, figures) into the run's result."""
    run = BatchRun.objects.only("result").get(pk=run_id)
    BatchRun.objects.filter(pk=run_id).update(result={**run.result, **values})


def analyze(*models) -> None:
    """ANALYZE the tables of `models` after a bulk write, so the planner knows
    their new sizes and value spreads from the next query on.  Autovacuum
    would come round later (minutes to hours after a nightly batch), and until
    then the lists over these tables are planned on yesterday's figures."""
    tables = dict.fromkeys(
        connection.ops.quote_name(model._meta.db_table)
        for model in models
        if model._meta.managed and not model._meta.proxy
    )  # once each, in order
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


T = TypeVar("T")


def run_exclusive(*, run: BatchRun, key: int, label: str, same: dict, work: Callable[[BatchRun], T]) -> T | None:
    """The life of one batch run around its `work`, shared by the batches:

    - under the advisory lock (lock_class(run.kind), key), marked running, then `work(run)`;
    - a second start of the same batch (`same`: the params that make it the
      same, e.g. {"month": "2026-10"}) is refused: failed with a message naming
      the run in progress, BatchBusy raised; a second delivery of this very run
      while it runs elsewhere returns None, as does a run already finished;
    - a transient database error is re-raised for the Celery task to retry,
      which resumes from `done`; a DomainError (bad input) fails the run with
      its message; anything else fails it as interrupted, resumable."""
    if run.is_finished:
        return None
    try:
        with exclusive(lock_class(run.kind), key, label=label):
            run.refresh_from_db()
            if run.is_finished:  # it finished while this delivery waited
                return None
            # Running from the moment the lock is held, so a refused second start can name this run.
            now = timezone.now()
            BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.RUNNING, started_at=now, heartbeat_at=now)
            return work(run)
    except BatchBusy:
        run.refresh_from_db()
        if run.status == BatchRun.Status.RUNNING:
            return None  # another delivery of this same run holds the lock: leave it be
        others = list(
            BatchRun.objects.filter(
                kind=run.kind,
                status=BatchRun.Status.RUNNING,
                **{f"params__{name}": value for name, value in same.items()},
            )
            .exclude(pk=run.pk)
            .values_list("pk", flat=True)
        )
        if not others and run.started_at is not None:
            # A run resumed as interrupted whose worker was in fact alive: that
            # worker holds the lock and carries on; mark it running again.
            BatchRun.objects.filter(pk=run.pk, status=BatchRun.Status.PENDING).update(status=BatchRun.Status.RUNNING)
            return None
        message = _(
            "%(what)s 已在另一进程中运行（任务 %(other)s），本次未执行，没有重复发放或重复处理；"
            "请在该任务结束后查看结果。"
        ) % {"what": label, "other": text.words(f"#{pk}" for pk in others) or "—"}
        batchrun_finish(run_id=run.pk, failed=True, message=message)
        raise BatchBusy(message) from None
    except OperationalError:
        raise  # transient (database restart, deadlock): the task retries and resumes from `done`
    except DomainError as exc:
        batchrun_finish(run_id=run.pk, failed=True, message=str(exc))
        raise
    except Exception as exc:
        batchrun_finish(
            run_id=run.pk,
            failed=True,
            message=_("%(what)s 中断：%(e)s。可重新运行，将从中断处继续。") % {"what": label, "e": exc},
        )
        raise
