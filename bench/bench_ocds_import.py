"""OCDS import: `lupin import-ocds` against `ocdskit compile` on the same releases, in one run.

    .venv/bin/python bench/bench_ocds_import.py                    # ≥ 10,000 releases, 3 rounds
    .venv/bin/python bench/bench_ocds_import.py --releases 50000 --repeat 1 --out /tmp/b.txt

The input is the real OCDS captures in ../shared/data/ocds/real (Paraguay, UK Contracts Finder,
Armenia: OCDS 1.0 and 1.1 mixed, with their problems), copied until there are at least
--releases releases, each copy with its ocids and release ids renamed (a suffix "-b007"), written
as one release package per original file into a temporary folder. A release that appears twice
in one copy (the captures hold some releases in two files) is written once, and linked releases
(no data) are left out, so both tools get exactly the same releases.

Each round runs, in fresh processes:
- ocdskit: `ocdskit compile --schema <the release schema Lupin ships>` reading every package
  from standard input (one file holding them all, as `cat *.json` would give), output to a file;
- lupin: `python -m lupin import-ocds <folder> --quiet` into a new, empty SQLite database
  (migrated beforehand, copied for each round; never your var/ or DATABASE_URL), with
  LUPIN_DEBUG=0 as on a server. The console script runs the import without loading Django;
  each package is a file of its own, up to 680 KB, so each is parsed whole;
- lupin, one file: the same import of the one file ocdskit reads (every package in it, one
  after the other), into another new database: the streaming reader (ijson), as for any file
  over 1 MiB;
- lupin again on the same folder and database: the re-import, where nothing changes.

Wall time is measured around each process; peak memory is the process's maximum resident set
size (GNU time's %M; see `run`). Each tool is also run on a package of one release, and "over
baseline" is the peak minus that: the memory the import of 10,000 releases needs beyond the
interpreter, the libraries and what the first release loads (the schema, the codelists).

Prints the median of the rounds, releases per second and the ratios lupin/ocdskit; nothing is
asserted. Exits non-zero only if a tool fails.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "ocds" / "real"
SCHEMA = ROOT / "lupin" / "opendata" / "data" / "ocds-schema-1.1.5" / "release-schema.json"
MIB = 1024 * 1024


# --- The input -----------------------------------------------------------------------------


def releases_in(value: Any) -> Iterator[dict[str, Any]]:
    """The full releases of a capture: packages, records (their compiled release when they embed
    no release), loose releases."""
    if isinstance(value, list):
        for item in value:
            yield from releases_in(item)
    elif isinstance(value, dict) and isinstance(value.get("records"), list):
        for record in value["records"]:
            yield from releases_in(record)
    elif isinstance(value, dict) and isinstance(value.get("releases"), list):
        full = [r for r in value["releases"] if isinstance(r, dict) and "ocid" in r]
        yield from full
        if not full and isinstance(value.get("compiledRelease"), dict):
            yield value["compiledRelease"]
    elif isinstance(value, dict) and "ocid" in value:
        yield value


def build_input(data: Path, folder: Path, at_least: int) -> tuple[int, int, int]:
    """Write the packages; return (files, releases, processes)."""
    sources = []
    for path in sorted(data.rglob("*.json")):
        value = json.loads(path.read_text(encoding="utf-8"))
        publisher = value.get("publisher") if isinstance(value, dict) else None
        found = list(releases_in(value))
        if not isinstance(publisher, dict) and found:
            publisher = (found[0].get("packageInfo") or {}).get("publisher")
        sources.append((publisher or {"name": "unknown"}, found))
    per_copy = len({(r["ocid"], r["id"]) for _, found in sources for r in found})
    copies = -(-at_least // per_copy)
    folder.mkdir(parents=True)
    files = releases = 0
    ocids: set[str] = set()
    for copy in range(copies):
        seen: set[tuple[str, str]] = set()
        suffix = f"-b{copy:03d}"
        for number, (publisher, originals) in enumerate(sources):
            renamed = []
            for release in originals:
                key = (release["ocid"], release["id"])
                if key in seen:
                    continue
                seen.add(key)
                renamed.append(
                    {**release, "ocid": release["ocid"] + suffix, "id": f"{release['id']}{suffix}"}
                )
                ocids.add(release["ocid"] + suffix)
            if not renamed:
                continue
            package = {
                "uri": f"https://bench.example/{copy}/{number}.json",
                "publishedDate": "2018-01-01T00:00:00Z",
                "publisher": publisher,
                "version": "1.1",
                "releases": renamed,
            }
            path = folder / f"c{copy:03d}-{number:03d}.json"
            path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
            files += 1
            releases += len(renamed)
    return files, releases, len(ocids)


def concatenate(folder: Path, target: Path) -> None:
    with target.open("wb") as out:
        for path in sorted(folder.glob("*.json")):
            out.write(path.read_bytes())
            out.write(b"\n")


# --- Running -------------------------------------------------------------------------------


TIME = Path("/usr/bin/time")


def run(
    command: list[str], *, env: dict[str, str], stdin: Path | None, stdout: Path
) -> tuple[float, int]:
    """Run a command; return (seconds, peak resident KiB of that process).

    The peak comes from GNU time's %M when /usr/bin/time exists: Linux carries the peak of the
    process that called exec() over to the program it starts, so a child started straight from
    this (large) script would report at least this script's size. Without GNU time, the child's
    VmHWM is read from /proc while it runs, the last reading before it ends."""
    measured = stdout.with_suffix(".time")
    if TIME.exists():
        command = [str(TIME), "-f", "%M", "-o", str(measured), *command]
    with (
        stdout.open("wb") as out,
        stdin.open("rb") if stdin else open(os.devnull, "rb") as source,  # noqa: SIM115
    ):
        start = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            command, stdin=source, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
        peak = 0
        if TIME.exists():
            process.wait()
        while process.poll() is None:
            peak = max(peak, vm_hwm(process.pid))
            time.sleep(0.01)
        seconds = time.perf_counter() - start
    if process.returncode != 0:
        tail = stdout.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(command[:6])}… exited {process.returncode}:\n{tail}")
    if TIME.exists():
        peak = int(measured.read_text().split()[-1])
    return seconds, peak


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def lupin_env(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "LUPIN_VAR_DIR": str(var),
            "LUPIN_DEBUG": "0",
            # Production settings want these; throw-away values for a throw-away database.
            "LUPIN_SECRET_KEY": "bench-" + "x" * 60,
            "LUPIN_ALLOWED_HOSTS": "localhost",
            "LUPIN_SEALING_KEY": base64.b64encode(b"b" * 32).decode(),
            "LUPIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "lupin.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    return env


def ocdskit_command() -> list[str]:
    found = shutil.which("ocdskit") or str(Path(sys.executable).parent / "ocdskit")
    if not Path(found).exists():
        raise SystemExit("ocdskit is not installed: pip install -e '.[dev]'")
    return [found, "compile", "--schema", str(SCHEMA)]


def lupin_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "lupin", "import-ocds", str(folder), "--quiet"]


# --- Report --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=10_000, help="at least this many")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--data", type=Path, default=DATA, help="the real captures")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"No OCDS captures at {args.data}")

    work = Path(tempfile.mkdtemp(prefix="lupin-bench-ocds-"))
    try:
        report = measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")


def measure(args: argparse.Namespace, work: Path) -> str:
    folder = work / "input"
    files, releases, processes = build_input(args.data, folder, args.releases)
    stream = work / "all.json"
    concatenate(folder, stream)
    size = sum(path.stat().st_size for path in folder.glob("*.json"))
    single = work / "single" / "single.json"
    single.parent.mkdir()
    first = {"ocid": "ocds-bench0-1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}
    single.write_text(json.dumps({"version": "1.1", "releases": [first]}) + "\n", encoding="utf-8")

    template = work / "template"
    template.mkdir()
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "lupin", "migrate", "-v", "0"],
        env=lupin_env(template),
        cwd=ROOT,
        check=True,
    )
    ocdskit, out = ocdskit_command(), work / "out.txt"

    def fresh_db(name: str) -> dict[str, str]:
        var = work / name
        shutil.copytree(template, var)
        return lupin_env(var)

    _, ocdskit_base = run(ocdskit, env=dict(os.environ), stdin=single, stdout=out)
    _, lupin_base = run(lupin_command(single.parent), env=fresh_db("base"), stdin=None, stdout=out)

    rows: dict[str, list[tuple[float, int]]] = {
        "ocdskit": [],
        "lupin": [],
        "lupin, one file": [],
        "lupin again": [],
    }
    for round_ in range(args.repeat):
        rows["ocdskit"].append(run(ocdskit, env=dict(os.environ), stdin=stream, stdout=out))
        compiled = sum(1 for line in out.read_text().splitlines() if line.startswith("{"))
        env = fresh_db(f"round-{round_}")
        rows["lupin"].append(run(lupin_command(folder), env=env, stdin=None, stdout=out))
        rows["lupin again"].append(run(lupin_command(folder), env=env, stdin=None, stdout=out))
        env = fresh_db(f"round-{round_}-one-file")
        rows["lupin, one file"].append(run(lupin_command(stream), env=env, stdin=None, stdout=out))

    baselines = {name: lupin_base for name in rows} | {"ocdskit": ocdskit_base}
    medians = {
        name: (statistics.median(s for s, _ in runs), statistics.median(m for _, m in runs))
        for name, runs in rows.items()
    }
    lines = [
        f"OCDS import of {releases:,} releases ({processes:,} processes, {files:,} release "
        f"packages, {size / MIB:.1f} MiB) from the real captures; median of {args.repeat} "
        f"round(s); ocdskit compiled {compiled:,} releases",
        "",
        f"{'':16}{'seconds':>9}{'releases/s':>12}{'peak MiB':>10}{'over baseline':>15}",
    ]
    for name, (seconds, peak) in medians.items():
        over = (peak - baselines[name]) / 1024
        lines.append(
            f"{name:16}{seconds:9.2f}{releases / seconds:12,.0f}{peak / 1024:10.1f}{over:13.1f} MiB"
        )
    (kit_s, kit_m), (lup_s, lup_m) = medians["ocdskit"], medians["lupin"]
    kit_over, lup_over = kit_m - ocdskit_base, lup_m - lupin_base
    lines += [
        "",
        f"baseline (a package of one release): ocdskit {ocdskit_base / 1024:.1f} MiB, "
        f"lupin {lupin_base / 1024:.1f} MiB",
        f"THROUGHPUT lupin / ocdskit: {kit_s / lup_s:.2f}x (above 1: lupin is faster); "
        f"one file: {kit_s / medians['lupin, one file'][0]:.2f}x",
        f"PEAK MEMORY lupin / ocdskit: {lup_m / kit_m:.2f}x; over baseline: "
        f"{lup_over / max(kit_over, 1):.2f}x (below 1: lupin needs less)",
        "rounds (seconds, peak MiB): "
        + "; ".join(
            f"{name} " + ", ".join(f"{s:.2f}/{m / 1024:.0f}" for s, m in runs)
            for name, runs in rows.items()
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
