"""Keystone access seeded through its API: groups with members, a custom role, role
assignments of users and groups on projects and domains (one inherited).

What the auditor must list back: ``users``, ``groups``, ``roles`` and
``role_assignments`` (tests/integration/test_real_access.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GroupPlan:
    name: str
    domain: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class AssignmentPlan:
    role: str
    user: str | None = None
    group: str | None = None
    project: str | None = None
    domain: str | None = None
    inherited: bool = False


GROUPS: tuple[GroupPlan, ...] = (
    GroupPlan("acme-ops", "cloudwatt", ("alice",)),
    GroupPlan("support", "ocb-cloudwatt", ("admin", "alice", "bob")),
    GroupPlan("nobody", "cloudwatt", ()),
)
CUSTOM_ROLE = "billing"
"""A role of the operator's own, beside bootstrap's admin, member, reader, manager, service."""

ASSIGNMENTS: tuple[AssignmentPlan, ...] = (
    AssignmentPlan("member", user="alice", project="cw-acme"),
    AssignmentPlan(CUSTOM_ROLE, user="bob", project="ocb-acme"),
    AssignmentPlan("reader", group="acme-ops", project="cw-acme"),
    AssignmentPlan("reader", user="bob", domain="cloudwatt"),
    AssignmentPlan("admin", group="support", domain="ocb-cloudwatt", inherited=True),
)
"""Besides bootstrap's (admin on the admin project and on the system) and the service
users' (admin and service on the service project)."""


def seed(
    ident: Any, domain_ids: dict[str, str], project_ids: dict[str, str], user_ids: dict[str, str]
) -> dict[str, str]:
    """Create :data:`GROUPS`, :data:`CUSTOM_ROLE` and :data:`ASSIGNMENTS` through
    openstacksdk's identity proxy; returns group name -> id."""
    group_ids: dict[str, str] = {}
    for plan in GROUPS:
        group = ident.create_group(
            name=plan.name, domain_id=domain_ids[plan.domain], description=f"{plan.name} team"
        )
        group_ids[plan.name] = group.id
        for member in plan.members:
            ident.add_user_to_group(user_ids[member], group.id)
    ident.create_role(name=CUSTOM_ROLE, description="Sees the invoices")
    for a in ASSIGNMENTS:
        role = ident.find_role(a.role, ignore_missing=False)
        if a.project is not None:
            project = project_ids[a.project]
            if a.user is not None:
                ident.assign_project_role_to_user(project, user_ids[a.user], role)
            else:
                ident.assign_project_role_to_group(project, group_ids[str(a.group)], role)
        else:
            domain = domain_ids[str(a.domain)]
            if a.user is not None:
                ident.assign_domain_role_to_user(
                    domain, user_ids[a.user], role, inherited=a.inherited
                )
            else:
                ident.assign_domain_role_to_group(
                    domain, group_ids[str(a.group)], role, inherited=a.inherited
                )
    return group_ids
