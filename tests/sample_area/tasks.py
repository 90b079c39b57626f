from celery import shared_task

from civil_affairs.models import BatchRun
from civil_affairs.services import batchrun_finish


@shared_task
def count_task(run_id: int) -> int:
    """The sample batch: records that it ran, on the real worker."""
    BatchRun.objects.filter(pk=run_id).update(result={"counts": {"counted": 1}})
    batchrun_finish(run_id=run_id, message="示例批处理完成")
    return run_id
