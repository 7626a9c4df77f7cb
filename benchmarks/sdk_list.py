"""The openstacksdk resource path: how most tools built on the SDK list a cloud.

``conn.compute.servers(details=True, all_projects=True)`` and friends, each
listing consumed to the end as SDK ``Resource`` objects, one cloud after the
other: the same collections as the auditor's core inventory.

    python benchmarks/sdk_list.py --clouds-yaml FILE CLOUD [CLOUD...]

Prints one JSON line: items per listing, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any


def list_cloud(conn: Any) -> dict[str, int]:
    """The core collections and the lookups behind them, as the SDK's resources."""
    listings = {
        "domains": conn.identity.domains,
        "projects": conn.identity.projects,
        "services": conn.identity.services,
        "endpoints": conn.identity.endpoints,
        "servers": lambda: conn.compute.servers(details=True, all_projects=True),
        "volumes": lambda: conn.block_storage.volumes(details=True, all_projects=True),
        "images": conn.image.images,
    }
    return {name: sum(1 for _ in listing()) for name, listing in listings.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("clouds", nargs="+")
    args = parser.parse_args(argv)
    os.environ["OS_CLIENT_CONFIG_FILE"] = args.clouds_yaml
    import openstack

    started = time.perf_counter()
    results = {}
    for cloud in args.clouds:
        conn = openstack.connect(cloud=cloud)
        results[cloud] = list_cloud(conn)
        conn.close()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "clouds": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
