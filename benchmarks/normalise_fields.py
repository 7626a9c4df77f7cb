"""Where normalising the big listings goes, field by field: CPU of each field's reader.

    python benchmarks/normalise_fields.py --clouds-yaml FILE CLOUD [--runs 5]

Against a sandbox in another process (``benchmarks/serve_sandbox.py``), it lists
the raw servers and volumes of CLOUD (trimmed to the fields the catalog reads,
as the inventory does), then times in this thread, best of ``--runs``: the
generated builder of each collection over every raw item, and each field's own
expression as that builder writes it (an empty function's cost taken off).
The fields' sum is not the builder's time: the builder reads a shared value
once and builds one dict. Prints one JSON line: items, the builder's and each
field's CPU microseconds per item. To compare two versions, run it with each
version's ``auditor/`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from items_cpu import open_cloud

from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.spec import CollectionSpec
from auditor.collect import normalise

JSON = dict[str, Any]


def _best(
    read: Callable[[JSON, JSON, Reading], Any], items: Sequence[JSON], reading: Reading, runs: int
) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.thread_time()
        for item in items:
            read(item, item, reading)
        best = min(best, time.thread_time() - began)
    return best


def field_readers(spec: CollectionSpec) -> dict[str, Callable[[JSON, JSON, Reading], Any]]:
    """Each field's expression as the generated builder writes it, as a function."""
    readers = {}
    for i, f in enumerate(spec.fields):
        env: dict[str, Any] = {}
        expression = normalise._expression(str(i), f.source, env, normalise._Reads({}))
        exec(f"def read(item, raw, rd):\n    return {expression}", env)
        readers[f.name] = env["read"]
    return readers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cloud")
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    run, specs, microversions = open_cloud(args.cloud, args.clouds_yaml)
    raw: dict[str, list[JSON]] = {}
    for spec in specs:
        for request in (*spec.requests, *spec.needs(microversions), *spec.enriched_by):
            raw[request.key] = run.fetch(request, microversions.get(request.service)).items
    lookups = Lookups(raw, microversions)
    doc: dict[str, Any] = {"items": {}}
    # As during an inventory (auditor.gcpause): no cyclic collection while items are built.
    gc.disable()
    for spec in specs:
        items = raw[spec.primary.key]
        reading = Reading(lookups, microversions.get(spec.service or ""), tag=spec.primary.tag)
        per_item = 1e6 / max(len(items), 1)
        empty = _best(lambda _item, _raw, _rd: None, items, reading, args.runs)
        build = normalise.builder(spec)
        doc["items"][spec.name] = len(items)
        doc[f"{spec.name}_builder_us"] = round(
            (_best(build, items, reading, args.runs) - empty) * per_item, 3
        )
        doc[f"{spec.name}_fields_us"] = {
            name: round((_best(read, items, reading, args.runs) - empty) * per_item, 3)
            for name, read in field_readers(spec).items()
        }
    gc.enable()
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
