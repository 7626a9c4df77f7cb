"""Pages decoded to the catalog's fields (``auditor.collect.decode``): what comes out is
what ``json.loads`` and keeping those fields gives, and every refusal stays as it was."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from auditor.collect.decode import Layout, NotJSON, decode_any, page_decoder

PAGE = {
    "servers": [
        {
            "id": "a",
            "name": "web",
            "os-extended-volumes:volumes_attached": [{"id": "v", "delete_on_termination": False}],
            "metadata": {"k": "v", "n": None},
            "flavor": {"vcpus": 2, "ram": 1.5, "extra_specs": {}},
            "unread": {"deep": [1, 2, {"x": "y"}]},
            "progress": 0,
        },
        {"id": "b", "name": "é ☃", "locked": True},
    ],
    "servers_links": [{"rel": "next", "href": "http://x/servers/detail?marker=b"}],
    "links": {"next": None},
    "truncated": False,
    "other": "dropped",
}
FIELDS = frozenset({"name", "os-extended-volumes:volumes_attached", "metadata", "flavor"})


def test_typed_page_is_json_loads_trimmed_to_the_fields() -> None:
    decoder = page_decoder("servers", None, FIELDS)
    assert decoder is not None
    body, trimmed = decoder.decode(json.dumps(PAGE).encode())
    assert trimmed
    expected = json.loads(json.dumps(PAGE))
    keep = FIELDS | {"id"}
    assert body["servers"] == [
        {k: v for k, v in item.items() if k in keep} for item in expected["servers"]
    ]
    assert body["servers_links"] == expected["servers_links"]
    assert body["links"] == expected["links"]
    assert body["truncated"] is False
    assert "other" not in body
    # Types exactly as json gives them: 1.5 a float, 0 an int, True a bool.
    assert type(body["servers"][0]["flavor"]["ram"]) is float
    assert type(body["servers"][0]["flavor"]["vcpus"]) is int


def test_checked_fields_are_decoded_too() -> None:
    decoder = page_decoder("servers", None, FIELDS, checked=("locked",))
    assert decoder is not None
    body, _ = decoder.decode(json.dumps(PAGE).encode())
    assert body["servers"][1]["locked"] is True


@pytest.mark.parametrize(
    "page",
    [
        {"servers": [{"id": "a"}, 3]},  # an item that is no object
        {"servers": {"id": "a"}},  # an object where the list belongs
        {"servers": "none"},
    ],
)
def test_another_shape_is_decoded_whole_for_the_pager_to_judge(page: object) -> None:
    decoder = page_decoder("servers", None, FIELDS)
    assert decoder is not None
    body, trimmed = decoder.decode(json.dumps(page).encode())
    assert (body, trimmed) == (page, False)


def test_what_json_accepts_and_msgspec_does_not_is_still_read() -> None:
    text = b'{"servers": [{"id": "a", "size": NaN, "big": 123456789012345678901234567890}]}'
    decoder = page_decoder("servers", None, frozenset({"size", "big"}))
    assert decoder is not None
    body, trimmed = decoder.decode(text)
    assert not trimmed
    assert body["servers"][0]["big"] == 123456789012345678901234567890
    utf16 = json.dumps({"servers": [{"id": "é"}]}).encode("utf-16")
    assert decode_any(utf16) == {"servers": [{"id": "é"}]}


@pytest.mark.parametrize(
    "text", [b"", b"<html>", b'{"servers": [', b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000]
)
def test_not_json_is_refused(text: bytes) -> None:
    decoder = page_decoder("servers", None, FIELDS)
    assert decoder is not None
    with pytest.raises(NotJSON):
        decoder.decode(text)
    with pytest.raises(NotJSON):
        decode_any(text)


def test_no_decoder_where_everything_is_kept() -> None:
    assert page_decoder("images", None, None) is None
    assert page_decoder("", None, FIELDS) is None


SHAPES = {"name": (str,), "locked": (bool,), "metadata": (dict,), "ram": (float,)}


def test_the_declared_types_are_decoded_and_checked_by_msgspec() -> None:
    decoder = page_decoder("servers", None, FIELDS | {"locked", "ram"}, SHAPES)
    assert decoder is not None
    # A float is left to the pager (msgspec would take an integer for it).
    assert decoder.typed == {"id", "name", "locked", "metadata"}
    body, trimmed = decoder.decode(json.dumps(PAGE).encode())
    assert trimmed
    assert body["servers"][1]["locked"] is True


@pytest.mark.parametrize(
    "item",
    [
        {"id": "a", "name": 5},
        {"id": "a", "locked": 1},
        {"id": "a", "locked": None},
        {"id": "a", "metadata": []},
        {"id": 1.5},
        {"id": True},
        {"id": {"x": 1}},
        {"id": "a", "name": "x", "name ": 1, "locked": "yes"},
    ],
)
def test_an_item_of_other_types_is_decoded_whole_for_the_pager_to_name(item: dict) -> None:
    decoder = page_decoder("servers", None, FIELDS | {"locked"}, SHAPES)
    assert decoder is not None
    text = json.dumps({"servers": [{"id": "z"}, item]}).encode()
    body, trimmed = decoder.decode(text)
    assert not trimmed
    assert body == json.loads(text)


def test_null_and_integer_ids_are_typed_ids() -> None:
    decoder = page_decoder("servers", None, FIELDS, SHAPES)
    assert decoder is not None
    text = json.dumps({"servers": [{"id": None}, {"id": 7}, {"name": "n"}]}).encode()
    assert decoder.decode(text) == ({"servers": [{"id": None}, {"id": 7}, {"name": "n"}]}, True)


ABSENT = Layout(
    frozenset(
        {
            ("id", msgspec.NODEFAULT),
            ("name", None),
            ("metadata", "none"),
            ("os-extended-volumes:volumes_attached", None),
        }
    ),
    frozenset({("os-extended-volumes:volumes_attached", "id")}),
)
"""Each field's value when absent (flavor: none given, UNSET); the volumes' ids only."""


def test_items_decoded_into_structs_tell_absent_from_null_where_asked() -> None:
    decoder = page_decoder("servers", None, FIELDS, {"name": (str,)}, ABSENT)
    assert decoder is not None and decoder.structs
    servers: Any = PAGE["servers"]
    text = json.dumps({"servers": [servers[0], {"id": 2, "flavor": None}]}).encode()
    body, trimmed = decoder.decode(text)
    assert trimmed
    first, second = body["servers"]
    assert first.name == "web"
    (volume,) = first.f_os_extended_volumes_volumes_attached
    assert volume.id == "v" and not hasattr(volume, "delete_on_termination")
    assert first.flavor == {"vcpus": 2, "ram": 1.5, "extra_specs": {}}
    assert (second.id, second.name, second.metadata) == (2, None, "none")
    assert second.f_os_extended_volumes_volumes_attached is None
    assert second.flavor is None, "null: None"
    third = decoder.decode(b'{"servers": [{"id": "c"}]}')[0]["servers"][0]
    assert third.flavor is msgspec.UNSET, "absent, and no default: UNSET"
    assert not hasattr(third, "unread")


@pytest.mark.parametrize(
    "item",
    [
        {"name": "no id"},
        {"id": "a", "name": 5},
        {"id": 1.5},
        {"id": "a", "os-extended-volumes:volumes_attached": ["v"]},
        {"id": "a", "os-extended-volumes:volumes_attached": {"id": "v"}},
    ],
)
def test_a_page_structs_refuse_is_decoded_whole(item: dict) -> None:
    decoder = page_decoder("servers", None, FIELDS, {"name": (str,)}, ABSENT)
    assert decoder is not None and decoder.structs
    text = json.dumps({"servers": [{"id": "z"}, item]}).encode()
    body, trimmed = decoder.decode(text)
    assert not trimmed
    assert body == json.loads(text)


def test_structs_only_where_msgspec_checks_every_declared_type() -> None:
    # A float is left to the pager's check of dicts: no Structs then.
    decoder = page_decoder("servers", None, FIELDS | {"locked", "ram"}, SHAPES, ABSENT)
    assert decoder is not None and not decoder.structs
    body, trimmed = decoder.decode(json.dumps(PAGE).encode())
    assert trimmed and body["servers"][1] == {"id": "b", "name": "é ☃", "locked": True}
