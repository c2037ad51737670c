"""Run the benchmarks: ``python -m bench [--quick] [NAME ...]``.

Each benchmark generates its own data in a scratch database (an SQLite file in a temporary
folder, or PostgreSQL when BENCH_DATABASE_URL is set — it is created and dropped), prints its
figures with their ratio to a baseline measured in the same run, and ends with one JSON line.
Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small-scale pass")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="gonghui-bench-")
    os.environ["GONGHUI_VAR_DIR"] = scratch
    url = os.environ.get("BENCH_DATABASE_URL")
    os.environ["DATABASE_URL"] = url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

    import django

    django.setup()
    from django.conf import settings

    # Pages are requested in-process; the hashed-name manifest exists only after collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from bench.common import fresh_postgres_database

        fresh_postgres_database()
    call_command("migrate", verbosity=0)

    import bench

    names = args.names or sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(
            f"bench.{name if name.startswith('bench_') else 'bench_' + name}"
        )
        started = time.monotonic()
        print(
            f"== {module.__name__} ({'quick' if args.quick else 'full'}, {connection.vendor})",
            flush=True,
        )
        module.run(quick=args.quick)
        print(f"   ({time.monotonic() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
