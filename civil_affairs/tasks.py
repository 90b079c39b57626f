"""Celery tasks: thin wrappers over services, taking ids, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="civil_affairs.ping")
def ping(value: str = "pong") -> str:
    """Round trip through the broker for health checks and tests."""
    return value


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def registry_import_task(self, run_id: int) -> int:
    return services.registry_import_run(run_id=run_id).pk


# BatchRun.kind → the capability that starts a run of it, and so may resume it.
# Registry imports take theirs from IMPORT_KINDS; the relief batches are listed here,
# beside the task lookup below, so one place answers "who may run this kind".
RUN_CAPABILITIES: dict[str, str] = {
    "relief_payroll": "payroll_run",
    "relief_recheck": "recheck_run",
    "relief_price_linkage": "price_linkage_run",
    "relief_feed_import": "feed_import",
}


def capability_for_kind(kind: str) -> str | None:
    """The capability needed to start or resume a run of `kind` (None: nobody by hand)."""
    if kind.startswith("import_"):
        from .resources import IMPORT_KINDS

        return IMPORT_KINDS.get(kind[len("import_"):], (None, None))[1]
    return RUN_CAPABILITIES.get(kind)


def kinds_runnable_by(user) -> list[str]:
    """Every batch kind this user may start or resume (for pages that offer "继续运行")."""
    from .permissions import has_capability
    from .resources import IMPORT_KINDS

    kinds = [f"import_{k}" for k in IMPORT_KINDS] + list(RUN_CAPABILITIES)
    return [k for k in kinds if (cap := capability_for_kind(k)) and has_capability(user, cap)]


def task_for_kind(kind: str):
    """The task that runs a BatchRun of this kind (policy areas add theirs here)."""
    if kind.startswith("import_"):
        return registry_import_task
    if kind.startswith("relief_"):
        from relief.tasks import TASKS_BY_KIND

        return TASKS_BY_KIND[kind]
    raise LookupError(kind)
