"""CPU cost of the diff alone: two generated clouds, diffed under the demo's rules.

    python benchmarks/diff_cpu.py [SERVERS]    # default 40000: 100k items per side

``generate(servers=40000)`` gives 40,000 servers and 60,000 volumes per cloud
(plus 2,000 projects and 15 endpoints). Prints one JSON line with the CPU and
wall seconds of :func:`auditor.diff.diff` (generation not included).
"""

from __future__ import annotations

import json
import sys
import time

from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.rules import parse_rules


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    servers = int(args[0]) if args else 40_000
    source, target = generate(servers=servers)
    rules = parse_rules(RULES, "rules.yaml")
    items = sum(len(c.items) for c in source.collections.values())
    cpu, wall = time.process_time(), time.perf_counter()
    report = diff(source, target, rules)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    doc = {
        "servers": servers,
        "items_per_side": items,
        "cpu_s": cpu,
        "wall_s": wall,
        "findings": len(report.findings),
    }
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
