"""Client CPU per item of the big listings: paged, decoded, checked, normalised.

    python benchmarks/items_cpu.py --clouds-yaml FILE CLOUD [--runs 3] [--profile]

Against a sandbox in another process (``benchmarks/serve_sandbox.py``), it lists
the servers and volumes of CLOUD as the inventory does (their lookups first,
then :meth:`auditor.collect.run.Runner.fetch_normalised`: pages decoded to the
catalog's fields, checked, de-duplicated and normalised page by page), in the
main thread, one listing after the other. Prints one JSON line: items and the
client's CPU microseconds per item (best of ``--runs``); ``--profile`` prints
the cProfile of the last run instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from concurrent.futures import Future
from typing import Any

from auditor.catalog import registry
from auditor.catalog.spec import CollectionSpec
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import Runner
from auditor.connect import CloudTarget, ConfigSource, connect

COLLECTIONS = ("servers", "volumes")


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def open_cloud(
    cloud: str, clouds_yaml: str
) -> tuple[Runner, list[CollectionSpec], dict[str, str | None]]:
    """A runner on ``cloud`` (authenticated), the big listings' specs and their
    services' negotiated microversions."""
    target = CloudTarget(cloud)
    conn = connect(target, config=ConfigSource(path=clouds_yaml))
    run = Runner(conn, target, RetryPolicy())
    run.authenticate()
    specs = [registry.spec(name) for name in COLLECTIONS]
    services = sorted({s.service for s in specs if s.service})
    return run, specs, {service: run.negotiate(service) for service in services}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cloud")
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    run, specs, microversions = open_cloud(args.cloud, args.clouds_yaml)
    lookups = {}
    for spec in specs:
        for request in (*spec.needs(microversions), *spec.enriched_by):
            mv = microversions.get(request.service)
            lookups[request.key] = _done(run.fetch(request, mv))
    best: dict[str, float] = {}
    items: dict[str, int] = {}
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.runs):
        for spec in specs:
            mv = microversions.get(spec.service or "")
            needs = {r.key: lookups[r.key] for r in (*spec.needs(microversions), *spec.enriched_by)}
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            listed = run.fetch_normalised(spec, mv, needs, microversions)
            cpu = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
            items[spec.name] = len(listed.items)
            best[spec.name] = min(best.get(spec.name, cpu), cpu)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        return 0
    doc: dict[str, Any] = {"items": items}
    for name, cpu in best.items():
        doc[f"{name}_cpu_us_per_item"] = round(cpu / max(items[name], 1) * 1e6, 2)
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
