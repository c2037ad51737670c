from django_tasks import task

from . import services


@task(queue_name="notifications")
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id).status
