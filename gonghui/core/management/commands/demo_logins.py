from django.conf import settings
from django.core.management.base import BaseCommand

from gonghui.accounts.demo import DEMO_USERS
from gonghui.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo logins and where to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.SITE_URL)

    def handle(self, *args, url: str, **options):
        names = [u[0] for u in DEMO_USERS] + ["province_admin"]
        users = User.objects.filter(username__in=names).select_related("organization")
        if not users:
            return
        if settings.GONGHUI_DEMO_PASSWORD:
            password = "GONGHUI_DEMO_PASSWORD"
        else:
            path = settings.VAR_DIR / "demo-password.txt"
            password = (
                path.read_text(encoding="utf-8").strip()
                if path.exists()
                else "(printed when the demo was seeded)"
            )
        self.stdout.write("")
        self.stdout.write(f"Gonghui is starting at {url}")
        self.stdout.write(f"Demo logins, all with the password: {password}")
        for user in sorted(users, key=lambda u: names.index(u.username)):
            self.stdout.write(
                f"  {user.username:<16} {user.get_role_display()} · {user.organization}"
            )
        self.stdout.write("")
