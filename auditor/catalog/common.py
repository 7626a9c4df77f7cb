"""Fields and policies most collections share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.catalog.policies import IGNORE, Compare, Exact, Flag
from auditor.catalog.sources import Api, Indexed, Source, api
from auditor.catalog.spec import Field
from auditor.catalog.transforms import boolean, not_false, text_or_empty
from auditor.catalog.types import NBOOL, NSTR, STR, Schema
from auditor.model import Severity

ID_DOC = "Stable id of the item in its cloud."
NAME_DOC = "Name (endpoints: service_type/interface/region, since they have none)."


def api_field(
    name: str,
    type_: Schema,
    doc: str,
    compare: Compare = IGNORE,
    *,
    then: Callable[[Any], Any] | None = None,
    default: Any = None,
    residue: bool = False,
    optional: bool = False,
    leaves_out: str | None = None,
) -> Field:
    """A field read from the API attribute of the same name (``then`` its transform,
    ``default`` when absent): most fields are."""
    return Field(
        name,
        api(name, default=default, then=then),
        type_,
        doc,
        compare,
        residue,
        optional,
        leaves_out,
    )


ID = Field("id", api("id", required=True), STR, ID_DOC)
"""An item's id, as its API gives it."""


def name(
    type_: Schema = NSTR,
    doc: str = NAME_DOC,
    source: Api | None = None,
    compare: Compare = IGNORE,
) -> Field:
    """The item's name: what matching keys on, so not compared; scanned for residue."""
    return Field("name", source or api("name"), type_, doc, compare, residue=True)


NAME = name()

DESCRIPTION = Field(
    "description",
    api("description", then=text_or_empty),
    NSTR,
    "Free text.",
    Exact(Severity.INFO, "description", blank=""),
    residue=True,
)
"""Free text: ``""`` when none; a change is information."""

ENABLED = Flag(lost="is disabled in the target", gained="is enabled in the target (was disabled)")
"""An ``enabled`` flag: disabled in the target is an error."""


def enabled(doc: str, type_: Schema = NBOOL) -> Field:
    return Field("enabled", api("enabled", default=True, then=boolean), type_, doc, ENABLED)


def owned_by_project(*names: str, source: Source | None = None) -> tuple[Field, Field, Field]:
    """``project``, ``project_id`` and ``domain`` of an item owned by the project whose id
    is in the first non-empty of the raw fields ``names`` (or comes from ``source``)."""
    project_id = source or api(*names)
    return (
        Field(
            "project",
            Indexed("project_name", project_id),
            NSTR,
            "Name of the owning project (null when the project is unknown).",
        ),
        Field("project_id", project_id, NSTR, "Id of the owning project."),
        Field(
            "domain",
            Indexed("project_domain", project_id),
            NSTR,
            "Name of the owning project's domain.",
        ),
    )


def availability_zone(api_name: str) -> Field:
    """An availability zone: another one is a warning."""
    return Field(
        "availability_zone",
        api(api_name),
        NSTR,
        "Availability zone.",
        Exact(Severity.WARNING, "availability zone"),
    )


def is_public(api_name: str, doc: str) -> Field:
    """A cloud-owned item's public flag (flavors, volume types): ``False`` only when the API
    says so; public <-> private is a warning either way."""
    return Field(
        "is_public",
        api(api_name, then=not_false),
        NBOOL,
        doc,
        Flag(
            lost="is private in the target (was public)",
            gained="is public in the target (was private)",
            lost_severity=Severity.WARNING,
            gained_severity=Severity.WARNING,
            default=True,
        ),
    )
