from django_tasks import task

from . import importing


@task(queue_name="imports")
def run_import(job_id: int) -> str:
    """Import one roster (ImportJob id); a job already started is left alone."""
    return importing.import_job_run(job_id=job_id).status
