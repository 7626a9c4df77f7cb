"""How the sandbox's services behave: page limits, microversion ranges, Keystone quirks."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.sandbox.microversion import parse_version


@dataclass(frozen=True)
class ProjectMember:
    """A non-admin user of the sandbox: the member role on some projects, nothing else.

    Its tokens list what a project member sees: ``all_tenants`` listings and
    Keystone's admin listings answer 403, ``/v3/auth/projects`` names its projects.
    """

    username: str
    password: str
    projects: tuple[str, ...]
    """Names (or ids) of the snapshot's projects it is a member of; unknown ones are ignored."""
    cloud: str | None = None
    """The cloud it exists in (None: every cloud of the sandbox)."""


@dataclass(frozen=True)
class SandboxOptions:
    """Service settings shared by every cloud of one sandbox (defaults: a current release)."""

    max_limit: int = 1000
    """Page cap of every paged listing: Nova ``max_limit``, Cinder ``osapi_max_limit``,
    Glance ``api_limit_max``, Keystone and Neutron page sizes."""
    image_default_limit: int = 25
    """Glance's page size when the request gives no ``limit``."""
    compute_max_version: str = "2.96"
    """Highest compute microversion advertised (2.1 .. 2.96); e.g. 2.40 exercises the
    flavor-lookup path of clients."""
    volume_max_version: str = "3.70"
    """Highest block-storage microversion advertised (3.0 .. 3.70)."""
    neutron_timestamps: bool = True
    """Neutron offers the ``standard-attr-timestamp`` extension: ``created_at`` and
    ``updated_at`` on its resources, and the ``changed_since`` filter."""
    neutron_filter_validation: bool = True
    """Neutron's ``[DEFAULT] filter_validation`` (the ``filter-validation`` extension): a
    filter no attribute declares is refused (400), ``changed_since`` included."""
    nova_skip_down_cells: bool = True
    """Nova ``[api] list_records_by_skipping_down_cells``: listings that cannot give a
    down cell's partial records skip its servers; off, they answer 500."""
    keystone_paging: bool = True
    """Keystone honours ``limit``/``marker`` on projects and domains (2025.1+)."""
    keystone_list_limit: int | None = None
    """Keystone ``[DEFAULT] list_limit``: unpaged lists longer than this are cut and
    flagged ``"truncated": true``."""
    keystone_domain_drivers: bool = False
    """Keystone ``[identity] domain_specific_drivers_enabled`` (LDAP domains): ``/v3/users``
    without ``domain_id`` answers only the token's domain's users."""
    swift_reseller_admin: bool = True
    """The admin's token carries Swift's reseller admin role (keystoneauth's
    ``reseller_admin_role``): it reads every project's account; off, only its own
    project's (the others answer 403)."""
    token_ttl: float = 86400.0
    """Seconds a token stays valid."""
    username: str = "admin"
    """User name of every cloud's generated credentials."""
    project_name: str = "admin"
    """Project the credentials are scoped to."""
    domain_name: str = "Default"
    """Domain of the user and of the project (id ``default``)."""
    password: str | None = None
    """Password of every cloud; None generates a random one per cloud."""
    members: tuple[ProjectMember, ...] = ()
    """Non-admin users, each with a clouds.yaml profile ``<cloud>-<username>``."""
    without_services: frozenset[str] = frozenset()
    """Service types left out of every cloud's Keystone catalog (and not served), as a
    real cloud without DNS, load balancing, orchestration or object storage."""

    def __post_init__(self) -> None:
        if self.max_limit < 1:
            raise ValueError("max_limit must be at least 1")
        if self.image_default_limit < 1:
            raise ValueError("image_default_limit must be at least 1")
        if not (2, 1) <= parse_version(self.compute_max_version) <= (2, 96):
            raise ValueError("compute_max_version must be within 2.1 .. 2.96")
        if not (3, 0) <= parse_version(self.volume_max_version) <= (3, 70):
            raise ValueError("volume_max_version must be within 3.0 .. 3.70")
        if self.keystone_list_limit is not None and self.keystone_list_limit < 1:
            raise ValueError("keystone_list_limit must be at least 1")
        if "identity" in self.without_services:
            raise ValueError("the identity service cannot be left out of the catalog")
        if self.token_ttl <= 0:
            raise ValueError("token_ttl must be positive")
        seen: set[tuple[str, str | None]] = set()
        for member in self.members:
            # One user per name and cloud (a member of every cloud clashes with any).
            clouds = {c for n, c in seen if n == member.username}
            if (
                member.username == self.username
                or member.cloud in clouds
                or (clouds and (member.cloud is None or None in clouds))
            ):
                raise ValueError("members need user names of their own (not the admin's)")
            seen.add((member.username, member.cloud))
