"""Client CPU of one GET through :class:`auditor.collect.http.BulkGet` (issue 19).

    python benchmarks/bulk_get.py --clouds-yaml FILE CLOUD [--rounds 5] [--pages 20]

Against a sandbox in another process (``benchmarks/serve_sandbox.py``), after the
token and the compute endpoint's discovery, it GETs the first ``--pages`` pages of
``/servers/detail?all_tenants=True&limit=1000`` (bodies of 1-2 MB at the
benchmark's clouds) and small pages (``limit=1``), ``--rounds`` times, measuring the
calling thread's CPU (``time.thread_time``: the sandbox's work is in another
process). Prints one JSON line: the median CPU microseconds per big and per small
GET, and the bytes per big page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from http_requests import connected  # this directory's, as the script runs

from auditor.collect.http import bulk_get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cloud")
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--small", type=int, default=200)
    args = parser.parse_args(argv)
    conn, _run, mv = connected(args.cloud, args.clouds_yaml)
    get = bulk_get(conn.compute).get
    options = {"microversion": mv, "raise_exc": False}
    # The markers of the first pages, then the pages themselves, timed.
    markers: list[str | None] = [None]
    for _ in range(args.pages - 1):
        query = {"all_tenants": "True", "limit": "1000"}
        if markers[-1]:
            query["marker"] = markers[-1]
        servers = get("/servers/detail", params=query, **options).json()["servers"]
        if not servers:
            break
        markers.append(servers[-1]["id"])
    big: list[float] = []
    small: list[float] = []
    size = 0
    for _ in range(args.rounds):
        start = time.thread_time()
        for marker in markers:
            query = {"all_tenants": "True", "limit": "1000"}
            if marker:
                query["marker"] = marker
            size = len(get("/servers/detail", params=query, **options).content)
        big.append((time.thread_time() - start) / len(markers))
        start = time.thread_time()
        for _ in range(args.small):
            get("/servers/detail", params={"all_tenants": "True", "limit": "1"}, **options)
        small.append((time.thread_time() - start) / args.small)
    doc = {
        "big_pages": len(markers),
        "big_bytes": size,
        "big_cpu_us": round(statistics.median(big) * 1e6, 1),
        "small_cpu_us": round(statistics.median(small) * 1e6, 1),
    }
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
