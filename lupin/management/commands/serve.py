"""`lupin serve`: the web server (gunicorn), the background worker and the scheduler, as one
foreground process.

All three run as child processes in their own process group, so a Ctrl+C in the terminal reaches
them exactly once, forwarded by this command (a second SIGINT would make the worker abandon a
running task). When any child stops on its own the others are stopped too, and the command exits
with the child's exit code, so a supervisor (systemd, a container runtime) sees the crash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from lupin.settings import env_int, env_str

DEMO_USERNAMES = (
    "buyer",
    "buyer2",
    "evaluator",
    "cobuyer",
    "supplier",
    "rival",
    "advisor",
    "admin",
)
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented demo password, refused in production)
STOP_TIMEOUT_SECONDS = 30
POLL_SECONDS = 0.5


def local_site_url(host: str, port: int) -> str:
    """The address to link to when serving on `host:port` (all interfaces: this machine)."""
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 (compared, not bound)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = (
        "Serve Lupin with gunicorn on LUPIN_BIND:LUPIN_PORT (default 127.0.0.1:8000) and run the "
        "background worker and the scheduler beside it. Ctrl+C stops all three."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, help="Port to listen on (default: LUPIN_PORT, else 8000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            port = options["port"] or env_int("LUPIN_PORT", 8000, minimum=1)
            host = env_str("LUPIN_BIND") or "127.0.0.1"
            web_workers = env_int("LUPIN_WEB_WORKERS", 2, minimum=1)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not 0 < port < 65536:
            raise CommandError(f"The port must be between 1 and 65535, not {port}.")
        address = (
            f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        )

        self._print_welcome(f"http://{address}/")
        # Links in e-mails point where this server listens, unless the public address is set.
        if not (os.environ.get("LUPIN_SITE_URL") or "").strip():
            os.environ["LUPIN_SITE_URL"] = local_site_url(host, port)
        # The children open their own connections; none of ours should linger open meanwhile.
        connections.close_all()

        commands = {
            "web server": [
                sys.executable,
                "-m",
                "gunicorn",
                "lupin.wsgi:application",
                "--bind",
                address,
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
            "background worker": [sys.executable, "-m", "lupin", "db_worker", "--no-reload"],
            "scheduler": [sys.executable, "-m", "lupin", "scheduler"],
        }
        exit_code = Supervisor(commands).run()
        if exit_code:
            sys.exit(exit_code)

    def _print_welcome(self, url: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Lupin is starting on {url}  (Ctrl+C stops it)"))
        logins = self._demo_logins()
        if logins:
            self.stdout.write(f"Demo logins, password '{DEMO_PASSWORD}':")
            for username, description in logins:
                self.stdout.write(f"  {username:<10} {description}")
        self.stdout.flush()

    def _demo_logins(self) -> list[tuple[str, str]]:
        from lupin.accounts.models import User

        try:
            users = {
                user.username: user
                for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
                    "organisation"
                )
            }
        except DatabaseError:
            # Not migrated yet: nothing to list, and the web server will say what is wrong.
            return []
        logins = []
        for username in DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            if user.organisation is None:
                description = "superuser" if user.is_superuser else ""
            else:
                description = f"{user.get_role_display()}, {user.organisation.name}"
            logins.append((username, description))
        return logins


class Supervisor:
    """Starts named child processes, forwards SIGINT/SIGTERM to them, stops all when one stops."""

    def __init__(self, commands: dict[str, list[str]]) -> None:
        self.commands = commands
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.signalled: set[str] = set()
        self.stopping = False

    def run(self) -> int:
        previous = {
            sig: signal.signal(sig, self._forward) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for name, command in self.commands.items():
                # process_group=0: a terminal's Ctrl+C reaches only us; we forward it once.
                self.children[name] = subprocess.Popen(command, process_group=0)  # noqa: S603
            if self.stopping:
                # A signal came while the children were starting: pass it to the late ones too.
                self._send(signal.SIGTERM)
            name, code = self._wait_for_first_exit()
            if not self.stopping:
                sys.stderr.write(f"lupin serve: the {name} stopped (exit code {code}).\n")
            self._stop_all(signal.SIGTERM)
        finally:
            self._kill_leftovers()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.stopping:
            return 0
        # A child killed by a signal has a negative return code; report it the shell's way.
        return 128 - code if code < 0 else code

    def _forward(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        self._send(signum)

    def _send(self, signum: int) -> None:
        # Each child is signalled once: a second signal makes the worker abandon a running task.
        for name, child in self.children.items():
            if name not in self.signalled and child.poll() is None:
                self.signalled.add(name)
                child.send_signal(signum)

    def _wait_for_first_exit(self) -> tuple[str, int]:
        while True:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    return name, code
            time.sleep(POLL_SECONDS)

    def _stop_all(self, signum: int) -> None:
        self._send(signum)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _kill_leftovers(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
