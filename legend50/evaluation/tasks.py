"""Background work of the evaluation app (django-tasks; the embedded worker runs it)."""

from django_tasks import task


@task()
def run_assignment(run_id: int) -> None:
    """Solve a stored assignment run; progress and result are written on the run."""
    from .services import assignment_run_execute

    assignment_run_execute(run_id)
