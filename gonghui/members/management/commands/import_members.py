"""``manage.py import_members FILE [--organization CODE] [--dry-run] [--report PATH]``

Imports a roster (.xlsx, .xls, .ods, .csv) as a system action and ends with one JSON line:
``{"rows": N, "created": C, "updated": U, "unchanged": K, "rejected": R}``. Exit status 0 when
the file was read (even with rejected rows), 2 when it could not be read.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.members.importing import roster_import, write_report
from gonghui.organizations.models import Organization

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = "Import a roster of workers and memberships from a spreadsheet or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx, .xls, .ods or .csv (UTF-8 or GBK)")
        parser.add_argument(
            "--organization",
            metavar="CODE",
            help="code of the grassroots union every row joins (default: each employer's union)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count everything, change nothing"
        )
        parser.add_argument(
            "--report", metavar="PATH", help="write the rejected rows to this .xlsx file"
        )

    def handle(self, *args, **options):
        organization = None
        if options["organization"]:
            try:
                organization = Organization.objects.get(code=options["organization"])
            except Organization.DoesNotExist:
                raise CommandError(
                    f"No organization has the code {options['organization']!r}."
                ) from None
        err = self.stderr

        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 2:
                err.write(f"{done}/{total} rows")

        try:
            result = roster_import(
                by=None,
                job_or_path=options["file"],
                organization=organization,
                dry_run=options["dry_run"],
                progress=progress,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

        if result.error and not result.rows:
            err.write(result.error)
            self.stdout.write(json.dumps({**result.counts(), "error": result.error}))
            raise CommandError(result.error, returncode=2)

        if result.ignored_columns:
            err.write("ignored columns: " + ", ".join(result.ignored_columns))
        for rejected in result.rejected_rows[:SHOWN_REJECTIONS]:
            err.write(f"row {rejected.row}: {rejected.reason}")
        if result.rejected > SHOWN_REJECTIONS:
            err.write(f"… and {result.rejected - SHOWN_REJECTIONS} more rejected rows")
        if options["report"] and result.rejected_rows:
            write_report(options["report"], result)
            err.write(f"rejected rows written to {options['report']}")
        if result.dry_run:
            err.write("dry run: nothing was changed")
        if result.error:  # stopped half-way: what was imported stays, the rest can follow
            err.write(result.error)
        self.stdout.write(json.dumps(result.counts()))
        if result.error:
            raise CommandError(result.error, returncode=1)
