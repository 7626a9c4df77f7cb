"""Golden files of the catalog redesign's safety net: read, compare, regenerate.

``AUDITOR_REGEN_GOLDEN=1 python -m pytest tests/unit/catalog`` rewrites them
(only ever on purpose: a diff of a golden file is a change of behaviour to
explain in the commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "catalog"


def text(value: Any, *, by_line: bool = False) -> str:
    """The golden text of ``value``: key order kept (it is part of what is pinned); with
    ``by_line``, one line per key of ``value`` (a mapping)."""
    if by_line:
        lines = [
            f"{json.dumps(key)}: {json.dumps(item, ensure_ascii=False, default=str)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(lines) + "\n}\n"
    return json.dumps(value, indent=1, ensure_ascii=False, default=str) + "\n"


def check(name: str, value: Any, *, by_line: bool = False) -> None:
    """Assert ``value`` is what the golden file ``name`` holds (or write it, when asked)."""
    path = GOLDEN / name
    actual = text(value, by_line=by_line)
    if os.environ.get("AUDITOR_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        # Point at the first differing line: the files are long.
        for number, (a, e) in enumerate(
            zip(actual.splitlines(), expected.splitlines(), strict=False), start=1
        ):
            if a != e:
                raise AssertionError(f"{name} line {number}: got {a!r}, golden {e!r}")
        raise AssertionError(f"{name}: lengths differ ({len(actual)} vs {len(expected)})")
