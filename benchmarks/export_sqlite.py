"""Benchmark: ``auditor export --sqlite`` of two large snapshots.

Generates a source and a target snapshot with N servers and 1.5 N volumes each
(:func:`auditor.demo.data.generate`, the demo's clouds at scale), writes them
and a report of their diff to a temporary directory, then times the command as
an operator runs it (a subprocess: reading and checking the snapshots, writing
the database, replacing the file), median of ``--runs``.

    python benchmarks/export_sqlite.py                # N = 100000 (issue 22: < 10 s)
    python benchmarks/export_sqlite.py --servers 5000
    python benchmarks/export_sqlite.py --work-dir /tmp/export   # keeps the snapshots

Each run's CPU seconds (user + system of the command, from ``wait4``) are
printed besides its wall-clock time: on a machine other jobs share, they are
the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100_000, help="servers per cloud")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--work-dir", help="keep the snapshots here, and reuse them when they are there"
    )
    args = parser.parse_args()
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        return measure(args.work_dir, args.servers, args.runs)
    with tempfile.TemporaryDirectory(prefix="auditor-export-") as work:
        return measure(work, args.servers, args.runs)


def _snapshots(work: str, servers: int) -> list[str]:
    paths = [os.path.join(work, f"{cloud}-{servers}.json") for cloud in ("cloudwatt", "ocb")]
    if all(os.path.exists(p) for p in paths):
        print(f"reusing {', '.join(paths)}")
        return paths
    from auditor.demo.data import generate

    started = time.perf_counter()
    source, target = generate(servers=servers)
    for snapshot, path in zip((source, target), paths, strict=True):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(snapshot.dumps())
    counts = {name: len(source.collections[name].items) for name in ("servers", "volumes")}
    print(
        f"generated 2 snapshots ({counts['servers']} servers, {counts['volumes']} volumes"
        f" each) in {time.perf_counter() - started:.1f} s"
    )
    return paths


def measure(work: str, servers: int, runs: int) -> int:
    paths = _snapshots(work, servers)
    database = os.path.join(work, "inventory.sqlite")
    times, cpus, peaks = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        argv = [sys.executable, "-m", "auditor", "export", *paths, "--sqlite", database]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"auditor export failed ({status})")
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
    size = os.path.getsize(database) / 2**20
    print(
        f"auditor export --sqlite: median {statistics.median(times):.2f} s over {runs}"
        f" runs (min {min(times):.2f} s), CPU median {statistics.median(cpus):.2f} s"
        f" (min {min(cpus):.2f} s), peak RSS {max(peaks):.0f} MB, database {size:.0f} MB,"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
