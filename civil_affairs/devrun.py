"""`make run`: migrate, load the demo city once, then the web server, a Celery
worker and beat side by side until Ctrl-C, which stops all of them.

Run it through civil_affairs.devservices so PostgreSQL and Redis exist."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

DEMO_HOUSEHOLDS = os.environ.get("DEMO_HOUSEHOLDS", "2000")
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def demo_environment() -> dict[str, str]:
    """The demo runs like the real thing for the people trying it: the
    project's own 403/404 pages, not Django's debug pages with the URL list
    (static files still come from the source folders, through whitenoise)."""
    return {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "false")}


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True, env=demo_environment())


def print_logins() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
    django.setup()
    from civil_affairs.demo import DEMO_PASSWORD
    from civil_affairs.models import User

    print(f"\n  民政业务平台 http://{ADDRESS}/   工作台 /work/   管理后台 /admin/   API /api/docs/")
    print(f"  演示账号 demo logins (password / 密码: {DEMO_PASSWORD})")
    for user in User.objects.select_related("region").order_by("role", "username"):
        region = user.region.name if user.region else ""
        print(f"    {user.username:<22} {user.get_role_display():<16} {region}")
    print()


def main() -> int:
    from civil_affairs.devservices import stop_on_terminate

    stop_on_terminate()  # a SIGTERM stops the server, worker and beat like Ctrl-C
    manage("migrate", "--noinput")
    manage("seed_demo", "--households", DEMO_HOUSEHOLDS, "--if-empty", "--no-logins")  # printed once, below
    print_logins()
    commands = [
        [sys.executable, "manage.py", "runserver", ADDRESS],
        [sys.executable, "-m", "celery", "-A", "civil_affairs", "worker", "-l", "INFO", "--concurrency", "2"],
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civil_affairs",
            "beat",
            "-l",
            "INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
        ],
    ]
    children = [subprocess.Popen(cmd, env=demo_environment()) for cmd in commands]
    try:
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("[make run] a process stopped; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
