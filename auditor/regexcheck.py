"""Refuse regular expressions whose matching time can explode.

Python's ``re`` backtracks: a pattern that repeats a repetition, such as
``^(a+)+$`` or ``(\\w+\\s?)*$``, takes time exponential in the length of a
name it fails on, and a tenant chooses the names. ``re`` has no timeout, so
the rules' patterns are checked when the file is read: an unbounded repetition
(``*``, ``+``, ``{n,}``) of something that itself contains a repetition of
variable length is refused. Possessive repetitions and atomic groups
(Python 3.11+) never backtrack and are allowed.
"""

from __future__ import annotations

import importlib
from typing import Any

try:  # Python 3.11+
    _parser: Any = importlib.import_module("re._parser")
    _constants: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _parser = importlib.import_module("sre_parse")
    _constants = importlib.import_module("sre_constants")

_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT}
_MAXREPEAT = _constants.MAXREPEAT


def _variable_repeat(items: Any) -> str | None:
    """The first repetition of variable length inside ``items`` (a parsed pattern)."""
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            if high != low:
                return (
                    "+"
                    if high == _MAXREPEAT and low == 1
                    else "*"
                    if high == _MAXREPEAT
                    else f"{{{low},{high}}}"
                )
            found = _variable_repeat(sub)
            if found:
                return found
        for sub in _children(op, av):
            found = _variable_repeat(sub)
            if found:
                return found
    return None


def _show(low: int, high: int) -> str:
    if high == _MAXREPEAT:
        return "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
    return f"{{{low},{high}}}"


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of a node that is not a repetition."""
    if op is _constants.SUBPATTERN:
        return [av[-1]]
    if op is _constants.BRANCH:
        return list(av[1])
    if op in (_constants.ASSERT, _constants.ASSERT_NOT):
        return [av[1]]
    if op is _constants.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    if op is getattr(_constants, "ATOMIC_GROUP", None):
        return [av]
    if op is getattr(_constants, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    return []


def _nested(items: Any) -> str | None:
    for op, av in items:
        if op in _REPEATS:
            _low, high, sub = av
            if high == _MAXREPEAT:
                inner = _variable_repeat(sub)
                if inner is not None:
                    return f"{inner} inside an unbounded repetition"
            found = _nested(sub)
        else:
            found = None
            for child in _children(op, av):
                found = _nested(child)
                if found:
                    break
        if found:
            return found
    return None


def nested_repetition(pattern: str, flags: int = 0) -> str | None:
    """What makes ``pattern`` catastrophic (``+ inside an unbounded repetition``), or None.

    ``pattern`` must already compile.
    """
    return _nested(_parser.parse(pattern, flags))
