"""Field sources read by the generic normaliser, on a collection declared here.

The 18 collections of the catalog are pinned by the safety net; these tests
check the sources no collection uses yet (a field whose API name changed with
a microversion) and how the normaliser treats declarations in general: the
raw fields a listing keeps, optional fields, fan-out subjects and tags.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Lookups
from auditor.catalog.sources import Joined, Subject, Tag, api, derived, reads, versioned
from auditor.catalog.spec import (
    FAN_OUT_KEY,
    CollectionSpec,
    Family,
    Field,
    Owner,
    Request,
)
from auditor.catalog.types import NSTR, STR
from auditor.collect.normalise import normalise

JSON = dict[str, Any]

GROUPS = Request(
    "compute.test_groups",
    "compute",
    "/os-server-groups",
    "server_groups",
    all_projects="all_projects",
    microversioned=True,
    tag="compute",
)


def _first_policy(raw: JSON, _reading: Any) -> Any:
    return (raw.get("policies") or [None])[0]


POLICY = versioned(("2.64", api("policy")), (None, derived(_first_policy, "policies")))

SPEC = CollectionSpec(
    name="test_groups",
    noun="test group",
    family=Family.COMPUTE,
    owner=Owner.PROJECT,
    requests=(GROUPS,),
    lookups=OWNERS,
    docs="collections.md",
    fields=(
        Field("id", Joined((Subject("project_id"), api("name"))), STR, "project/name."),
        Field("name", api("name"), NSTR, "Name."),
        Field("project_id", Subject("project_id"), NSTR, "Project."),
        Field("project", api("project_id"), NSTR, "Unused."),
        Field("domain", Tag(), NSTR, "The request's tag."),
        Field("policy", POLICY, NSTR, "The placement policy, whatever the microversion."),
        Field("rules", api("rules", since="2.64"), NSTR, "Absent before 2.64.", optional=True),
    ),
)


def _read(raw: list[JSON], microversion: str) -> list[JSON]:
    return normalise(SPEC, [(GROUPS, raw)], Lookups({}, {"compute": microversion}))


@pytest.mark.parametrize(
    ("microversion", "raw", "policy"),
    [
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max": 1}}, "anti-affinity"),
        ("2.96", {"name": "g", "policy": "affinity", "policies": ["x"]}, "affinity"),
        ("2.63", {"name": "g", "policies": ["soft-affinity"]}, "soft-affinity"),
        ("2.1", {"name": "g", "policies": []}, None),
    ],
)
def test_a_versioned_source_reads_the_field_of_the_microversion(
    microversion: str, raw: JSON, policy: str | None
) -> None:
    (item,) = _read([{**raw, FAN_OUT_KEY: "p-1"}], microversion)
    assert item["policy"] == policy
    assert item["id"] == "p-1/g"
    assert item["project_id"] == "p-1"
    assert item["domain"] == "compute"


def test_an_optional_field_is_present_only_when_set() -> None:
    items = _read([{"name": "a", "rules": "r"}, {"name": "b"}], "2.96")
    assert items[0]["rules"] == "r"
    assert "rules" not in items[1]
    assert list(items[0]) == ["id", "name", "project_id", "project", "domain", "policy", "rules"]
    # Without a fan-out, the subject is the item's own field.
    assert items[0]["id"] == "None/a"


def test_the_raw_fields_a_source_reads_are_declared() -> None:
    assert reads(POLICY) == frozenset({"policy", "policies"})
    assert reads(Joined((Subject("project_id"), api("name")))) == frozenset({"project_id", "name"})
    assert reads(Tag()) == frozenset()
    assert reads(derived(_first_policy)) == frozenset()
