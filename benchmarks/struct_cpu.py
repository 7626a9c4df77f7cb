"""Pages decoded into dicts (``TypedDict``) or into ``Struct``s, then kept and normalised.

    python benchmarks/struct_cpu.py --clouds-yaml FILE CLOUD [--runs 7]

Against a sandbox in another process (``benchmarks/serve_sandbox.py``), it lists
the servers and volumes of CLOUD once as the inventory does, keeping each page's
bytes; then, in this process, it decodes those pages, keeps them (the pager's
de-duplication) and normalises them both ways, one way after the other
(interleaved, ``--runs`` times, the collector paused as in an inventory), checks
that both ways give the same snapshot items, and prints one JSON line: each
listing's median thread CPU seconds per way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import Future
from typing import Any

from auditor.catalog import registry
from auditor.catalog.lookups import Lookups, Reading
from auditor.collect import decode
from auditor.collect.normalise import normalise_items
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import Runner
from auditor.collect.structs import struct_layout
from auditor.collect.walk import kept_typed
from auditor.connect import CloudTarget, ConfigSource, connect
from auditor.gcpause import paused_gc

COLLECTIONS = ("servers", "volumes")


class _Counts:
    pages = 0
    restarts = 0
    duplicates = 0


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def _pages(run: Runner, spec: Any, mv: str | None, needs: dict[str, Any]) -> list[bytes]:
    """The bodies of the pages of ``spec``'s listing, as the pager got them."""
    pages: list[bytes] = []
    original = decode.PageDecoder.decode

    def keep(self: decode.PageDecoder, content: bytes) -> tuple[Any, bool]:
        pages.append(content)
        return original(self, content)

    decode.PageDecoder.decode = keep  # type: ignore[method-assign]
    try:
        run.fetch_normalised(spec, mv, needs, {str(spec.service): mv})
    finally:
        decode.PageDecoder.decode = original  # type: ignore[method-assign]
    return pages


def _list(
    spec: Any, pages: list[bytes], reading: Reading, structs: bool
) -> tuple[float, list[Any]]:
    request = spec.primary
    layout = struct_layout(spec) if structs else None
    decoder = decode.PageDecoder(
        request.items,
        request.links or f"{request.items}_links",
        frozenset(registry.kept_fields(request.key) or ()) | {"id"} | set(request.shapes),
        frozenset(request.shapes.items()),
        layout,
    )
    assert decoder.structs is structs
    seen: set[Any] = set()
    out: list[Any] = []
    # The collector paused, as the inventory pauses it around each listing.
    with paused_gc():
        cpu = time.thread_time()
        for content in pages:
            body, _ = decoder.decode(content)
            page = body[request.items]
            fresh = kept_typed("x", page, _Counts(), seen, None, None, structs=structs)
            out.extend(normalise_items(spec, fresh, reading))
        cpu = time.thread_time() - cpu
    return cpu, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cloud")
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    target = CloudTarget(args.cloud)
    conn = connect(target, config=ConfigSource(path=args.clouds_yaml))
    run = Runner(conn, target, RetryPolicy())
    run.authenticate()
    doc: dict[str, Any] = {}
    for name in COLLECTIONS:
        spec = registry.spec(name)
        service = str(spec.service)
        microversions = {service: run.negotiate(service)}
        mv = microversions[service]
        needs: dict[str, Any] = {}
        for request in (*spec.needs(microversions), *spec.enriched_by):
            needs[request.key] = _done(run.fetch(request, microversions.get(request.service)))
        pages = _pages(run, spec, mv, needs)
        raw = {key: future.result().items for key, future in needs.items()}
        reading = Reading(Lookups(raw, microversions), mv, tag=spec.primary.tag)
        times: dict[str, list[float]] = {"dicts": [], "structs": []}
        for _ in range(args.runs):
            cpu_dicts, dicts = _list(spec, pages, reading, False)
            cpu_structs, structs = _list(spec, pages, reading, True)
            if dicts != structs:
                raise SystemExit(f"{name}: the two ways give different items")
            times["dicts"].append(cpu_dicts)
            times["structs"].append(cpu_structs)
        doc[name] = {
            "items": len(dicts),
            **{way: round(statistics.median(t), 4) for way, t in times.items()},
        }
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
