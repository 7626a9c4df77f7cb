"""JSON Schemas of the auditor's documents: inventory, report, rules, id map, waivers.

The files hold each document's envelope; the parts that list collections
(the inventory's item definitions, the rules' collection names) are generated
from the catalog (:mod:`auditor.schemas.items`).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

NAMES = ("inventory", "report", "rules", "idmap", "waivers")

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
"""The Python types of each JSON Schema type name, as decoded JSON or YAML holds them:
checked by exact type (``type(True)`` is bool, never taken for an integer)."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema named ``name`` (one of :data:`NAMES`)."""
    if name not in NAMES:
        raise ValueError(f"unknown schema {name!r}")
    # Imported here: importlib.resources brings tempfile, shutil, random, bz2 and lzma
    # (3 ms), which `auditor --help` (that imports NAMES) does without.
    from importlib import resources

    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    # Imported here: the catalog imports the model, which checks snapshots against
    # the inventory schema.
    from auditor.schemas import items

    if name == "inventory":
        items.complete_inventory(schema)
    elif name == "rules":
        items.complete_rules(schema)
    return schema
