"""python manage.py create_federation --code GH360428 --name 都昌县总工会 --level county --region-code 360428

Creates the federation at the top of the tree (a county, or the province for a provincial
instance). Everything below it is created in the app by its administrators.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.organizations.models import FederationLevel
from gonghui.organizations.services import organization_create


class Command(BaseCommand):
    help = "Create the federation at the top of the tree of organizations."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--level", required=True, choices=FederationLevel.values)
        parser.add_argument("--region-code", required=True, help="GB/T 2260, e.g. 360428")
        parser.add_argument("--founded-on", default=None, help="YYYY-MM-DD")

    def handle(self, *args, code, name, level, region_code, founded_on, **options):
        import datetime as dt

        try:
            founded = dt.date.fromisoformat(founded_on) if founded_on else None
        except ValueError:
            raise CommandError(
                f"--founded-on: {founded_on!r} is not a date like 1951-05-01"
            ) from None
        try:
            org = organization_create(
                by=None,
                parent=None,
                code=code,
                name=name,
                kind="federation",
                level=level,
                region_code=region_code,
                founded_on=founded,
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(problems) from None
        self.stdout.write(f"Created {org.name} (id {org.pk}, code {org.code}).")
