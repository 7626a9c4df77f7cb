"""Nova (compute v2.1): flavors (with private ones' access lists), keypairs, server groups;
the servers are declared in :mod:`auditor.catalog.servers`.

Nova caps ``limit`` at ``[api] max_limit`` (default 1000) and gives
``<key>_links`` "next" only when a page is full; ``is_public=none`` lists
private flavors too.

How a private flavor's access list and a keypair's key are compared is code
(:mod:`auditor.catalog.compute_checks`).
"""

from __future__ import annotations

from typing import Any

from auditor.catalog import compute_checks as checks
from auditor.catalog.common import ID, NAME, api_field, is_public, owned_by_project
from auditor.catalog.identity import DOMAINS, OWNERS, PROJECTS, USERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import (
    Custom,
    Exact,
    Ref,
    Rename,
    Sized,
)
from auditor.catalog.sources import Indexed, Joined, Subject, api, derived, versioned
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
    Paging,
    Request,
)
from auditor.catalog.transforms import (
    nova_int,
    object_or_none,
    sorted_list,
)
from auditor.catalog.types import (
    INT,
    NINT,
    NOBJ,
    NSTR,
    NSTRS,
    STR,
    STRS,
)
from auditor.model import Severity

JSON = dict[str, Any]

CLIENT_MAX_MICROVERSION = "2.96"
"""Highest compute microversion whose shapes the catalog knows."""
IS_PUBLIC = "os-flavor-access:is_public"


def _private(flavor: JSON) -> bool:
    return flavor.get(IS_PUBLIC) is False


FLAVORS = Request(
    "compute.flavors",
    "compute",
    "/flavors/detail",
    "flavors",
    query={"is_public": "none"},
    page_size=1000,
    microversioned=True,
    keep=("id", "name", "vcpus", "ram", "disk"),
)
# No listing gives every private flavor's projects: one request per private
# flavor (public ones have no access list: Nova answers 404).
FLAVOR_ACCESS = Request(
    "compute.flavor_access",
    "compute",
    "/flavors/{id}/os-flavor-access",
    "flavor_access",
    fan_out=FanOut(FLAVORS, select=_private),
    keep=("flavor_id", "tenant_id"),
)
# Keypairs belong to users, and no listing spans users: one walk per Keystone
# user (pages of keypairs_links with limit/marker since 2.35). GET /os-keypairs
# wraps each keypair, and does not say whose it is: the user is the one the
# request was made for.
KEYPAIRS = Request(
    "compute.keypairs",
    "compute",
    "/os-keypairs",
    "keypairs",
    query={"user_id": "{id}"},
    page_size=1000,
    microversioned=True,
    fan_out=FanOut(USERS),
    wrapped="keypair",
)


# -- flavors ------------------------------------------------------------------------------


def _access(reading: Reading) -> dict[str, list[str]]:
    """Flavor id -> sorted ids of the projects a private flavor is shared with."""
    access: dict[str, set[str]] = {}
    for entry in reading.lookups.listing(FLAVOR_ACCESS.key):
        flavor_id = entry.get("flavor_id") or entry.get(FAN_OUT_KEY)
        if flavor_id and entry.get("tenant_id"):
            access.setdefault(str(flavor_id), set()).add(str(entry["tenant_id"]))
    return {flavor: sorted(projects) for flavor, projects in access.items()}


def _access_ids(raw: JSON, reading: Reading) -> list[str]:
    if not _private(raw):
        return []
    return list(reading.index("access", lambda: _access(reading)).get(str(raw["id"]), ()))


def _access_names(raw: JSON, reading: Reading) -> list[str]:
    # A project deleted since it was granted access keeps its id.
    lookups = reading.lookups
    return sorted(lookups.project_name(p) or p for p in _access_ids(raw, reading))


def _size(
    name: str, doc: str, label: str, unit: str, source: Any = None, type_: Any = NINT
) -> Field:
    """A size that must not shrink (its message says ``label`` and ``unit``)."""
    return Field(
        name,
        source or api(name),
        type_,
        doc,
        Sized(
            f"has less {label}: {{now}}{unit}, was {{was}}{unit}",
            f"has more {label}: {{now}}{unit}, was {{was}}{unit}",
        ),
    )


FLAVORS_SPEC = CollectionSpec(
    name="flavors",
    noun="flavor",
    family=Family.COMPUTE,
    owner=Owner.CLOUD,
    requests=(FLAVORS,),
    lookups=(Lookup(FLAVOR_ACCESS), Lookup(PROJECTS)),
    docs="collections-identity.md#flavors",
    fields=(
        ID,
        NAME,
        _size("vcpus", "Virtual CPUs.", "vCPUs", ""),
        _size("ram", "RAM in MiB.", "RAM", " MiB"),
        _size("disk", "Root disk in GiB.", "root disk", " GiB"),
        _size(
            "ephemeral",
            "Ephemeral disk in GiB.",
            "ephemeral disk",
            " GiB",
            api("OS-FLV-EXT-DATA:ephemeral", then=nova_int),
            NINT,
        ),
        _size(
            "swap", "Swap in MiB (0 when none).", "swap", " MiB", api("swap", then=nova_int), INT
        ),
        is_public(IS_PUBLIC, "False for a private flavor."),
        Field(
            "extra_specs",
            api("extra_specs", then=object_or_none, since="2.61"),
            NOBJ,
            "Extra specs (compute 2.61+ lists them with the flavor; null before, when they"
            " are unknown).",
            Custom(
                checks.extra_specs,
                "differ: warning; hw:cpu_policy or hw:mem_page_size lost: error",
            ),
        ),
        Field(
            "access",
            derived(_access_names, IS_PUBLIC, "id"),
            NSTRS,
            "Sorted names of the projects a private flavor is shared with.",
            Custom(checks.flavor_access, "no longer shared with a project: error", ("projects",)),
        ),
        Field(
            "access_ids",
            derived(_access_ids, IS_PUBLIC, "id"),
            NSTRS,
            "Sorted ids of those projects (compared through the project matches; names alone"
            " are ambiguous across domains).",
        ),
    ),
)


# -- keypairs -----------------------------------------------------------------------------


def _ssh_by_default(value: Any) -> Any:
    # Before 2.2 every keypair is ssh (the field came with x509).
    return value or "ssh"


USER_ID = Subject("user_id")

KEYPAIRS_SPEC = CollectionSpec(
    name="keypairs",
    noun="keypair",
    family=Family.COMPUTE,
    owner=Owner.USER,
    requests=(KEYPAIRS,),
    lookups=(Lookup(USERS), Lookup(DOMAINS)),
    # Before 2.10 Nova answers the caller's own keypairs whatever user_id says:
    # an empty or wrong list would pass for the truth.
    min_microversion="2.10",
    min_reason="compute microversion {microversion} ignores user_id: listing every user's"
    " keypairs needs 2.10 or later",
    key=MatchKey(
        (KeyPart("domain", Rename.DOMAIN), KeyPart("user"), KeyPart("name", Rename.NAME)),
        label=lambda key, item, _r: (
            f"{key['name']} of user {key['domain']}/{item.get('user') or item.get('user_id')}"
        ),
    ),
    docs="collections-identity.md#keypairs",
    fields=(
        Field(
            "id",
            Joined((USER_ID, api("name"))),
            STR,
            "user_id/name (keypairs have no id of their own).",
        ),
        api_field("name", NSTR, "Keypair name.", residue=True),
        Field("user", Indexed("user_name", USER_ID), NSTR, "Name of the owning user."),
        Field("user_id", USER_ID, NSTR, "Id of the owning user."),
        Field("domain", Indexed("user_domain", USER_ID), NSTR, "Name of the owning user's domain."),
        Field(
            "type",
            api("type", then=_ssh_by_default, since="2.2"),
            NSTR,
            "ssh or x509.",
            Exact(Severity.WARNING, "keypair type"),
        ),
        api_field(
            "fingerprint",
            NSTR,
            "Fingerprint of the public key.",
            Custom(checks.fingerprint, "another public key: error"),
        ),
    ),
)

# -- server groups ------------------------------------------------------------------------

# all_projects for an admin (403 otherwise), limit/offset and no links; project_id since
# 2.13; one `policy` and its `rules` since 2.64 (before: a list of one `policies`).
SERVER_GROUPS = Request(
    "compute.server_groups",
    "compute",
    "/os-server-groups",
    "server_groups",
    all_projects="all_projects",
    paging=Paging.OFFSET,
    microversioned=True,
)

SERVER_GROUPS_SPEC = CollectionSpec(
    name="server_groups",
    noun="server group",
    family=Family.COMPUTE,
    owner=Owner.PROJECT,
    requests=(SERVER_GROUPS,),
    lookups=OWNERS,
    docs="collections-identity.md#server-groups",
    fields=(
        ID,
        NAME,
        *owned_by_project("project_id"),
        Field(
            "policy",
            versioned(
                ("2.64", api("policy")),
                (None, api("policies", then=lambda p: p[0] if p else None, back=lambda p: [p])),
            ),
            NSTR,
            "affinity, anti-affinity, soft-affinity or soft-anti-affinity.",
            Exact(Severity.ERROR, "policy"),
        ),
        Field(
            "rules",
            api("rules", since="2.64", then=object_or_none),
            NOBJ,
            "The policy's rules (max_server_per_host; compute 2.64+, null before).",
            Exact(Severity.ERROR, "policy rules", blank={}),
        ),
        api_field(
            "members",
            STRS,
            "Sorted ids of the member servers.",
            Ref("servers", lost="lost member {label}", gained="has a new member {label}"),
            then=sorted_list,
        ),
    ),
)

SPECS = (FLAVORS_SPEC, KEYPAIRS_SPEC, SERVER_GROUPS_SPEC)
