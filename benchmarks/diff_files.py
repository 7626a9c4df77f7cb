"""The diff of two saved snapshots: reading them, then the diff alone, then the command.

    python benchmarks/diff_files.py [SERVERS] [--work-dir DIR]    # default 20000

Writes ``generate(servers=SERVERS)``'s two clouds and the demo's rules into the
work directory (a temporary one by default), then prints one JSON line: the CPU
seconds of reading both snapshots as the command does (``read_cpu_s``:
:func:`auditor.app.files.read_snapshot`, file, decoding, shape check), of which the
shape check (``read_shape_cpu_s``: :func:`auditor.shapecheck.fits_schema`, timed
again on its own) and the rest (``read_loads_cpu_s``); the item-by-item checker
the shape check falls back on, timed on its own (``checker_cpu_s``, not part of a
read of a sound snapshot); :func:`auditor.diff.diff` on what was read; and the
whole ``auditor diff`` command in a child process (imports and the JSON report
included), with the findings each found. Issue 19's target 4 is "the diff of two
saved 20k snapshots under 1 s": the figures say which part meets it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auditor.app.files import read_snapshot
from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.gcpause import paused_gc
from auditor.model import Snapshot
from auditor.rules import parse_rules
from auditor.shapecheck import check_snapshot, fits_schema


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(servers: int, work: Path) -> dict[str, object]:
    source, target = generate(servers=servers)
    paths = [work / "source.json", work / "target.json"]
    for path, snapshot in zip(paths, (source, target), strict=True):
        path.write_text(snapshot.dumps())
    (work / "rules.yaml").write_text(RULES)
    reading = shape = checker = 0.0
    read: list[Snapshot] = []
    for path in paths:
        start = time.process_time()
        snapshot = read_snapshot(str(path))
        reading += time.process_time() - start
        read.append(snapshot)
        with paused_gc():
            doc = Snapshot.decode(path.read_bytes())
            start = time.process_time()
            if not fits_schema(doc):
                raise SystemExit(f"{path}: msgspec's check refused a generated snapshot")
            shape += time.process_time() - start
            start = time.process_time()
            check_snapshot(snapshot, str(path))
            checker += time.process_time() - start
        del doc
    rules = parse_rules(RULES, "rules.yaml")
    start = time.process_time()
    report = diff(read[0], read[1], rules)
    diff_cpu = time.process_time() - start

    report_path = work / "report.json"
    argv = [sys.executable, "-m", "auditor", "-q", "--no-progress", "diff", *map(str, paths)]
    argv += ["--rules", str(work / "rules.yaml"), "-f", "json", "-o", str(report_path)]
    before, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(argv, check=False, capture_output=True, text=True)
    command_cpu, wall = _children_cpu() - before, time.perf_counter() - wall
    if done.returncode not in (0, 1):
        raise SystemExit(f"auditor diff failed ({done.returncode}): {done.stderr[-2000:]}")
    command_findings = len(json.loads(report_path.read_text())["findings"])
    return {
        "servers": servers,
        "items_per_side": sum(len(c.items) for c in source.collections.values()),
        "read_cpu_s": reading,
        "read_loads_cpu_s": reading - shape,
        "read_shape_cpu_s": shape,
        "checker_cpu_s": checker,
        "diff_cpu_s": diff_cpu,
        "diff_findings": len(report.findings),
        "command_cpu_s": command_cpu,
        "command_wall_s": wall,
        "command_findings": command_findings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("servers", nargs="?", type=int, default=20_000)
    parser.add_argument("--work-dir", help="where the snapshots go (default: a temporary dir)")
    args = parser.parse_args(argv)
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        print(json.dumps(measure(args.servers, Path(args.work_dir))))
    else:
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(measure(args.servers, Path(work))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
