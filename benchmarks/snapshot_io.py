"""Reading and writing one saved snapshot, the way the commands do and the way they did.

    python benchmarks/snapshot_io.py [SERVERS] [--runs N]    # default 20000, 3 runs

Generates ``generate(servers=SERVERS)``'s target cloud, then prints one JSON line of
CPU seconds (best of the runs), each new way against the old one on the same data:

- writing: ``Snapshot.dumps`` (json's C encoder, indented by msgspec) against
  ``json.dumps(indent=1, ensure_ascii=False)`` (its pure-Python encoder); the texts
  must be the same;
- reading: :func:`auditor.shapecheck.load_snapshot` of the file's bytes (msgspec's
  check of every item's shape) against ``Snapshot.loads`` of its text followed by
  :func:`auditor.shapecheck.check_snapshot` (the item-by-item checker); the
  snapshots must be equal.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from auditor.demo.data import generate
from auditor.model import Snapshot
from auditor.shapecheck import check_snapshot, load_snapshot


def _best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.process_time()
        out = work()
        best = min(best, time.process_time() - start)
    return best, out


def _old_read(text: str) -> Snapshot:
    snapshot = Snapshot.loads(text, "snapshot.json")
    check_snapshot(snapshot, "snapshot.json")
    return snapshot


def measure(servers: int, runs: int) -> dict[str, object]:
    _, snapshot = generate(servers=servers)
    doc = snapshot.to_json()
    write_new, text = _best(runs, snapshot.dumps)
    write_old, before = _best(
        runs, lambda: json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
    )
    if text != before:
        raise SystemExit("Snapshot.dumps wrote another text than json.dumps")
    data = text.encode()
    read_new, new = _best(runs, lambda: load_snapshot(data, "snapshot.json"))
    read_old, old = _best(runs, lambda: _old_read(text))
    if new != old:
        raise SystemExit("load_snapshot read another snapshot")
    return {
        "servers": servers,
        "items": sum(len(c.items) for c in snapshot.collections.values()),
        "megabytes": round(len(data) / 1e6, 1),
        "write_cpu_s": write_new,
        "write_json_dumps_cpu_s": write_old,
        "read_cpu_s": read_new,
        "read_loads_and_checker_cpu_s": read_old,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("servers", nargs="?", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.servers, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
