"""The command line's grammar: argparse parsers for every command and their options.

Built on every start, ``--help`` included: it imports nothing heavy (the collection
layer is imported only when a help text names the collections). The options an
operator may set in a configuration file or the environment have ``None`` as their
argparse default; :mod:`auditor.app.config` fills them in after parsing, so a flag
always wins (flags > environment > file > defaults).
"""

from __future__ import annotations

import argparse
from typing import Any, cast

from auditor import __version__
from auditor.app.arguments import (
    Commands,
    HelpFormatter,
    common_options,
    filter_options,
    output_options,
    report_options,
)
from auditor.model import Severity
from auditor.schemas import NAMES as SCHEMA_NAMES

SHELLS = ("bash", "zsh", "fish")
"""The shells ``auditor completion`` writes a script for."""


def clouds_completer(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """argcomplete's completer of a cloud: the clouds.yaml profiles (imported at TAB only)."""
    from auditor.app.completion import cloud_names

    return cloud_names(prefix, parsed_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        formatter_class=HelpFormatter,
        prog="auditor",
        description="Inventory OpenStack clouds and prove that a migration lost nothing.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    common_options(parser, suppress=False)
    commands = cast(
        Commands,
        parser.add_subparsers(dest="command", metavar="COMMAND", required=True, action=Commands),
    )

    commands.add_command(
        _inventory_options,
        "inventory",
        formatter_class=HelpFormatter,
        help="snapshot one cloud (auditor.inventory/v1 JSON)",
        description="List a cloud as an admin across all projects (with project-scoped"
        " credentials: the user's projects, one by one) and write its snapshot.",
    )

    commands.add_command(
        _diff_options,
        "diff",
        formatter_class=HelpFormatter,
        help="diff two snapshot files under rules",
        description="Compare a source and a target snapshot (auditor.inventory/v1 files); with"
        " several sources (a merger of clouds or regions into one target), each source against"
        " the target, in one report.",
    )

    commands.add_command(
        _audit_options,
        "audit",
        formatter_class=HelpFormatter,
        help="inventory source and target concurrently, then diff",
        description="Inventory both clouds at once and report what the migration lost.",
    )

    commands.add_command(
        _demo_options,
        "demo",
        formatter_class=HelpFormatter,
        help="a full audit of two example clouds served on loopback (no cloud needed)",
        description="Serve a Cloudwatt-style source and its Orange-Cloud-for-Business-style"
        " successor (with seeded defects) on 127.0.0.1, audit them through openstacksdk over"
        " HTTP, and print the report.",
    )

    commands.add_command(
        _sandbox_options,
        "sandbox",
        formatter_class=HelpFormatter,
        help="serve snapshots as OpenStack APIs on 127.0.0.1 (rehearsals, tests)",
        description="Serve snapshot files as Keystone, Nova, Cinder, Glance and Neutron APIs"
        " on 127.0.0.1 until interrupted, one clouds.yaml profile per snapshot.",
    )

    commands.add_command(
        _render_options,
        "render",
        formatter_class=HelpFormatter,
        help="render a saved JSON report in another format",
        description="Render a report saved as JSON (auditor.report/v1: --format json, or a"
        " --history file) as text, markdown, html or junit, without touching any cloud.",
    )

    commands.add_command(
        _compare_options,
        "compare",
        formatter_class=HelpFormatter,
        help="what changed between two saved JSON reports: new, resolved, still open",
        description="Compare two reports saved as JSON (auditor.report/v1), by finding id:"
        " the findings NEW_REPORT adds (new), those it no longer has (resolved) and those both"
        " have (still open). Exit code: 0 nothing new at or above --fail-on, 1 something new"
        " at or above it, 2 bad input, 3 NEW_REPORT could not list some collection, so some"
        " of OLD_REPORT's findings are unconfirmed.",
    )

    commands.add_command(
        _export_options,
        "export",
        formatter_class=HelpFormatter,
        help="write snapshots (and a report's findings) as a SQLite database",
        description="Write one table per collection (one column per field, a cloud column),"
        " the snapshots' listings and, with --report, the findings, into a new SQLite file"
        " (docs/export.md); no cloud touched.",
    )

    commands.add_command(
        _verify_evidence_options,
        "verify-evidence",
        formatter_class=HelpFormatter,
        help="check an evidence bundle: signature, hashes, and its report recomputed",
        description="Check the evidence bundle DIR written by --evidence: the manifest's"
        " signature (with --key), every file's sha256, then the diff recomputed offline from"
        " the bundled snapshots and rules must give the bundled verdict and finding ids."
        " Exit code: 0 verified, 1 a check failed (each problem named), 2 not a bundle or a"
        " bad key.",
    )

    commands.add_command(
        _completion_options,
        "completion",
        formatter_class=HelpFormatter,
        help="print the shell completion script of bash, zsh or fish",
        description="Print the completion script of SHELL (argcomplete): for bash,"
        " 'eval \"$(auditor completion bash)\"' in ~/.bashrc; for zsh, the same in ~/.zshrc"
        " after compinit; for fish, 'auditor completion fish >"
        " ~/.config/fish/completions/auditor.fish'.",
    )

    commands.add_command(
        _schema_options,
        "schema",
        formatter_class=HelpFormatter,
        help="print the JSON Schema of a document",
        description="Print the JSON Schema of the snapshot, report, rules or id map document.",
    )
    return parser


def _inventory_options(inventory: argparse.ArgumentParser) -> None:
    common_options(inventory, suppress=True)
    cloud = inventory.add_argument("--cloud", help="clouds.yaml profile (default: OS_CLOUD)")
    setattr(cloud, "completer", clouds_completer)  # noqa: B010 - argcomplete's attribute
    inventory.add_argument("--region", help="region of the profile to list")
    inventory.add_argument(
        "--collections",
        metavar="A,B",
        help="collections to list (default: {core_collections}; known: {known_collections})",
    )
    inventory.add_argument(
        "--objects",
        action="store_true",
        help="also list the objects of Swift containers (the containers collection) and"
        " compare them by name, size and ETag, without downloading any (docs/collections-"
        "object-store.md)",
    )
    inventory.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the snapshot here (mode 0600) instead of stdout ('-': stdout)",
    )


def _diff_options(diff_cmd: argparse.ArgumentParser) -> None:
    common_options(diff_cmd, suppress=True)
    diff_cmd.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="source snapshot file (several: a merger; each is labelled cloud@region)",
    )
    diff_cmd.add_argument("target", metavar="TARGET", help="target snapshot file (the last one)")
    report_options(diff_cmd)


def _audit_options(audit: argparse.ArgumentParser) -> None:
    common_options(audit, suppress=True)
    source = audit.add_argument(
        "--source",
        required=True,
        action="append",
        metavar="NAME[@REGION]",
        help="clouds.yaml profile of the source (legacy) cloud; repeat it for a merger of"
        " several clouds or regions into the target",
    )
    target = audit.add_argument(
        "--target",
        required=True,
        metavar="NAME[@REGION]",
        help="clouds.yaml profile of the target cloud",
    )
    for action in (source, target):
        setattr(action, "completer", clouds_completer)  # noqa: B010
    audit.add_argument(
        "--collections",
        metavar="A,B",
        help="collections to audit (default: {core_collections})",
    )
    audit.add_argument(
        "--objects",
        action="store_true",
        help="also list the objects of Swift containers (the containers collection) and"
        " compare them by name, size and ETag, without downloading any (docs/collections-"
        "object-store.md)",
    )
    audit.add_argument(
        "--save-inventories",
        metavar="DIR",
        help="also write DIR/source.json (with several sources: DIR/source-<label>.json each)"
        " and DIR/target.json (mode 0600)",
    )
    audit.add_argument(
        "--max-rereads",
        type=int,
        metavar="N",
        help="at most N GET requests read differing items again where a service cannot say"
        " what changed during the audit (default {default_max_rereads}; 0: none;"
        " docs/evidence.md#the-audit-window)",
    )
    report_options(audit)


def _demo_options(demo: argparse.ArgumentParser) -> None:
    common_options(demo, suppress=True)
    demo.add_argument(
        "--output-dir",
        metavar="DIR",
        default="auditor-demo",
        help="where the example data, rules, clouds.yaml and reports go (default: ./auditor-demo)",
    )
    filter_options(demo)


def _sandbox_options(sandbox: argparse.ArgumentParser) -> None:
    common_options(sandbox, suppress=True)
    sandbox.add_argument("snapshots", nargs="+", metavar="SNAPSHOT", help="snapshot files")
    sandbox.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    sandbox.add_argument(
        "--write-clouds-yaml",
        metavar="FILE",
        help="write the clouds.yaml here (mode 0600) instead of printing it",
    )
    sandbox.add_argument(
        "--max-limit",
        type=int,
        default=1000,
        metavar="N",
        help="page cap of every listing (default 1000)",
    )
    sandbox.add_argument(
        "--compute-max-version",
        default="2.96",
        metavar="V",
        help="highest compute microversion offered (default 2.96)",
    )
    sandbox.add_argument(
        "--without-services",
        default="",
        metavar="TYPES",
        help="service types left out of the clouds' catalogs, comma-separated (a cloud"
        " without DNS: dns)",
    )


def _render_options(render_cmd: argparse.ArgumentParser) -> None:
    common_options(render_cmd, suppress=True)
    render_cmd.add_argument("report", metavar="REPORT", help="JSON report file")
    output_options(render_cmd)
    filter_options(render_cmd)


def _compare_options(compare: argparse.ArgumentParser) -> None:
    common_options(compare, suppress=True)
    compare.add_argument("old", metavar="OLD_REPORT", help="the earlier JSON report")
    compare.add_argument("new", metavar="NEW_REPORT", help="the later JSON report")
    output_options(compare)
    compare.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default=None,
        help="lowest severity of a new finding that makes the exit code 1 (default: error)",
    )
    filter_options(compare)


def _export_options(export: argparse.ArgumentParser) -> None:
    common_options(export, suppress=True)
    export.add_argument("snapshots", nargs="+", metavar="SNAPSHOT", help="snapshot file")
    export.add_argument(
        "--sqlite", required=True, metavar="FILE", help="the database to write (mode 0600)"
    )
    export.add_argument("--report", metavar="REPORT", help="a JSON report: its findings too")


def _verify_evidence_options(verify: argparse.ArgumentParser) -> None:
    common_options(verify, suppress=True)
    verify.add_argument("directory", metavar="DIR", help="the evidence bundle")
    verify.add_argument("--key", metavar="FILE", help="the signer's Ed25519 public key (PEM)")


def _completion_options(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help=", ".join(SHELLS))


def _schema_options(schema: argparse.ArgumentParser) -> None:
    common_options(schema, suppress=True)
    schema.add_argument("document", choices=SCHEMA_NAMES)
