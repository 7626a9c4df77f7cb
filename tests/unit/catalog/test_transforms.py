"""The value transforms' fast paths give what their general paths give.

Each fast path reads the common shape of a value (one network with one address,
Cinder's own spelling of a boolean, an empty tag list) without the general
code; a ``dict`` or ``str`` subclass, which the fast paths leave alone, takes
the general path, so every case below is read both ways.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog import transforms
from auditor.catalog.servers import _tags


class Mapping(dict[Any, Any]):
    """A dict the fast paths do not take (``type(value) is dict`` is false)."""


class Text(str):
    """A str the fast paths do not take."""


ADDRESSES: list[tuple[Any, dict[str, list[str]]]] = [
    ({"net": [{"addr": "10.0.0.5", "version": 4}]}, {"net": ["10.0.0.5"]}),
    ({"net": [{"addr": ""}]}, {"net": []}),
    ({"net": [{"addr": None}]}, {"net": []}),
    ({"net": [{"version": 4}]}, {"net": []}),
    ({"net": ["10.0.0.5"]}, {"net": []}),
    ({"net": []}, {"net": []}),
    ({"net": None}, {}),
    ({"net": {"addr": "10.0.0.5"}}, {}),
    ({7: [{"addr": "10.0.0.5"}]}, {"7": ["10.0.0.5"]}),
    ({"net": [{"addr": "10.0.0.9"}, {"addr": "10.0.0.5"}]}, {"net": ["10.0.0.5", "10.0.0.9"]}),
    ({"net": [Mapping(addr="10.0.0.5")]}, {"net": ["10.0.0.5"]}),
    ({"b": [{"addr": "2"}], "a": [{"addr": "1"}]}, {"b": ["2"], "a": ["1"]}),
    ({}, {}),
]


@pytest.mark.parametrize(("value", "expected"), ADDRESSES)
def test_addresses_by_network_reads_every_shape_as_the_general_path(
    value: Any, expected: dict[str, list[str]]
) -> None:
    fast = transforms.addresses_by_network(value)
    general = transforms.addresses_by_network(Mapping(value))
    assert fast == general == expected
    assert list(fast) == list(expected)


@pytest.mark.parametrize("value", [None, [], "net", 3])
def test_addresses_by_network_of_no_object_is_empty(value: Any) -> None:
    assert transforms.addresses_by_network(value) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        (" TRUE ", True),
        ("False", False),
        ("yes", True),
        ("1", True),
        ("0", False),
        ("", False),
        ("no", False),
    ],
)
def test_cinder_bool_reads_cinder_words_as_the_general_path(value: str, expected: bool) -> None:
    assert transforms.cinder_bool(value) is expected
    assert transforms.cinder_bool(Text(value)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (None, False), (1, True), (0, False), ([], False)],
)
def test_cinder_bool_of_other_values_is_their_truth(value: Any, expected: bool) -> None:
    assert transforms.cinder_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), ([], []), ("", []), (["b", 1, "a"], ["1", "a", "b"]), ({"y", "x"}, ["x", "y"])],
)
def test_sorted_texts(value: Any, expected: list[str]) -> None:
    assert transforms.sorted_texts(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("a", None), ({}, None), ([], []), (["b", 2, "a"], ["2", "a", "b"])],
)
def test_server_tags(value: Any, expected: list[str] | None) -> None:
    tags = _tags(value)
    assert tags == expected
    if tags is not None:
        assert tags is not value
