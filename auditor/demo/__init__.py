"""``auditor demo``: a full audit of two example clouds served on loopback.

The example source (Cloudwatt-style) and target (Orange-Cloud-for-Business-style,
with a handful of seeded defects) are generated, served by the sandbox as real
OpenStack APIs, inventoried through openstacksdk over HTTP and diffed, exactly
as ``auditor audit`` does against production clouds. Every input and output
is written to a directory so each step can be rerun by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from auditor.audit import AuditResult, run_audit
from auditor.collect import InventoryObserver
from auditor.connect import CloudTarget
from auditor.demo.data import DEFECTS, RULES, generate
from auditor.fileio import ensure_writable_dir, write_private
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.secrets import Redactor


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo wrote what."""

    directory: str
    served_source: str
    served_target: str
    rules: str
    clouds_yaml: str
    source_inventory: str
    target_inventory: str
    report_json: str
    report_markdown: str
    report_html: str


def demo_files(directory: str) -> DemoFiles:
    def path(*parts: str) -> str:
        return os.path.join(directory, *parts)

    return DemoFiles(
        directory=directory,
        served_source=path("served", "cloudwatt.json"),
        served_target=path("served", "ocb.json"),
        rules=path("rules.yaml"),
        clouds_yaml=path("clouds.yaml"),
        source_inventory=path("inventories", "source.json"),
        target_inventory=path("inventories", "target.json"),
        report_json=path("report.json"),
        report_markdown=path("report.md"),
        report_html=path("report.html"),
    )


def run_demo(
    directory: str,
    *,
    observer: InventoryObserver | None = None,
    redactor: Redactor | None = None,
) -> tuple[AuditResult, DemoFiles]:
    """Generate, serve, audit; write every input and output under ``directory``."""
    files = demo_files(directory)
    for sub in ("served", "inventories"):
        ensure_writable_dir(os.path.join(directory, sub))
    source, target = generate(extended=True)
    write_private(files.served_source, source.dumps())
    write_private(files.served_target, target.dumps())
    write_private(files.rules, RULES)
    rules = parse_rules(RULES, files.rules)
    with Sandbox([source, target]) as sandbox:
        sandbox.write_clouds_yaml(files.clouds_yaml)
        result = run_audit(
            CloudTarget(source.cloud),
            CloudTarget(target.cloud),
            rules,
            config_file=files.clouds_yaml,
            collections=tuple(source.collections),
            observer=observer,
            redactor=redactor,
        )
    write_private(files.source_inventory, result.source.dumps())
    write_private(files.target_inventory, result.target.dumps())
    write_private(files.report_json, render(result.report, Format.JSON))
    write_private(files.report_markdown, render(result.report, Format.MARKDOWN))
    write_private(files.report_html, render(result.report, Format.HTML))
    return result, files


__all__ = ["DEFECTS", "DemoFiles", "demo_files", "run_demo"]
