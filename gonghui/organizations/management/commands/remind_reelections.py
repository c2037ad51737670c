"""python manage.py remind_reelections [--enqueue] [--today YYYY-MM-DD]

Sends the re-election reminders (cadre terms ending within 90 days, and overdue) to the staff
of each union and of the union above it. Run it daily (cron or a systemd timer); a term is
reminded once per threshold however often it runs. ``--enqueue`` hands the work to the task
worker instead of doing it here.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gonghui.organizations import services
from gonghui.organizations.tasks import remind_reelections


class Command(BaseCommand):
    help = "Remind union staff of cadre terms ending within 90 days or overdue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the work for the task worker"
        )
        parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, enqueue: bool, today: str | None, **options):
        if enqueue:
            if today:
                raise CommandError("--today applies only when the reminders run here.")
            result = remind_reelections.enqueue()
            self.stdout.write(f"Queued ({result.id}).")
            return
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date like 2026-01-31.") from None
        sent = services.reelection_reminders_send(today=day)
        self.stdout.write(f"{sent} notification(s) sent.")
