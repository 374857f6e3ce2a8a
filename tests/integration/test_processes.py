"""The Procfile's three processes, started the way `make run` starts them, work together.

A fresh database is migrated and loaded with the demo, honcho starts gunicorn, two task workers and the
scheduler, and /healthz must turn healthy: the scheduler's heartbeat task went through the queue to a
worker. Runs on SQLite, and on PostgreSQL (a database of its own) when DATABASE_URL points there.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'processes.sqlite3'}"
        return
    import psycopg

    name = f"sotong_processes_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_web_worker_and_scheduler_start_together_and_report_healthy(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SOTONG_DEMO": "1",
        "SOTONG_MANIFEST_STATIC": "0",
        "SOTONG_VAR_DIR": str(tmp_path / "var"),
        "SOTONG_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "SOTONG_DEMO_CASES": "40",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = sys.executable
    for command in (["migrate", "--noinput"], ["load_demo", "--if-empty"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    logins = subprocess.run(
        [python, "manage.py", "demo_logins"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert "coordinator" in logins.stdout

    honcho = subprocess.Popen(
        [str(Path(python).parent / "honcho"), "start", "-f", "Procfile", "-c", "worker=2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status, body = 0, ""
        while time.monotonic() < deadline:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = 0
            if status == 200:
                break
            time.sleep(1)
        assert status == 200, body
        checks = json.loads(body)["checks"]
        assert checks["worker"]["ok"]
        assert checks["scheduler"]["ok"]
        assert checks["database"]["ok"]

        portal_status, portal = get(f"http://127.0.0.1:{port}/")
        login_status, login = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert portal_status == 200
        assert "성동구" in portal
        assert login_status == 200
        assert 'name="username"' in login
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            output = honcho.communicate(timeout=20)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            output = honcho.communicate()[0].decode(errors="replace")
    assert "Traceback" not in output, output[-3000:]
