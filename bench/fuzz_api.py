"""Contract fuzz of the API with schemathesis: every operation of /api/schema/,
called with generated (valid and invalid) input as a bureau administrator and as
a street caseworker, checked for: no server error, only documented status codes,
the documented content type, and bodies that match the documented schema.

    .venv/bin/pip install schemathesis==4.32.5      # the `fuzz` extra; not a test dependency
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/fuzz_api.py \
        [--households 2000] [--max-examples 10] [--max-time 240] [--keep]

It seeds a small demo city into its own database (`minzheng_fuzz` on the server
of DATABASE_URL, dropped at the end unless --keep), starts gunicorn on
127.0.0.1 only, logs the two demo users in through /api/auth/login/ and runs
schemathesis once per user, bounded by --max-examples per operation and
--max-time seconds per user.  Throttle rates are raised for the run (the fuzz
measures the contract, not the rate limit; 429 stays documented).  The logout
routes are left out: they would revoke the token the run uses.

Not part of `make test`: CI has no schemathesis and a time budget."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # never anything else: the fuzz writes (approves rolls, resolves tasks…)
USERS = {"bureau admin": "admin", "caseworker": "caseworker_jinsha"}
PASSWORD = "Minzheng@2026"  # civil_affairs.demo.DEMO_PASSWORD
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def database_url(name: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(base._replace(path=f"/{name}"))


def recreate_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def call(url: str, *, data: dict | None = None, token: str | None = None) -> bytes:
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/vnd.oai.openapi+json, application/json",
            **({"Authorization": f"Token {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def wait_until_up(base: str, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped while starting")
        try:
            call(f"{base}/healthz")
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"no answer from {base}/healthz after {seconds} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--database", default="minzheng_fuzz")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-examples", type=int, default=10, help="test cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=240, help="seconds per user")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the fuzz database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database instead of seeding anew")
    args = parser.parse_args()
    schemathesis = shutil.which("schemathesis", path=str(Path(PYTHON).parent)) or shutil.which("schemathesis")
    if schemathesis is None:
        sys.exit("schemathesis is not installed: .venv/bin/pip install schemathesis==4.32.5")

    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.database),
        "DJANGO_DEBUG": "false",
        "CACHE_URL": "locmemcache://",
        "API_THROTTLE_ANON": "100000/min",
        "API_THROTTLE_RESIDENT": "100000/min",
        "API_THROTTLE_STAFF": "100000/min",
    }
    base = f"http://{HOST}:{args.port}"
    try:
        call(f"{base}/healthz")
        sys.exit(f"something already answers on {base}: stop it or pass another --port")
    except OSError:
        pass
    if not args.reuse:
        print(f"seeding {args.households} households into {args.database} …", flush=True)
        recreate_database(args.database)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    if not args.reuse:
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "seed_demo",
                "--households",
                str(args.households),
                "--seed",
                str(args.seed),
                "--no-logins",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "civil_affairs.wsgi",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            # unlimited request line: long fuzzed URLs reach Django (nginx caps them in production)
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
    )
    results = {}
    try:
        wait_until_up(base, server)
        schema_file = ROOT / "var" / "fuzz-schema.json"
        schema_file.parent.mkdir(exist_ok=True)
        for label, username in USERS.items():
            token = json.loads(call(f"{base}/api/auth/login/", data={"username": username, "password": PASSWORD}))[
                "token"
            ]
            schema_file.write_bytes(call(f"{base}/api/schema/?format=json", token=token))
            report = ROOT / "var" / f"fuzz-{username}.ndjson"
            command = [
                schemathesis,
                "run",
                str(schema_file),
                "--url",
                base,
                "-H",
                f"Authorization: Token {token}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                str(args.seed),
                "--exclude-path-regex",
                "^/api/auth/logout",
                "--workers",
                "1",
                "--no-shrink",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
            ]
            print(f"\n=== {label} ({username}) ===", flush=True)
            results[label] = subprocess.run(command, cwd=ROOT / "var").returncode  # its cache goes to var/
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_database(args.database)
    print("\n" + "  ".join(f"{label}: {'ok' if code == 0 else 'FAILURES'}" for label, code in results.items()))
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
