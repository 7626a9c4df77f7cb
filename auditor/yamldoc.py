"""Strictly validated YAML documents (the rules and waivers files).

One way to read them: parse the YAML, remember the line of every key, refuse
duplicate keys and other versions, validate against the document's JSON
Schema, and word every error as ``FILE: line N: dotted.key: problem`` with
the document's own error class (exit code 2 in the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import yaml

from auditor.errors import BadInputError
from auditor.schemas import load_schema
from auditor.schemas.conform import conforms

if TYPE_CHECKING:
    import jsonschema

Path = tuple[str | int, ...]
"""Where a value is in the document: keys and list indexes."""

MAX_DOCUMENT_CHARS = 1 << 20
"""Largest rules or waivers file read (1 MiB: thousands of rules or waivers)."""
MAX_NODES = 100_000
"""Largest document once its aliases are expanded (an alias bomb expands to billions)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""


def dotted(path: Iterable[str | int]) -> str:
    """``rename.names[0].pattern``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


class Located:
    """Formats errors as ``FILE: line N: key: problem``, of the document's error class."""

    def __init__(self, origin: str, lines: Mapping[Path, int], error: type[BadInputError]) -> None:
        self.origin = origin
        self.lines = lines
        self.error_class = error

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest parent the YAML located."""
        probe = tuple(path)
        line = self.lines.get(probe)
        while line is None and probe:
            probe = probe[:-1]
            line = self.lines.get(probe)
        return line

    def error(self, path: Path, problem: str) -> BadInputError:
        line = self.line(path)
        where = f"line {line}: " if line else ""
        return self.error_class(f"{self.origin}: {where}{dotted(path)}: {problem}")


class _Budget:
    """Nodes left to visit, aliases expanded: the walk stops an alias bomb early."""

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes


def _line_map(
    node: yaml.Node, path: Path, lines: dict[Path, int], loc: Located, budget: _Budget
) -> None:
    budget.nodes -= 1
    if budget.nodes < 0:
        raise loc.error(
            (),
            f"more than {MAX_NODES} values once its aliases are expanded (an alias bomb?)",
        )
    if len(path) > MAX_DEPTH:
        raise loc.error(path[:MAX_DEPTH], f"nested deeper than {MAX_DEPTH} levels")
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            if key in seen:
                raise loc.error(child, "duplicate key")
            seen.add(key)
            _line_map(value_node, child, lines, loc, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines, loc, budget)


def schema_error(err: jsonschema.ValidationError, loc: Located) -> BadInputError:
    """A JSON Schema violation worded for an operator: the key, what was expected."""
    path: Path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        schema = err.schema if isinstance(err.schema, Mapping) else {}
        allowed = set((schema.get("properties") or {}).keys())
        unknown = sorted(k for k in err.instance if k not in allowed)
        if unknown:
            known = ", ".join(sorted(allowed)) or "none"
            return loc.error((*path, unknown[0]), f"unknown key (known here: {known})")
    if err.validator == "required" and isinstance(err.instance, dict):
        required = err.validator_value if isinstance(err.validator_value, list) else []
        absent = [k for k in required if k not in err.instance]
        if absent:
            return loc.error((*path, absent[0]), "is required")
    if err.validator == "type":
        expected = err.validator_value
        got = type(err.instance).__name__
        return loc.error(path, f"expected {expected}, got {got} ({err.instance!r})")
    if err.validator in ("enum", "const"):
        allowed_values = err.validator_value if err.validator == "enum" else [err.validator_value]
        return loc.error(
            path, f"{err.instance!r} is not allowed (expected one of {allowed_values})"
        )
    if err.validator == "propertyNames":
        return loc.error(path, f"bad key: {err.message}")
    return loc.error(path, err.message)


def load_document(
    text: str,
    origin: str,
    *,
    schema: str,
    error: type[BadInputError],
    empty: str,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
) -> tuple[dict[str, Any], Located]:
    """Parse ``text`` (named ``origin`` in errors) and validate it against ``schema``.

    Returns the data and a :class:`Located` for the caller's own checks. Raises
    ``error`` for YAML that does not parse, an ``empty`` document, a top level
    that is not a mapping, a version other than 1, or a schema violation.
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise error(f"{origin}: larger than {MAX_DOCUMENT_CHARS // 1024} KiB, not read")
    lines: dict[Path, int] = {}
    loc = Located(origin, lines, error)
    try:
        # Composed and checked (size once aliases are expanded, depth) before
        # anything is built from it; then built from that tree (the text is parsed once).
        reader = loader(text)
        try:
            node = reader.get_single_node()
            if node is not None:
                _line_map(node, (), lines, loc, _Budget(MAX_NODES))
            data = reader.construct_document(node) if node is not None else None
        finally:
            reader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise error(f"{origin}:{where} not valid YAML ({problem})") from None
    except RecursionError:
        raise error(f"{origin}: nested deeper than {MAX_DEPTH} levels") from None
    if data is None:
        raise error(f"{origin}: {empty}")
    if not isinstance(data, dict):
        raise loc.error((), f"expected a mapping of keys, got {type(data).__name__}")
    if "version" in data and data["version"] != 1:
        raise loc.error(
            ("version",), f"unsupported version {data['version']!r} (this auditor reads version 1)"
        )
    document_schema = load_schema(schema)
    if conforms(data, document_schema):
        return data, loc
    # Imported only for a document the quick check does not vouch for (an invalid one,
    # most often): jsonschema finds and words the error.
    import jsonschema

    validator = jsonschema.Draft202012Validator(document_schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise schema_error(best if best is not None else errors[0], loc)
    return data, loc
