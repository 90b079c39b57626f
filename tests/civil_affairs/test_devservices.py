"""`make run` / `make test` without URLs: a SIGTERM stops the embedded
PostgreSQL and Redis too (issue 12: they kept running)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _running(needle: str) -> bool:
    out = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
    return any(needle in line for line in out.splitlines())


@pytest.mark.timeout(240)
def test_sigterm_stops_the_embedded_services(tmp_path):
    var_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["MINZHENG_VAR_DIR"] = str(var_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "civil_affairs.devservices", "--", "sleep", "300"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    redis_socket = None
    for line in proc.stdout:  # the two "[devservices] embedded …" lines come before the command starts
        if "embedded Redis:" in line:
            redis_socket = line.split("redis+socket://", 1)[1].split("?", 1)[0]
            break
    assert redis_socket, "devservices did not start Redis"
    pgdata = str(var_dir / "pgdata")
    assert _running(pgdata) and _running(redis_socket)

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while (_running(pgdata) or _running(redis_socket)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _running(pgdata), "embedded PostgreSQL still running"
    assert not _running(redis_socket), "embedded Redis still running"
