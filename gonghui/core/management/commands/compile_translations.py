"""Compile every django.po under gonghui/locale to django.mo with polib.

Django's own compilemessages needs GNU gettext's msgfmt, which a fresh server may not have;
polib is a Python package installed with the rest. Only changed catalogs are rewritten.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile translation catalogs (.po) to .mo files."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                try:
                    catalog = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                catalog.save_as_mofile(str(mo_path))
                compiled += 1
        if compiled and options["verbosity"] > 0:
            self.stdout.write(f"compiled {compiled} translation catalog(s)")
