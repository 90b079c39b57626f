"""Benchmark `seed_demo`: load N households (default 400 000) into the database
named by DATABASE_URL, replacing what is there, and print the throughput.

    DATABASE_URL=postgres://… .venv/bin/python bench/seed_demo.py 400000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from civil_affairs.models import Person

    households = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
    started = time.monotonic()
    call_command("seed_demo", households=households, reset=True)
    elapsed = time.monotonic() - started
    persons = Person.objects.count()
    print(
        f"seed_demo: {households} households, {persons} persons in {elapsed:.1f} s "
        f"= {households / elapsed:,.0f} households/s, {persons / elapsed:,.0f} persons/s"
    )


if __name__ == "__main__":
    main()
