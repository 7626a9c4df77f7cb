"""auditor.schemas.conform: its quick yes never hides an error jsonschema would raise.

The rules and waivers of the SPEC, the demo, the tests and the playbook, and
thousands of variants of them (each value replaced by values of every JSON type
and by near misses, each key removed, unknown keys added), are checked both
ways: wherever :func:`conforms` says yes, jsonschema finds no error; and the
unchanged documents take the quick way (else it would save nothing).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from auditor.demo.data import RULES as DEMO_RULES
from auditor.schemas import load_schema
from auditor.schemas.conform import conforms
from tests.unit.test_rules import SPEC_RULES
from tests.unit.test_waivers import EVERY_ERROR as WAIVERS

ROOT = Path(__file__).resolve().parents[2]

REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    2.5,
    "",
    "x",
    "f-0123456789abcdef",
    "2026-12-31",
    "2026-12-31\n",
    "servers",
    "info",
    "id",
    [],
    ["x"],
    ["x", "x"],
    ["servers"],
    ["servers", "servers"],
    [1, True],
    [1, 1.0],
    {},
    {"x": "y"},
    {"x": 1},
    {1: "y"},
    datetime.date(2026, 12, 31),
)
"""Values of every JSON type (and a few YAML gives besides), and near misses of the
schemas' enums, patterns and constants."""


def _documents() -> list[tuple[str, str, dict[str, Any]]]:
    texts = [
        ("rules", "SPEC", SPEC_RULES),
        ("rules", "demo", DEMO_RULES),
        ("rules", "golden", (ROOT / "tests/golden/rules.yaml").read_text("utf-8")),
        ("rules", "playbook", (ROOT / "playbooks/files/rules.yaml").read_text("utf-8")),
        ("waivers", "tests", WAIVERS),
    ]
    out = []
    for schema, name, text in texts:
        data = yaml.safe_load(text)
        # Dates as the waivers' loader leaves them: text.
        out.append((schema, name, json.loads(json.dumps(data, default=str))))
    return out


DOCUMENTS = _documents()


def _variants(value: Any) -> Iterator[Any]:
    """``value`` with one change somewhere: a value replaced, a key removed or added,
    a list item removed or duplicated."""
    yield from REPLACEMENTS
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for variant in _variants(value[key]):
                yield {**value, key: variant}
        yield {**value, "unknown": 1}
        for key in list(value)[:1]:  # an unknown key with a value valid under a known one
            yield {**value, "unknown": value[key], "servers.unknown": value[key]}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value[:index] + value[index + 1 :]
            yield [*value, item]
            for variant in _variants(item):
                yield [*value[:index], variant, *value[index + 1 :]]


@pytest.mark.parametrize(("schema", "name", "document"), DOCUMENTS, ids=[d[1] for d in DOCUMENTS])
def test_a_yes_is_never_an_error_jsonschema_would_raise(
    schema: str, name: str, document: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(load_schema(schema))
    assert conforms(document, load_schema(schema)), f"{name} takes the quick way"
    assert not list(validator.iter_errors(document))
    yes = no = 0
    for variant in _variants(document):
        if conforms(variant, load_schema(schema)):
            yes += 1
            errors = [e.message for e in validator.iter_errors(variant)]
            assert not errors, (json.dumps(variant, default=str)[:500], errors)
        else:
            no += 1
    # Both answers were given many times: the variants reach the schema's keywords.
    assert yes > 20
    assert no > 100


def test_unsure_answers_no() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}}}
    assert conforms({"b": 1}, schema)
    assert not conforms({"a": 4}, schema)  # minimum: not known here
    assert not conforms({"a": 1.0}, {"properties": {"a": {"type": "integer"}}})
    assert not conforms([1, 1.0], {"uniqueItems": True})
    assert not conforms(1, {"$ref": "other.json#/x"})
    assert not conforms(
        {"x": 1}, {"patternProperties": {"^x": True}, "additionalProperties": False}
    )


def test_a_valid_rules_file_is_read_without_jsonschema(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEMO_RULES, encoding="utf-8")
    probe = (
        "import sys\n"
        "from auditor.app.files import read_rules\n"
        f"read_rules({str(path)!r})\n"
        "print('jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
