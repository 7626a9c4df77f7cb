"""Listing load balancers and stacks from the sandbox: wall time and requests per collection.

The example cloud at ``--servers`` servers (its load balancers and stacks scale with its
tenants) is served on loopback; ``load_balancers`` and ``stacks`` are inventoried
through openstacksdk as ``auditor inventory`` does, ``--runs`` times each, and the
best wall time, the requests made and the items listed are printed. The members of
the pools and the parameters of the stacks cost one request per pool or stack (the
APIs offer no other way): these are what grow.

    python benchmarks/apps_listing.py --servers 20000 --runs 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import CloudTarget, RetryPolicy
from auditor.collect import take_inventory
from auditor.connect import connect
from auditor.demo.data import generate
from auditor.sandbox import Sandbox


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=20_000, help="servers of the cloud")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source, _target = generate(args.servers, extended=True, defects=False)
    with Sandbox([source]) as sandbox, tempfile.TemporaryDirectory() as tmp:
        clouds = Path(tmp) / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget(source.cloud)
        for name in ("load_balancers", "stacks"):
            best = float("inf")
            for _ in range(args.runs):
                conn = connect(target, config=read_clouds_config(str(clouds)))
                sandbox.clear_requests()
                started = time.perf_counter()
                got = take_inventory(
                    conn, target, collections=(name,), policy=RetryPolicy(attempts=1)
                ).collections[name]
                best = min(best, time.perf_counter() - started)
                asked = [r for r in sandbox.requests if r.method == "GET"]
                assert got.status.value == "ok", got.error
            print(
                f"{name}: {len(got.items)} items, {len(asked)} GETs"
                f" (all lookups included), best of {args.runs}: {best:.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
