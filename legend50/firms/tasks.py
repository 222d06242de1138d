from django_tasks import task


@task()
def run_import(job_id: int):
    """Validate and import an uploaded firm file (progress is written to the ImportJob)."""
    from .services import import_run

    job = import_run(job_id=job_id)
    return {"status": job.status, "errors": job.error_rows}
