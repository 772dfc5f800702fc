"""A large tender upload through the real server: the worker's extra memory and the throughput
against writing the same bytes to disk directly, in one run.

    .venv/bin/python bench/bench_tender_upload.py             # a 200 MiB file
    .venv/bin/python bench/bench_tender_upload.py --mb 1000 --dir /var/lib/lupin

In a throw-away folder (your var/ and any DATABASE_URL are left alone) it migrates a SQLite
database, creates a buyer, a supplier, an announced competition and a bearer token for the
supplier, then starts gunicorn with ONE sync worker on a free port, as `lupin serve` does.

- upload: a multipart `POST /api/v1/competitions/{id}/tenders` (one `file` part of `--mb` MiB
  named tender.pdf, and a `price`) over http.client from a generator: the client never holds
  the file either. Timed from the first byte sent to the 201 with the receipt, so it includes
  Django's parsing to a temporary file, validation, sealing and storing.
- write: the same bytes written by this process to a file in the same folder in 1 MiB pieces,
  then fsynced (the baseline: "writing the same bytes to disk directly").
- memory: VmHWM (peak resident size) of the worker from /proc, after a small warm-up tender
  and again after the upload; the difference is the upload's peak extra memory.

Exits non-zero only when the upload is not answered 201 (or the server does not start); timings
are printed, never judged.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
PRICE = "1250000.00"
# A valid PDF head: the upload check reads the first bytes of a .pdf (lupin/uploads.py).
PDF_HEAD = b"%PDF-1.7\n%bench\n"
BOUNDARY = "lupin-bench-" + secrets.token_hex(12)


# --- Set-up in this process ------------------------------------------------------------------


def server_env(folder: Path, mb: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # always the throw-away SQLite database
    env.update(
        {
            "LUPIN_VAR_DIR": str(folder / "var"),
            "LUPIN_DEBUG": "1",
            "LUPIN_TENDER_MAX_MB": str(max(300, mb + 1)),
            "LUPIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lupin.settings",
            # Django's upload temp files and the action's sealing temp files land on the same
            # disk as the baseline write and the media folder.
            "TMPDIR": str(folder / "tmp"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    return env


def prepare(env: dict[str, str]) -> tuple[int, str]:
    """Migrate, create the cast and an announced competition; return its id and a raw token."""
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()  # before anything imports pytest: settings must not think they are testing
    call_command("migrate", verbosity=0)

    from lupin.accounts.actions import create_api_token
    from lupin.accounts.models import Organisation, OrganisationKind, Role, User
    from lupin.competitions.tests.conftest import make_competition

    def member(username: str, kind: str, name: str, org_number: str, role: str) -> User:
        organisation = Organisation.objects.create(
            kind=kind, name=name, org_number=org_number, email=f"post@{username}.example"
        )
        return User.objects.create_user(
            username=username, organisation=organisation, role=role, email=f"{username}@ex.org"
        )

    # Valid (MOD11) but fictional organisation numbers, as in the test cast.
    buyer = member(
        "buyer", OrganisationKind.BUYER, "Fjordvik kommune", "100000113", Role.BUYER_ADMIN
    )
    supplier = member(
        "supplier",
        OrganisationKind.SUPPLIER,
        "Nordlys Teknologi AS",
        "100158493",
        Role.SUPPLIER_ADMIN,
    )
    competition = make_competition(buyer)
    _, raw = create_api_token(supplier, supplier, "bench")
    from django.db import connections

    connections.close_all()
    return competition.pk, raw


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "lupin.wsgi:application",
        "-w",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "600",
        "--error-logfile",
        str(log),
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 (our own interpreter)


def wait_for_health(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"gunicorn stopped with exit code {server.returncode}", log)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    fail("the server did not answer /healthz within 60 seconds", log)


def worker_pid(master: int) -> int:
    """The gunicorn worker: the master's only child (from /proc, no psutil)."""
    children_file = Path(f"/proc/{master}/task/{master}/children")
    children: list[int] = []
    if children_file.exists():
        children = [int(pid) for pid in children_file.read_text().split()]
    if not children:  # kernels without CONFIG_PROC_CHILDREN: scan every process's parent
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(stat.parent.name))
    if len(children) != 1:
        raise SystemExit(f"expected one gunicorn worker under {master}, found {children}")
    return children[0]


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS (resident now) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values


def fail(message: str, log: Path) -> None:
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise SystemExit(f"{message}\n--- server log (tail) ---\n{tail}")


# --- The bytes -------------------------------------------------------------------------------


def file_chunks(size: int) -> Iterator[bytes]:
    """`size` bytes in 1 MiB pieces: a PDF head, then one random MiB with each piece's number
    in front, so no two pieces are the same. Nothing but one piece is ever in memory."""
    block = os.urandom(MIB)
    sent, number = 0, 0
    while sent < size:
        piece = number.to_bytes(8, "big") + block[8:]
        if number == 0:
            piece = PDF_HEAD + piece[len(PDF_HEAD) :]
        piece = piece[: size - sent]
        yield piece
        sent += len(piece)
        number += 1


def multipart(size: int, digest: hashlib._Hash) -> tuple[int, Iterator[bytes]]:
    """The body's exact length (for Content-Length) and the body itself, as a generator."""
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="price"\r\n\r\n'
        f"{PRICE}\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="tender.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        for piece in file_chunks(size):
            digest.update(piece)
            yield piece
        yield tail

    return len(head) + size + len(tail), body()


def post_tender(
    port: int, competition: int, token: str, size: int
) -> tuple[int, bytes, float, str]:
    """Status, response body, seconds from the first byte to the answer, SHA-256 sent."""
    digest = hashlib.sha256()
    length, body = multipart(size, digest)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    connection.request(
        "POST",
        f"/api/v1/competitions/{competition}/tenders",
        body=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
        },
    )
    response = connection.getresponse()
    content = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, content, seconds, digest.hexdigest()


def write_directly(path: Path, size: int, *, fsync: bool) -> float:
    os.sync()
    started = time.perf_counter()
    with open(path, "wb", buffering=0) as sink:
        for piece in file_chunks(size):
            sink.write(piece)
        if fsync:
            os.fsync(sink.fileno())
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds


# --- The run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="MiB in the tender file (default 200)")
    parser.add_argument("--dir", default=None, help="folder for everything (default: temp)")
    options = parser.parse_args()
    size = options.mb * MIB

    with tempfile.TemporaryDirectory(dir=options.dir, prefix="lupin-bench-upload-") as name:
        folder = Path(name)
        (folder / "var").mkdir()
        (folder / "tmp").mkdir()
        env = server_env(folder, options.mb)
        competition, token = prepare(env)
        port, log = free_port(), folder / "gunicorn.log"
        server = start_server(env, port, log)
        try:
            wait_for_health(server, port, log)
            worker = worker_pid(server.pid)
            # Warm-up: a small tender through the same path loads every module the upload
            # needs (ninja, the parser, cryptography), so the baseline is the warm worker.
            status, content, _, _ = post_tender(port, competition, token, 64 * 1024)
            if status != 201:
                fail(f"the warm-up tender was answered {status}: {content[:500]!r}", log)
            before = memory_kib(worker)
            os.sync()  # each timed phase starts with no dirty pages left by the one before

            status, content, upload_seconds, sent_sha = post_tender(port, competition, token, size)
            after = memory_kib(worker)
            if status != 201:
                fail(f"the upload was answered {status}: {content[:500]!r}", log)
            receipt = json.loads(content)
            stored = receipt["files"][0]
            same = stored["size"] == size and stored["sha256"] == sent_sha
            # The largest sealed file is this upload's (the warm-up's is 64 KiB).
            sealed = max(p.stat().st_size for p in (folder / "var" / "media").rglob("*.sealed"))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

        write_seconds = write_directly(folder / "direct.bin", size, fsync=True)
        cache_seconds = write_directly(folder / "direct.bin", size, fsync=False)

    mib_s = options.mb / upload_seconds
    extra_mib = (after["VmHWM"] - before["VmHWM"]) / 1024
    print(
        f"Tender upload of {options.mb} MiB ({size:,} bytes) to gunicorn, 1 sync worker, "
        f"SQLite, files in {options.dir or tempfile.gettempdir()}"
    )
    print(
        f"receipt: {stored['size']:,} bytes, SHA-256 matches what was sent: "
        f"{'yes' if same else 'NO'}; sealed file on disk: {sealed:,} bytes"
    )
    print()
    print(f"{'':<28} {'seconds':>8} {'MiB/s':>8} {'upload vs it':>13}")
    print(f"{'upload (POST to 201)':<28} {upload_seconds:>8.2f} {mib_s:>8.0f}")
    for label, seconds in (
        ("direct write + fsync", write_seconds),
        ("direct write, no fsync", cache_seconds),
    ):
        print(
            f"{label:<28} {seconds:>8.2f} {options.mb / seconds:>8.0f} "
            f"{seconds / upload_seconds:>12.2f}x"
        )
    print()
    print(
        f"worker VmHWM: {before['VmHWM'] / 1024:.1f} MiB after warm-up, "
        f"{after['VmHWM'] / 1024:.1f} MiB after the upload"
    )
    print(
        f"THROUGHPUT RATIO (upload / direct write + fsync): {write_seconds / upload_seconds:.2f}x"
    )
    print(f"PEAK EXTRA MEMORY of the server worker: {extra_mib:.1f} MiB (bound: 64 MB)")


if __name__ == "__main__":
    main()
