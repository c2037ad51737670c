"""python manage.py find_duplicates — queue possible duplicate workers for review.

Pairs: the same name and birth date (at different employers, or typed twice). Two valid ID
numbers cannot differ in just one character — the ISO 7064 check character catches every
single-character error — so a one-character difference marks a pair only when it shows up
inside a same-name-and-birth-date group (a legacy or mistyped record); that pair's reason says so.
"""

from django.core.management.base import BaseCommand

from gonghui.members.services import duplicates_find


class Command(BaseCommand):
    help = "Queue possible duplicate worker records for review."

    def handle(self, *args, **options):
        created = duplicates_find()
        self.stdout.write(f"{created} new possible duplicate pair(s) queued for review")
