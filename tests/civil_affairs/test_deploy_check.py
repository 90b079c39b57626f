"""`manage.py check --deploy` must be clean with production settings.

Runs in a subprocess because DJANGO_ENV is read once, when settings are
imported, and the test session itself runs with development settings.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Inherited variables that would change what is checked: the production
# toggles settings.py reads (so the check sees the production defaults) and
# the test harness's DJANGO_ALLOW_ASYNC_UNSAFE (tests/conftest.py, for
# Playwright), which is never set in a deployment.
DROPPED_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_DEBUG",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
)


def production_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="civil_affairs.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        DJANGO_ALLOWED_HOSTS="minzheng.example.gov.cn",
    )
    # The same database and broker as the test run (production requires both).
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


def test_production_refuses_to_start_without_database_and_broker_urls():
    env = {k: v for k, v in production_environment().items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode != 0
    assert "Production settings need DATABASE_URL and REDIS_URL" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, f"check --deploy failed (exit {result.returncode}):\n{output}"
