"""Volume types (extra specs, QoS, encryption, access) and image members against the
real Cinder and Glance: what the auditor lists equals what was seeded through their APIs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from realcloud import RealCloud
from realshare import PRIVATE_TYPE
from seedplan import IMAGES, VOLUME_TYPES

pytestmark = pytest.mark.integration

JSON = dict[str, Any]


@pytest.fixture(scope="module")
def listed(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> JSON:
    out = tmp_path_factory.mktemp("sharing") / "inventory.json"
    marks = real_cloud.access_log_marks()
    proc = real_cloud.auditor(
        "inventory",
        "--cloud",
        real_cloud.cloud,
        "--collections",
        "projects,images,image_members,volume_types",
        "-o",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    doc: JSON = json.loads(out.read_text())
    doc["@requests"] = real_cloud.requests_since(marks)
    return doc


def _items(doc: JSON, name: str) -> list[JSON]:
    assert doc["collections"][name]["status"] == "ok", doc["collections"][name]
    found: list[JSON] = doc["collections"][name]["items"]
    return found


def test_the_private_volume_type_is_listed_as_seeded(listed: JSON, real_cloud: RealCloud) -> None:
    types = {t["name"]: t for t in _items(listed, "volume_types")}
    # Cinder's own default type, the two seeded in its database, the private one: the
    # private one is listed only because of is_public=None.
    assert set(types) == {"__DEFAULT__", *VOLUME_TYPES, PRIVATE_TYPE["name"]}
    ids = real_cloud.volume_types
    assert types[PRIVATE_TYPE["name"]] == {
        "id": ids["id"],
        "name": PRIVATE_TYPE["name"],
        "description": PRIVATE_TYPE["description"],
        "is_public": False,
        "extra_specs": PRIVATE_TYPE["extra_specs"],
        "qos_specs_id": ids["qos_specs_id"],
        "qos": PRIVATE_TYPE["qos"],
        "encryption": PRIVATE_TYPE["encryption"],
        "access": sorted(PRIVATE_TYPE["access"]),
        "access_ids": sorted(real_cloud.project_ids[p] for p in PRIVATE_TYPE["access"]),
    }
    for name, encryption in VOLUME_TYPES.items():
        assert types[name]["encryption"] == (dict(encryption) if encryption else None), name
        assert (types[name]["is_public"], types[name]["access_ids"]) == (True, [])
    cinder = [r for s, r in listed["@requests"] if s == "cinder"]
    assert any("is_public=None" in r["query"] for r in cinder if r["path"].endswith("/types"))
    # One encryption request per type, one access request for the private type.
    assert sum(r["path"].endswith("/encryption") for r in cinder) == len(types)
    assert sum(r["path"].endswith("/os-volume-type-access") for r in cinder) == 1


def test_image_members_and_properties_are_listed_as_seeded(
    listed: JSON, real_cloud: RealCloud
) -> None:
    members = _items(listed, "image_members")
    expected = []
    for plan in IMAGES:
        image_id = real_cloud.image_ids[plan.name]
        for member in plan.members:
            project_id = real_cloud.project_ids[member]
            expected.append(
                {
                    "id": f"{image_id}/{project_id}",
                    "name": plan.name,
                    "image_id": image_id,
                    "image_project": plan.owner,
                    "project": member,
                    "project_id": project_id,
                    "domain": "cloudwatt",
                    "status": "pending",  # the member project has not answered
                }
            )
    assert expected and members == expected
    images = {i["name"]: i for i in _items(listed, "images")}
    for plan in IMAGES:
        assert images[plan.name]["properties"] == dict(plan.properties), plan.name
