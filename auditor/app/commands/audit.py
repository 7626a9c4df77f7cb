"""``auditor audit``: inventory the source(s) and the target concurrently, then diff."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import TextIO

from auditor.app.commands.reports import file_label, finish_report, prepare_outputs
from auditor.app.console import observer, to_file
from auditor.app.exits import keep_until_exit
from auditor.app.fileio import check_writable_file, ensure_writable_dir, write_private
from auditor.app.files import read_rules
from auditor.app.options import audit_options, clouds_config
from auditor.audit import Clouds, CloudTarget, run_audit
from auditor.diff.merge import check_labels
from auditor.logsetup import get_logger
from auditor.model import Snapshot
from auditor.secrets import Redactor

log = get_logger("auditor.cli")


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    # Everything that can be checked before touching a cloud is checked first.
    started = time.monotonic()
    rules = read_rules(args.rules)
    options = audit_options(args)
    sources = tuple(CloudTarget.parse(text) for text in args.source)
    check_labels([str(s) for s in sources])
    if args.save_inventories:
        ensure_writable_dir(args.save_inventories)
    if to_file(args.output):
        check_writable_file(args.output)
    outputs = prepare_outputs(args, started)
    sign_key = None
    if args.evidence or args.sign_key:
        # Imported only for a bundle: the evidence modules and their dataclasses.
        from auditor.app.evidence import prepare_evidence

        sign_key = prepare_evidence(args.evidence, args.sign_key)
    if args.evidence:
        options = replace(options, today=options.today or datetime.now(timezone.utc).date())
    clouds = Clouds(sources, CloudTarget.parse(args.target), clouds_config(args))
    with observer(quiet=args.quiet, no_progress=args.no_progress) as progress:
        result = run_audit(clouds, rules, options, observer=progress, redactor=redactor)
    keep_until_exit(result)
    log.info("inventories done", requests=progress.requests)
    if args.save_inventories:
        save_inventories(args.save_inventories, sources, result.sources, result.target)
    if args.evidence:
        from auditor.app.evidence import Inputs, bundle_of, read_bytes, write_bundle

        inputs = Inputs(
            command="audit",
            sources=[(s.dumps().encode(), s) for s in result.sources],
            target=(result.target.dumps().encode(), result.target),
            rules=read_bytes(args.rules) if args.rules else None,
            id_map=rules.named_id_map,
            waivers=read_bytes(args.waivers) if args.waivers else None,
            labels=[str(s) for s in sources],
            fail_on=options.fail_on.value,
            as_of=options.today or datetime.now(timezone.utc).date(),
            cross_check=options.cross_check,
        )
        write_bundle(args.evidence, bundle_of(inputs, result.report), sign_key)
    return finish_report(result.outcome, args, stdout, outputs)


def save_inventories(
    directory: str, names: Sequence[CloudTarget], sources: Sequence[Snapshot], target: Snapshot
) -> None:
    """``source.json`` (several sources: ``source-<label>.json`` each) and ``target.json``."""
    for name, source in zip(names, sources, strict=True):
        file = "source.json" if len(sources) == 1 else f"source-{file_label(str(name))}.json"
        write_private(os.path.join(directory, file), source.dumps())
    write_private(os.path.join(directory, "target.json"), target.dumps())
