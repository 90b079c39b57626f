"""`make run` serves the demo as the real thing is served (issue 12): the
project's own 404 page, not Django's debug page with the URL list, and the
static files still load."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from civil_affairs.devrun import demo_environment
from civil_affairs.devservices import postgres_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server(transactional_db):
    db = settings.DATABASES["default"]
    env = demo_environment()  # what `make run` gives its server
    env.update(
        DJANGO_SETTINGS_MODULE="civil_affairs.settings",
        DATABASE_URL=postgres_url(
            user=db["USER"],
            password=db.get("PASSWORD") or "",
            host=db["HOST"] or "",
            port=db.get("PORT") or "",
            name=db["NAME"],
        ),
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.3)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_make_run_shows_the_projects_404_and_serves_static(demo_server):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{demo_server}/work/no-such-page/")
    body = missing.value.read().decode()
    assert missing.value.code == 404
    assert "页面不存在" in body and "URLconf" not in body
    with urllib.request.urlopen(f"{demo_server}/static/vendor/bootstrap/css/bootstrap.min.css") as css:
        assert css.status == 200 and b"Bootstrap" in css.read(2000)
