"""python manage.py seed_demo --scale tiny|county|province [--if-empty] [--seed N]"""

from __future__ import annotations

import random
import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.demo import SCALES, DemoContext, run_seeders
from gonghui.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Load the demo county (or province): organizations, employers, workers and a user per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="random seed: the same seed gives the same records",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when organizations already exist"
        )

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options):
        if Organization.objects.exists():
            if if_empty:
                return
            raise CommandError(
                "The database already holds organizations; seed_demo loads an empty database only."
            )
        password = settings.GONGHUI_DEMO_PASSWORD
        generated = not password
        if generated:
            password = secrets.token_urlsafe(9)
        started = time.monotonic()
        ctx = DemoContext(
            scale=SCALES[scale], rng=random.Random(seed), password=password, out=self.stdout
        )
        self.stdout.write(f"Seeding the demo ({scale}, seed {seed})…")
        run_seeders(ctx)
        if generated:
            path = settings.VAR_DIR / "demo-password.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(password + "\n", encoding="utf-8")
            path.chmod(0o600)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self.stdout.write(
            "Demo logins (password "
            + (
                f"{password}, kept in {settings.VAR_DIR / 'demo-password.txt'}"
                if generated
                else "from GONGHUI_DEMO_PASSWORD"
            )
            + "):"
        )
        for username, role, org in ctx.data.get("users", []):
            self.stdout.write(f"  {username:<16} {role} · {org}")
