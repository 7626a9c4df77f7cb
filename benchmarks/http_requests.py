"""Client CPU per request of the listing path: many small GETs, one after the other.

    python benchmarks/http_requests.py --clouds-yaml FILE CLOUD [--requests 2000]

Against a sandbox in another process (``benchmarks/serve_sandbox.py``), it asks
the compute quota set of each project in turn (one small page per request, the
count cross-check's fan-out) through :meth:`auditor.collect.run.Runner.fetch`,
the path every listing takes, until ``--requests`` are made; then pages of 1
project through :class:`auditor.collect.pager.Pager` (``--pages`` of them).
Prints one JSON line: the client's CPU and wall microseconds per request.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from auditor.catalog.identity import PROJECTS
from auditor.catalog.quotas import COMPUTE_QUOTAS
from auditor.collect.pager import Pager
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import Runner, for_item
from auditor.connect import CloudTarget, ConfigSource, connect


def connected(cloud: str, clouds_yaml: str) -> tuple[Any, Runner, str | None]:
    """A connection to ``cloud`` with its token, its runner and the compute microversion."""
    target = CloudTarget(cloud)
    conn = connect(target, config=ConfigSource(path=clouds_yaml))
    run = Runner(conn, target, RetryPolicy())
    run.authenticate()
    return conn, run, run.negotiate("compute")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cloud")
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args(argv)
    conn, run, mv = connected(args.cloud, args.clouds_yaml)
    projects = [str(p["id"]) for p in run.fetch(PROJECTS, None).items]
    # Warm up: the endpoint and its version discovery are cached by then.
    run.fetch(for_item(COMPUTE_QUOTAS, projects[0]), mv)

    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(args.requests):
        run.fetch(for_item(COMPUTE_QUOTAS, projects[i % len(projects)]), mv)
    fetch_cpu, fetch_wall = time.process_time() - cpu, time.perf_counter() - wall

    pager = Pager(conn.identity, policy=RetryPolicy())
    cpu, wall = time.process_time(), time.perf_counter()
    listed = pager.list(
        "identity projects", "/projects", "projects", {"limit": "1"}, fields={"id", "name"}
    )
    pages = listed.pages
    page_cpu, page_wall = time.process_time() - cpu, time.perf_counter() - wall
    doc = {
        "requests": args.requests,
        "fetch_cpu_us": round(fetch_cpu / args.requests * 1e6, 1),
        "fetch_wall_us": round(fetch_wall / args.requests * 1e6, 1),
        "pages": pages,
        "page_cpu_us": round(page_cpu / max(pages, 1) * 1e6, 1),
        "page_wall_us": round(page_wall / max(pages, 1) * 1e6, 1),
    }
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
