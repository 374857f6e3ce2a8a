"""People tasks: the import's two phases and the export, run by the worker; each takes an id and is
idempotent (a job not in the state the task expects is left alone)."""

from __future__ import annotations

import logging

from django_tasks import task

from sotong.people import exports, import_jobs

logger = logging.getLogger(__name__)


@task()
def analyse_import(job_id: int) -> str:
    """일괄 등록 미리보기 of job `job_id` (see `import_jobs.analyse`)."""
    try:
        return import_jobs.analyse(job_id)
    except Exception as error:
        logger.exception("people import %s: preview failed", job_id)
        import_jobs.fail(job_id, error)
        raise


@task()
def commit_import(job_id: int) -> str:
    """일괄 등록 반영 of job `job_id`, resuming after its last whole batch."""
    try:
        return import_jobs.commit(job_id)
    except Exception as error:
        logger.exception("people import %s: commit stopped", job_id)
        import_jobs.fail(job_id, error)
        raise


@task()
def write_export(job_id: int) -> str:
    """명단 내려받기 file of export job `job_id`."""
    try:
        return exports.write_export(job_id)
    except Exception as error:
        logger.exception("people export %s failed", job_id)
        exports.fail_export(job_id, error)
        raise
