"""Background tasks (django-tasks): reminders before deadlines and due dates."""

from django_tasks import task


@task()
def send_reminders_task() -> int:
    from .reminders import send_reminders

    return send_reminders()
