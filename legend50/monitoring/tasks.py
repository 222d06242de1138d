from django_tasks import task


@task()
def refresh_indicators(run_id: int):
    """Recompute the K-SME 50+ indicators from the national microdata (progress on the RefreshRun)."""
    from .services import refresh_execute

    run = refresh_execute(run_id)
    return {"status": run.status, "seconds": run.seconds}
