"""Sealing a large tender file: extra memory and throughput against a plain write to disk.

    .venv/bin/python bench/bench_sealing.py            # 200 MiB
    .venv/bin/python bench/bench_sealing.py --mb 1000 --dir /var/lib/lupin

The plaintext comes from a generator (one random MiB repeated), never held whole in memory.
Each phase runs in a fresh process so that its peak resident memory is its own:

- write: the same bytes written to a file in 1 MiB pieces, then fsync (the baseline);
- seal: `encrypt_stream` from the generator into a file, then fsync;
- open: `decrypt_stream` of that file into a hashing sink (authenticates every chunk);
- seal-cpu: `encrypt_stream` into a sink that only hashes: the cipher's own ceiling, no disk.

Disk times vary from run to run (fsync, page cache), so every phase runs `--repeat` times
(default 3), interleaved, and the median time and the largest memory figures are shown.

Printed per phase: seconds, MiB/s, throughput as a ratio of the plain write, the peak of Python
allocations (tracemalloc) and the growth of the process's peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lupin.lib import sealing  # noqa: E402 (after the path above)

MIB = 1024 * 1024
AAD = b"competition:1/tender:1/file:1"
# A benchmark key: the data key of a competition is random and 32 bytes; its value is irrelevant.
KEY = hashlib.sha256(b"bench_sealing").digest()


class Generated(io.RawIOBase):
    """`size` bytes of one random MiB repeated, produced as they are read."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = memoryview(hashlib.sha256(b"block").digest() * (MIB // 32))
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        count = min(len(view), self._left, MIB - self._offset)
        view[:count] = self._block[self._offset : self._offset + count]
        self._offset = (self._offset + count) % MIB
        self._left -= count
        return count


class HashingSink(io.RawIOBase):
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.digest.update(data)
        return len(data)


@dataclass(frozen=True)
class Measured:
    phase: str
    seconds: float
    traced_peak: int
    maxrss_growth: int
    sha256: str


def _maxrss() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage if sys.platform == "darwin" else usage * 1024  # Linux reports KiB


def _measure(phase: str, work: Callable[[], str]) -> Measured:
    before = _maxrss()
    tracemalloc.start()
    start = time.perf_counter()
    sha = work()
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Measured(phase, seconds, traced_peak, _maxrss() - before, sha)


def _write(size: int, folder: str) -> str:
    source, digest = Generated(size), hashlib.sha256()
    with open(Path(folder) / "plain.bin", "wb", buffering=0) as sink:
        while piece := source.read(MIB):
            digest.update(piece)
            sink.write(piece)
        os.fsync(sink.fileno())
    return digest.hexdigest()


def _seal(size: int, folder: str) -> str:
    with open(Path(folder) / "sealed.bin", "wb", buffering=0) as sink:
        result = sealing.encrypt_stream(KEY, Generated(size), sink, associated_data=AAD)  # type: ignore[arg-type]
        os.fsync(sink.fileno())
    return result.sha256


def _open(size: int, folder: str) -> str:
    sink = HashingSink()
    with open(Path(folder) / "sealed.bin", "rb", buffering=0) as source:
        result = sealing.decrypt_stream(KEY, source, sink, associated_data=AAD)  # type: ignore[arg-type]
    assert result.size == size
    return sink.digest.hexdigest()


def _seal_cpu(size: int, folder: str) -> str:
    result = sealing.encrypt_stream(KEY, Generated(size), HashingSink(), associated_data=AAD)  # type: ignore[arg-type]
    return result.sha256


PHASES: dict[str, Callable[[int, str], str]] = {
    "write": _write,
    "seal": _seal,
    "open": _open,
    "seal-cpu": _seal_cpu,
}


def run_phase(phase: str, size: int, folder: str) -> Measured:
    # Run the cipher once on a tiny input so that first-call set-up is not counted in the phase.
    sealing.decrypt_bytes(
        KEY, sealing.encrypt_bytes(KEY, b"warm-up", associated_data=AAD), associated_data=AAD
    )
    return _measure(phase, lambda: PHASES[phase](size, folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="MiB to seal (default 200)")
    parser.add_argument("--dir", default=None, help="folder for the files (default: temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase (default 3)")
    options = parser.parse_args()
    size = options.mb * MIB

    with tempfile.TemporaryDirectory(dir=options.dir, prefix="bench-sealing-") as folder:
        runs: dict[str, list[Measured]] = {phase: [] for phase in PHASES}
        for _ in range(max(1, options.repeat)):
            for phase in PHASES:
                # A fresh process per run: ru_maxrss is a high-water mark of the whole process.
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    runs[phase].append(pool.submit(run_phase, phase, size, folder).result())
        sealed_size = (Path(folder) / "sealed.bin").stat().st_size

    results = {
        phase: Measured(
            phase,
            statistics.median(m.seconds for m in measured),
            max(m.traced_peak for m in measured),
            max(m.maxrss_growth for m in measured),
            measured[0].sha256,
        )
        for phase, measured in runs.items()
    }
    hashes = {m.sha256 for measured in runs.values() for m in measured}
    print(
        f"{options.mb} MiB ({size:,} bytes), chunks of {sealing.DEFAULT_CHUNK_SIZE // MIB} MiB, "
        f"median of {max(1, options.repeat)} runs"
    )
    print(f"files in {options.dir or tempfile.gettempdir()}; sealed file {sealed_size:,} bytes")
    print(f"SHA-256 of the plaintext agrees in all phases: {'yes' if len(hashes) == 1 else 'NO'}")
    print()
    columns = (("seconds", 8), ("MiB/s", 8), ("vs write", 9), ("tracemalloc", 13), ("maxrss+", 9))
    print(f"{'phase':<8} " + " ".join(f"{name:>{width}}" for name, width in columns))
    baseline = results["write"].seconds
    for m in results.values():
        print(
            f"{m.phase:<8} {m.seconds:>8.2f} {options.mb / m.seconds:>8.0f} "
            f"{baseline / m.seconds:>8.2f}x {m.traced_peak / MIB:>9.1f} MiB "
            f"{m.maxrss_growth / MIB:>5.1f} MiB"
        )


if __name__ == "__main__":
    main()
