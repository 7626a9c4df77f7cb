"""Throwaway catalog declarations: collections the auditor does not have, declared only
in tests, to show that the fakes serve a declared collection with no code of their own.

``test_groups`` is shaped like Nova's server groups (``/os-test-groups?all_projects=True``,
``policies`` before microversion 2.64, ``policy`` and ``rules`` from it);
``test_group_members`` is one request per group (a fan-out, ``{id}`` in the path).
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog import registry
from auditor.catalog.policies import Exact
from auditor.catalog.sources import Subject, api, versioned
from auditor.catalog.spec import CollectionSpec, Family, FanOut, Field, Owner, Request
from auditor.catalog.types import NSTR, NSTRS, STR, Schema
from auditor.model import Severity

OBJ: Schema = {"type": ["object", "null"]}


def _first(policies: Any) -> Any:
    return policies[0] if policies else None


def _listed(policy: Any) -> list[Any]:
    return [policy] if policy else []


GROUPS = Request(
    "compute.test_groups",
    "compute",
    "/os-test-groups",
    "test_groups",
    all_projects="all_projects",
    microversioned=True,
)
MEMBERS = Request(
    "compute.test_group_members",
    "compute",
    "/os-test-groups/{id}/members",
    "members",
    fan_out=FanOut(GROUPS),
)
GROUPS_SPEC = CollectionSpec(
    name="test_groups",
    noun="test group",
    family=Family.COMPUTE,
    owner=Owner.PROJECT,
    requests=(GROUPS,),
    docs="nowhere.md",
    fields=(
        Field("id", api("id", required=True), STR, "Id."),
        Field("name", api("name"), NSTR, "Name."),
        Field("project_id", api("project_id"), NSTR, "Project id."),
        Field("user_id", api("user_id"), NSTR, "User id."),
        Field("members", api("members"), NSTRS, "Server ids."),
        Field(
            "policy",
            versioned(("2.64", api("policy")), (None, api("policies", then=_first, back=_listed))),
            NSTR,
            "Its policy (a list of one before 2.64).",
            Exact(Severity.ERROR, "policy"),
        ),
        Field("rules", api("rules", since="2.64"), OBJ, "Policy rules (2.64+)."),
    ),
)
MEMBERS_SPEC = CollectionSpec(
    name="test_group_members",
    noun="test group member",
    family=Family.COMPUTE,
    owner=Owner.CLOUD,
    requests=(MEMBERS,),
    docs="nowhere.md",
    fields=(
        Field("id", api("id", required=True), STR, "Id."),
        Field("group_id", Subject(), NSTR, "The group it was listed for."),
        Field("server", api("server"), NSTR, "Server id."),
    ),
)


def register(monkeypatch: pytest.MonkeyPatch, *specs: CollectionSpec) -> None:
    """``specs`` known to the collector (as if declared in the catalog) for one test."""
    for spec in specs:
        monkeypatch.setitem(registry._BY_NAME, spec.name, spec)
