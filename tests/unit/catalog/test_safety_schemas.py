"""Safety net of the catalog redesign: ``auditor schema`` prints what it did, or more.

The golden files are the schemas of main before the redesign. The inventory
schema may only grow (item definitions of every collection, generated from
the catalog); the others stay equal.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from auditor.cli import main
from auditor.schemas import NAMES
from tests.unit.catalog.golden import GOLDEN


def _printed(name: str) -> Any:
    out = io.StringIO()
    assert main(["schema", name], stdout=out) == 0
    return json.loads(out.getvalue())


def extends(old: Any, new: Any, where: str = "$") -> str | None:
    """Where ``new`` does not hold all of ``old`` (objects may gain keys), or None."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in new:
                return f"{where}.{key} is gone"
            wrong = extends(value, new[key], f"{where}.{key}")
            if wrong is not None:
                return wrong
        return None
    return None if old == new else f"{where}: {old!r} became {new!r}"


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_what_it_was_or_more(name: str) -> None:
    before = json.loads((GOLDEN / f"schema-{name}.json").read_text(encoding="utf-8"))
    now = _printed(name)
    if name == "inventory":
        assert extends(before, now) is None, extends(before, now)
    else:
        assert now == before
