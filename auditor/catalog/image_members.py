"""Glance image members (image v2): the projects a shared image is shared with.

``GET /v2/images/{id}/members`` is asked for each image of visibility
``shared`` (Glance refuses the members of any other image); it is not paged
and answers ``{"members": [{image_id, member_id, status, ...}], "schema"}``.
A member is the member project's: it is matched within that project's
counterpart, by the (renamed) name of the image's owner project and the
(renamed) name of the image, so each source member must be a member of the
matched target image, with the same status.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog.common import api_field, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.image import IMAGES
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import Exact, Rename
from auditor.catalog.sources import Joined, Subject, api, derived
from auditor.catalog.spec import (
    FAN_OUT_KEY,
    CollectionSpec,
    Family,
    FanOut,
    Field,
    KeyPart,
    Lookup,
    MatchKey,
    Owner,
    Request,
)
from auditor.catalog.types import NSTR, STR, TEXT
from auditor.model import Severity

JSON = dict[str, Any]


def _shared(image: JSON) -> bool:
    return image.get("visibility") == "shared"


IMAGE_MEMBERS = Request(
    "image.members",
    "image",
    "/images/{id}/members",
    "members",
    fan_out=FanOut(IMAGES, select=_shared),
    shapes={"member_id": TEXT, "status": TEXT},
)

IMAGE_ID = Subject("image_id")


def _image_of(raw: JSON, reading: Reading) -> JSON:
    image_id = raw.get("image_id") or raw.get(FAN_OUT_KEY)
    images = reading.index(
        "images", lambda: {str(i["id"]): i for i in reading.lookups.listing(IMAGES.key)}
    )
    found: JSON = images.get(str(image_id), {})
    return found


def _image_name(raw: JSON, reading: Reading) -> str | None:
    name = _image_of(raw, reading).get("name")
    return str(name) if name else None


def _image_project(raw: JSON, reading: Reading) -> str | None:
    owner = _image_of(raw, reading).get("owner")
    return reading.lookups.project_name(owner) if owner else None


IMAGE_MEMBERS_SPEC = CollectionSpec(
    name="image_members",
    noun="image member",
    family=Family.IMAGE,
    owner=Owner.PROJECT,
    requests=(IMAGE_MEMBERS,),
    lookups=(*OWNERS, Lookup(IMAGES)),
    key=MatchKey(
        (
            KeyPart("image_project", Rename.NAME, of="projects"),
            KeyPart("name", Rename.NAME, of="images"),
        ),
        required=("name", "image_project"),
    ),
    docs="collections-storage.md#image-members",
    doc="Only images of visibility shared have members; the member project is the item's project.",
    fields=(
        Field("id", Joined((IMAGE_ID, api("member_id"))), STR, "image_id/member_id."),
        Field("name", derived(_image_name, "image_id"), NSTR, "Name of the shared image."),
        Field("image_id", IMAGE_ID, NSTR, "Id of the shared image."),
        Field(
            "image_project",
            derived(_image_project, "image_id"),
            NSTR,
            "Name of the project owning the image.",
        ),
        *owned_by_project("member_id"),
        api_field(
            "status",
            NSTR,
            "accepted, pending or rejected (the member project's answer).",
            Exact(Severity.ERROR, "membership status"),
        ),
    ),
)

SPECS = (IMAGE_MEMBERS_SPEC,)
