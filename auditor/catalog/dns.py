"""Designate (DNS v2): a tenant's zones and their record sets.

Both are listed once for every project: an admin asks with the
``X-Auth-All-Projects: True`` header (Designate takes no query parameter for
it; a non-admin gets 403), paged with ``limit`` and ``marker`` and
Keystone-style ``links.next`` (given on a full page only; Designate's page is
20 items unless asked, at most ``max_limit_v2``, 1000 by default). Record sets
come from ``GET /v2/recordsets``, every zone's at once (no request per zone).
An admin could instead act as one project with ``X-Auth-Sudo-Project-ID``;
the auditor has no use for it.

DNS is optional: a cloud whose catalog has no ``dns`` endpoint does not offer
these collections (:mod:`auditor.diff.offered`). Names are DNS names, renamed
by the rules' ``rename.dns`` suffixes (:mod:`auditor.catalog.dnsnames`) before
``rename.names``; a record's data naming an old-brand host is compared renamed,
and is residue in the target. A and AAAA records are not compared with the
source's (new addresses are benign) but must point at addresses the target
project owns: one of its floating IPs, port or server addresses
(:mod:`auditor.catalog.dns_checks`).
"""

from __future__ import annotations

from auditor.catalog import dns_checks as checks
from auditor.catalog.common import DESCRIPTION, ID, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.policies import IGNORE, Custom, Exact, Rename, Status
from auditor.catalog.sources import api
from auditor.catalog.spec import CollectionSpec, Family, Field, KeyPart, MatchKey, Owner, Request
from auditor.catalog.transforms import sorted_texts
from auditor.catalog.types import NINT, NSTR, NSTRS, STR
from auditor.model import Severity

ALL_PROJECTS = "X-Auth-All-Projects"
"""Designate's all-projects switch: a header, not a query parameter."""

PAGE_SIZE = 1000
"""Designate's ``max_limit_v2`` default (its own default page is 20)."""

ZONES = Request(
    "dns.zones",
    "dns",
    "/zones",
    "zones",
    all_projects_header=ALL_PROJECTS,
    page_size=PAGE_SIZE,
    shapes={"name": (str,), "ttl": (int, type(None)), "masters": (list, type(None))},
)
RECORDSETS = Request(
    "dns.recordsets",
    "dns",
    "/recordsets",
    "recordsets",
    all_projects_header=ALL_PROJECTS,
    page_size=PAGE_SIZE,
    shapes={"name": (str,), "records": (list, type(None)), "ttl": (int, type(None))},
)

OWNED = owned_by_project("project_id")

DNS_STATUS = Field(
    "status",
    api("status"),
    NSTR,
    "ACTIVE, PENDING or ERROR (Designate's last action on it failed).",
    Status(unusable=frozenset({"ERROR"}), with_previous=False),
)

TTL = Field(
    "ttl",
    api("ttl"),
    NINT,
    "Seconds resolvers may cache it (record sets: null, the zone's).",
    Exact(Severity.WARNING, "TTL"),
)


def dns_name(doc: str) -> Field:
    """A DNS name (with its final dot): part of the key, scanned for residue."""
    return Field("name", api("name"), STR, doc, IGNORE, residue=True)


DNS_ZONES = CollectionSpec(
    name="dns_zones",
    noun="DNS zone",
    family=Family.DNS,
    owner=Owner.PROJECT,
    requests=(ZONES,),
    lookups=OWNERS,
    optional=True,
    docs="collections-dns.md#dns_zones",
    doc="Matched by their name under the rules' ``rename.dns`` (then ``rename.names``),"
    " within the counterpart of their project.",
    fields=(
        ID,
        dns_name("Zone name, a DNS name ending in a dot (``acme.cloudwatt.com.``)."),
        *OWNED,
        Field(
            "email",
            api("email"),
            NSTR,
            "The zone's contact (SOA) e-mail.",
            Custom(checks.email, "not the renamed source e-mail: warning"),
            residue=True,
        ),
        TTL,
        Field(
            "type",
            api("type"),
            NSTR,
            "PRIMARY (served from its record sets) or SECONDARY (transferred from masters).",
            Exact(Severity.ERROR, "zone type"),
        ),
        Field(
            "masters",
            api("masters", then=sorted_texts),
            NSTRS,
            "Sorted primary servers a SECONDARY zone transfers from (empty for PRIMARY).",
            Exact(Severity.WARNING, "masters"),
        ),
        DNS_STATUS,
        DESCRIPTION,
    ),
)

DNS_RECORDSETS = CollectionSpec(
    name="dns_recordsets",
    noun="DNS record set",
    family=Family.DNS,
    owner=Owner.PROJECT,
    requests=(RECORDSETS,),
    lookups=OWNERS,
    optional=True,
    docs="collections-dns.md#dns_recordsets",
    key=MatchKey(
        (
            KeyPart("zone", Rename.NAME, of="dns_zones"),
            KeyPart("name", Rename.NAME),
            KeyPart("type"),
        )
    ),
    doc="Matched by zone, name (both under the rules' ``rename.dns``) and type, within the"
    " counterpart of their project.",
    fields=(
        ID,
        dns_name("Record set name, a DNS name ending in a dot (``www.acme.cloudwatt.com.``)."),
        *OWNED,
        Field("zone", api("zone_name"), NSTR, "Name of its zone.", residue=True),
        Field("zone_id", api("zone_id"), NSTR, "Id of its zone."),
        Field("type", api("type"), NSTR, "Record type: A, AAAA, CNAME, MX, NS, SRV, TXT..."),
        Field(
            "records",
            api("records", then=sorted_texts),
            NSTRS,
            "Sorted record data (addresses, target names, TXT strings).",
            Custom(
                checks.records,
                "lost record (names renamed): error; A/AAAA to an address its project does"
                " not own in the target: error",
                ("floating_ips", "ports", "servers"),
            ),
            residue=True,
        ),
        TTL,
        DNS_STATUS,
        DESCRIPTION,
    ),
)

SPECS = (DNS_ZONES, DNS_RECORDSETS)
