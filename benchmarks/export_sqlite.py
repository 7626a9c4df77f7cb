"""Benchmark: ``auditor export --sqlite`` of two large snapshots.

Generates a source and a target snapshot with N servers and 1.5 N volumes each
(:func:`auditor.demo.data.generate`, the demo's clouds at scale), writes them
and a report of their diff to a temporary directory, then times the command as
an operator runs it (a subprocess: reading and checking the snapshots, writing
the database, replacing the file), median of ``--runs``.

    python benchmarks/export_sqlite.py                # N = 100000 (issue 22: < 10 s)
    python benchmarks/export_sqlite.py --servers 5000
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100_000, help="servers per cloud")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from auditor.demo.data import generate

    with tempfile.TemporaryDirectory(prefix="auditor-export-") as work:
        started = time.perf_counter()
        source, target = generate(servers=args.servers)
        paths = []
        for snapshot in (source, target):
            path = os.path.join(work, f"{snapshot.cloud}.json")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(snapshot.dumps())
            paths.append(path)
        counts = {name: len(source.collections[name].items) for name in ("servers", "volumes")}
        print(
            f"generated 2 snapshots ({counts['servers']} servers, {counts['volumes']} volumes"
            f" each) in {time.perf_counter() - started:.1f} s"
        )
        database = os.path.join(work, "inventory.sqlite")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "auditor", "export", *paths, "--sqlite", database],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = os.path.getsize(database) / 2**20
        print(
            f"auditor export --sqlite: median {statistics.median(times):.2f} s over {args.runs}"
            f" runs (min {min(times):.2f} s), peak RSS {peak:.0f} MB, database {size:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
