"""Merger scenarios of one family of extended collections, audited over HTTP.

The example clouds of auditor.demo.data with one family added (and, when
asked, broken by its ``seed_defects``), served by the sandbox and audited
through ``run_audit``: the code path of ``auditor audit``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import AuditOptions, AuditResult, Clouds, run_audit
from auditor.connect import CloudTarget
from auditor.demo.data import RULES, Family, source_cloud, target_cloud
from auditor.model import Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import RecordedRequest, Sandbox, SandboxOptions


def family_clouds(
    family: Family,
    *,
    servers: int,
    seed: int,
    by_metadata: float,
    defects: bool,
    after: Sequence[Family] = (),
) -> tuple[Snapshot, Snapshot]:
    """The example source and target with ``family`` added (and its defects seeded), after
    the families ``after`` it builds on (added faithfully)."""
    rng = random.Random(seed)
    source = source_cloud(servers, rng)
    target = target_cloud(source, by_metadata=by_metadata, rng=rng)
    for added in (*after, family):
        added.add_source(source, rng)
        added.add_target(source, target, rng)
    if defects:
        family.seed_defects(target)
    return source.snapshot(), target.snapshot()


@dataclass(frozen=True)
class SandboxAudit:
    result: AuditResult
    requests: list[RecordedRequest]
    """Every request the sandbox answered during the audit."""


def audit_over_http(
    source: Snapshot,
    target: Snapshot,
    collections: Sequence[str],
    tmp: Path,
    options: SandboxOptions | None = None,
) -> SandboxAudit:
    """Serve both snapshots and audit them under the demo's rules."""
    with Sandbox([source, target], options=options or SandboxOptions()) as sandbox:
        clouds_yaml = tmp / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds_yaml))
        result = run_audit(
            Clouds(
                (CloudTarget(source.cloud),),
                CloudTarget(target.cloud),
                read_clouds_config(str(clouds_yaml)),
            ),
            parse_rules(RULES, str(tmp / "rules.yaml")),
            AuditOptions(collections=tuple(collections)),
        )
        requests = sandbox.requests
        assert sandbox.errors == []
    return SandboxAudit(result, requests)
