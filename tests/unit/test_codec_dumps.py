"""``auditor.model.codec.dumps`` writes what ``json.dumps(indent=..., ensure_ascii=False)``
wrote, byte for byte: snapshots and JSON reports are compared and hashed by users."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from auditor.demo.data import generate
from auditor.model.codec import dumps

TEXTS = [
    "",
    " ",
    "plain",
    'quote " backslash \\ slash /',
    "".join(chr(c) for c in range(32)),
    "\x7f \u0080 \u2028 \u2029 é ü 中文 😀",
    "\ufeff BOM inside",
]
NUMBERS: list[Any] = [0, -1, 2**63, 2**70, -(2**70), 0.0, -0.0, 0.1, 1.5, 12.345, 1e16, 1e-05]
NUMBERS += [1e22, 1.7976931348623157e308, 5e-324, -4.6e111, 123456789.125, True, False, None]


def _document(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.random()
    if depth > 4 or pick < 0.4:
        return rng.choice([*TEXTS, *NUMBERS])
    if pick < 0.7:
        return [_document(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(TEXTS) + str(i): _document(rng, depth + 1) for i in range(rng.randrange(4))}


@pytest.mark.parametrize("indent", [1, 2])
def test_the_text_of_json_dumps(indent: int) -> None:
    rng = random.Random(19)
    docs: list[Any] = [[], {}, [[]], {"a": {}}, {"a": [[], {}]}, *TEXTS, *NUMBERS]
    docs += [_document(rng) for _ in range(300)]
    docs.append({2: "int key", None: "null key", 1.5: "float key", True: "bool key"})
    for doc in docs:
        assert dumps(doc, indent) == json.dumps(doc, indent=indent, ensure_ascii=False), doc


def test_what_msgspec_refuses_is_written_by_json() -> None:
    for doc in (float("nan"), {"x": [float("inf"), -float("inf")]}, {"s": "\ud800"}):
        assert dumps(doc, 1) == json.dumps(doc, indent=1, ensure_ascii=False)


def test_a_snapshot_is_written_as_before() -> None:
    source, _ = generate(servers=200)
    doc = source.to_json()
    assert source.dumps() == json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
