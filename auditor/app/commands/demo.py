"""``auditor demo``: serve two example clouds on loopback, audit them over HTTP, and write
every input and output to a directory so each step can be rerun by hand.

Every run also keeps its report in the directory's ``history/`` (as ``--history``
does), so a second run shows what changed since the first, and its HTML report the
trend chart."""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TextIO

from auditor.app import files as app_files
from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.console import observer
from auditor.app.evidence import Inputs, bundle_of, write_bundle
from auditor.app.fileio import ensure_writable_dir, write_private
from auditor.app.options import audit_options, finding_filter
from auditor.audit import Clouds, CloudTarget, ConfigSource, run_audit
from auditor.demo import build_demo
from auditor.filters import apply_filter
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.secrets import Redactor


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo writes what."""

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
    history: str
    evidence: str
    """The evidence bundles' directory: one bundle per run, named after its time."""


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
        history=path("history"),
        evidence=path("evidence"),
    )


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    """Generate, serve, audit; write every input and output under ``--output-dir``."""
    options = audit_options(args)
    options = dataclasses.replace(options, today=options.today or datetime.now(timezone.utc).date())
    files = demo_files(args.output_dir)
    for sub in ("served", "inventories", "evidence"):
        ensure_writable_dir(os.path.join(files.directory, sub))
    previous = app_files.prepare_history(files.history)
    demo = build_demo()
    write_private(files.served_source, demo.source.dumps())
    write_private(files.served_target, demo.target.dumps())
    write_private(files.rules, demo.rules)
    rules = parse_rules(demo.rules, files.rules)
    # Every collection of the example clouds, not only the core ones.
    # (and the containers' objects: the deep mode, --objects).
    options = dataclasses.replace(options, collections=tuple(demo.source.collections), objects=True)
    with Sandbox([demo.source, demo.target]) as sandbox:
        clouds_yaml = save_clouds_yaml(sandbox, files.clouds_yaml)
        clouds = Clouds(
            (CloudTarget(demo.source.cloud),),
            CloudTarget(demo.target.cloud),
            ConfigSource(files.clouds_yaml, clouds_yaml),
        )
        with observer(quiet=args.quiet, no_progress=args.no_progress) as progress:
            result = run_audit(clouds, rules, options, observer=progress, redactor=redactor)
    write_private(files.source_inventory, result.source.dumps())
    write_private(files.target_inventory, result.target.dumps())
    kept = app_files.record_history(
        files.history, result.report, previous, datetime.now(timezone.utc)
    )
    bundle = os.path.join(files.evidence, datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ"))
    inputs = Inputs(
        command="audit",
        sources=[(result.source.dumps().encode(), result.source)],
        target=(result.target.dumps().encode(), result.target),
        rules=demo.rules.encode(),
        id_map=rules.named_id_map,
        waivers=None,
        labels=[demo.source.cloud],
        fail_on=options.fail_on.value,
        as_of=options.today or datetime.now(timezone.utc).date(),
    )
    write_bundle(bundle, bundle_of(inputs, result.report), None)
    report = apply_filter(kept, finding_filter(args))
    write_private(files.report_json, render(report, Format.JSON))
    write_private(files.report_markdown, render(report, Format.MARKDOWN))
    write_private(files.report_html, render(report, Format.HTML))
    stdout.write(render(report, Format.TEXT))
    stdout.write(_epilogue(files, bundle))
    return report.exit_code


def _epilogue(files: DemoFiles, bundle: str) -> str:
    """Where everything went, and how to rerun each step by hand."""
    rerun = f"auditor --os-client-config-file {files.clouds_yaml}"
    return (
        "\n"
        f"The demo served two example clouds on 127.0.0.1 and audited them over HTTP.\n"
        f"  example data served:  {files.served_source}, {files.served_target}\n"
        f"  rules:                {files.rules}\n"
        f"  clouds.yaml:          {files.clouds_yaml}\n"
        f"  inventories:          {files.source_inventory}, {files.target_inventory}\n"
        f"  reports:              {files.report_json}, {files.report_markdown},"
        f" {files.report_html}\n"
        f"  history:              {files.history} (run the demo again: the HTML report"
        " then draws the trend)\n"
        f"  evidence bundle:      {bundle}\n"
        "\n"
        "Rerun each step by hand:\n"
        f"  auditor sandbox {files.served_source} {files.served_target}"
        f" --write-clouds-yaml {files.clouds_yaml} &\n"
        f"  {rerun} inventory --cloud cloudwatt --collections all -o source.json\n"
        f"  {rerun} audit --source cloudwatt --target ocb --collections all"
        f" --rules {files.rules} -f text\n"
        f"  auditor diff {files.source_inventory} {files.target_inventory}"
        f" --rules {files.rules} -f markdown\n"
        f"  auditor verify-evidence {bundle}\n"
        f"  auditor export {files.source_inventory} {files.target_inventory}"
        f" --report {files.report_json} --sqlite inventory.sqlite\n"
    )
