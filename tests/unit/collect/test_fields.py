"""Kept fields: trimming a raw item to the fields the catalog reads changes nothing.

The pager drops every raw field the catalog's field sources do not read
(memory); a source that read a field it does not declare would silently see
None. These
tests normalise API-shaped payloads whole and trimmed, at several
microversions, and expect the same items.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog import registry
from auditor.catalog.lookups import Lookups
from auditor.collect.normalise import normalise, picker
from tests import payloads

JSON = dict[str, Any]


def normalise_servers(raw: list[JSON], lookups: Lookups) -> list[JSON]:
    spec = registry.spec("servers")
    return normalise(spec, [(spec.primary, raw)], lookups)


def normalise_volumes(raw: list[JSON], lookups: Lookups) -> list[JSON]:
    spec = registry.spec("volumes")
    return normalise(spec, [(spec.primary, raw)], lookups)


FLAVOR = {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20}


def _trim(key: str, items: list[JSON]) -> list[JSON]:
    fields = registry.kept_fields(key)
    assert fields is not None
    return [{name: item[name] for name in fields if name in item} for item in items]


def _lookups(microversion: str) -> Lookups:
    raw = {
        "identity.domains": [payloads.domain("d-1", "cloudwatt")],
        "identity.projects": [payloads.project("p-1", "cw-acme", "d-1")],
        "compute.flavors": [payloads.flavor("f-1", "m1.small", 1, 2048, 20)],
        "image.images": [payloads.image("img-1", "debian-12")],
    }
    trimmed = {
        key: _trim(key, items) if registry.kept_fields(key) else items for key, items in raw.items()
    }
    return Lookups(trimmed, {"compute": microversion})


def _servers(microversion: tuple[int, int]) -> list[JSON]:
    flavor = dict(FLAVOR, id="f-1")
    return [
        payloads.server(
            "s-1",
            "cw-web-01",
            "p-1",
            flavor_=flavor,
            microversion=microversion,
            volumes=["v-1", "v-2"],
            metadata={"role": "web", "db_password": "hunter2"},
            addresses={"net": ["10.0.0.1", "2001:db8::1"]},
            security_groups=["default", "web"],
        ),
        payloads.server(
            "s-2", "cw-db-01", "p-1", flavor_=flavor, microversion=microversion, image_id=None
        ),
        payloads.down_cell_server("s-3", "p-1"),
    ]


def test_servers_normalise_the_same_trimmed_at_every_flavor_shape() -> None:
    for microversion in ((2, 1), (2, 46), (2, 47), (2, 96)):
        text = f"{microversion[0]}.{microversion[1]}"
        raw = _servers(microversion)
        whole = normalise_servers(raw, _lookups(text))
        assert normalise_servers(_trim("compute.servers", raw), _lookups(text)) == whole
        assert whole[0]["flavor"]["name"] == "m1.small"
        assert whole[0]["image"] == {"id": "img-1", "name": "debian-12"}


def test_volumes_normalise_the_same_trimmed() -> None:
    raw = [
        payloads.volume(
            "v-1",
            "cw-data",
            "p-1",
            attached_to=["s-1"],
            bootable=True,
            encrypted=True,
            metadata={"backup": "daily", "api_key": "k"},
        ),
        payloads.volume("v-2", "", "p-1"),
    ]
    lookups = _lookups("2.96")
    assert normalise_volumes(_trim("block-storage.volumes", raw), lookups) == normalise_volumes(
        raw, lookups
    )


_ELEMENT_VALUES: list[Any] = [
    None,
    [],
    "",
    "text",
    {"id": "x"},
    [{"id": "b"}],
    [{"id": ""}],
    [{"id": None}],
    [{"id": 3}],
    [{"other": "b"}],
    ["b"],
    [{"id": "b"}, {"id": "a"}, {"id": "b"}],
    [{"id": "b"}, "a", {"id": ""}, {}],
    # Two elements: the two-element shortcut, and what it leaves to the set.
    [{"id": "b"}, {"id": "a"}],
    [{"id": "a"}, {"id": "b"}],
    [{"id": "a"}, {"id": "a"}],
    [{"id": "B"}, {"id": "a"}],
    [{"id": "a"}, {"id": ""}],
    [{"id": ""}, {"id": ""}],
    [{"id": "a"}, {}],
    [{"id": 2}, {"id": 1}],
    [{"id": "a"}, "b"],
    [None, {"id": "a"}],
]


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("values", _ELEMENT_VALUES)
def test_elements_are_read_as_the_set_says(values: Any, present: bool) -> None:
    """The one- and two-element shortcuts of an Elements source read what the set did."""
    pick = picker("id", present)
    kept = (lambda e: "id" in e) if present else (lambda e: e.get("id"))
    assert pick(values) == sorted(
        {e["id"] for e in values or () if isinstance(e, dict) and kept(e)}
    )
