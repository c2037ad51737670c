from django_tasks import task

from . import services


@task(queue_name="default")
def remind_reelections() -> int:
    """Daily: tell each union's staff about cadre terms ending within 90 days or overdue.
    Safe to run as often as wanted: each term is reminded once per threshold."""
    return services.reelection_reminders_send()
