"""`lupin serve` runs gunicorn, the worker and the scheduler, stops all three on SIGTERM, and fails
when one crashes.

These start real processes on a throw-away SQLite database, the way `make run` does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lupin.management.commands.serve import local_site_url

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var_dir = tmp_path_factory.mktemp("serve")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir),
        "LUPIN_VAR_DIR": str(var_dir),
        "LUPIN_DEBUG": "1",
        "LUPIN_WEB_WORKERS": "1",
    }
    subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "lupin", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listening_socket() -> Iterator[int]:
    """A port something else already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def start_serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-m", "lupin", "serve", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until(ready: Callable[[], bool], server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if ready():
            return True
        time.sleep(0.3)
    return False


def healthz_answers(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status == 200
    except OSError:
        return False


def test_serve_runs_web_server_worker_and_scheduler_and_stops_on_sigterm(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_serve(serve_env, port, log)
    try:
        web_ready = wait_until(lambda: healthz_answers(port), server)
        worker_ready = wait_until(lambda: "Starting worker" in log.read_text(), server)
        scheduler_ready = wait_until(lambda: "Scheduler started" in log.read_text(), server)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log.read_text()

    assert web_ready, output
    assert worker_ready, output
    assert scheduler_ready, output
    assert server.returncode == 0, output
    assert "Scheduler stopped (SIGTERM)" in output
    assert f"http://127.0.0.1:{port}/" in output


def test_serve_fails_when_the_web_server_cannot_start(
    serve_env: dict[str, str], listening_socket: int, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    server = start_serve(serve_env, listening_socket, log)
    try:
        server.wait(timeout=90)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log.read_text()

    assert server.returncode != 0, output
    assert "the web server stopped" in output


def test_serve_stops_everything_when_the_scheduler_dies(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    # The scheduler refuses this setting and exits; the web server and worker start fine.
    server = start_serve({**serve_env, "LUPIN_SCHEDULER_SECONDS": "often"}, port, log)
    try:
        server.wait(timeout=90)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log.read_text()

    assert server.returncode != 0, output
    assert "the scheduler stopped" in output
    assert "LUPIN_SCHEDULER_SECONDS" in output
    assert not healthz_answers(port), output


def test_serve_refuses_a_bad_port_setting(serve_env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "lupin", "serve"],
        cwd=BASE_DIR,
        env={**serve_env, "LUPIN_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "LUPIN_PORT" in result.stderr


def test_serve_tells_its_processes_where_it_listens() -> None:
    assert local_site_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert local_site_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"  # noqa: S104
    assert local_site_url("::1", 9000) == "http://[::1]:9000"
