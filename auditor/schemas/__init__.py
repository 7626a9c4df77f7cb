"""JSON Schemas of the auditor's documents: inventory, report, rules, id map, waivers."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

NAMES = ("inventory", "report", "rules", "idmap", "waivers")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema named ``name`` (one of :data:`NAMES`)."""
    if name not in NAMES:
        raise ValueError(f"unknown schema {name!r}")
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
