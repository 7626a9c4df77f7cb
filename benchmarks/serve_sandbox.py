"""The benchmark's API: the auditor's sandbox serving two snapshots, in its own process.

Run by ``benchmarks/run.py`` so that the clients it measures do not share a
process (CPU time, memory, the GIL) with the server::

    python benchmarks/serve_sandbox.py SOURCE.json TARGET.json --clouds-yaml FILE

It prints ``ready <url>`` once the listings are built and it is listening, then
answers one line per command read on stdin:

* ``count``: the requests answered since the last ``count``, as one JSON line
  (``{"total": n, "by_kind": {"GET /cloud/compute/...": n, ...}}``);
* ``quit`` (or end of input): stop and exit.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_snapshot
from auditor.sandbox import Fault, Sandbox, SandboxOptions

# Ids and markers vary, the kind of request does not: ".../servers/detail".
_ID = re.compile(r"/[0-9a-f]{32}(?=/|$)|/[0-9a-f-]{36}(?=/|$)")


def request_counts(sandbox: Sandbox) -> dict[str, object]:
    """What was asked since the last call: totals by method and path (ids elided)."""
    entries = sandbox.requests
    sandbox.clear_requests()
    kinds = Counter(f"{e.method} {_ID.sub('/{id}', e.path)}" for e in entries)
    return {
        "total": len(entries),
        "non_get": sum(1 for e in entries if e.method not in ("GET", "HEAD")),
        "errors": sum(1 for e in entries if e.status is None or e.status >= 400),
        "by_kind": dict(sorted(kinds.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", nargs="+", help="snapshot files to serve")
    parser.add_argument("--clouds-yaml", required=True, help="write the clouds.yaml here")
    parser.add_argument("--max-limit", type=int, default=1000, help="page cap (default 1000)")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="answer every GET this many milliseconds late (an API that is not on loopback)",
    )
    args = parser.parse_args(argv)
    snapshots = [read_snapshot(path) for path in args.snapshots]
    options = SandboxOptions(max_limit=args.max_limit)
    with Sandbox(snapshots, options=options) as sandbox:
        if args.latency > 0:
            # Each connection has its own thread: concurrent requests wait in parallel,
            # as they would on a real API's workers.
            sandbox.faults.add(Fault(".", delay=args.latency / 1000, times=None, method="GET"))
        save_clouds_yaml(sandbox, args.clouds_yaml)
        print(f"ready {sandbox.url}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(json.dumps(request_counts(sandbox)), flush=True)
            elif command == "quit":
                break
            elif command:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
