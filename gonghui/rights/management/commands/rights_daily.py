"""python manage.py rights_daily [--enqueue] [--today YYYY-MM-DD]

The daily run of the case deadlines (see ``gonghui/rights/tasks_cases.py``): due-soon notices
to handlers, escalation of overdue cases to the organization above (once), reminders of overdue
supervision reports. Run it daily (cron or a systemd timer); running it again the same day sends
nothing twice. ``--enqueue`` hands the work to the task worker instead of doing it here.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.rights.tasks_cases import rights_daily, rights_daily_run


class Command(BaseCommand):
    help = "Due-soon notices, escalation of overdue cases, overdue supervision reports."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the work for the task worker"
        )
        parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, enqueue: bool, today: str | None, **options):
        if enqueue:
            if today:
                raise CommandError("--today applies only when the run happens here.")
            result = rights_daily.enqueue()
            self.stdout.write(f"Queued ({result.id}).")
            return
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date like 2026-01-31.") from None
        self.stdout.write(json.dumps(rights_daily_run(today=day)))
