"""``auditor diff``: two (or more) snapshot files under rules, no cloud touched."""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import TextIO

from auditor.app import files
from auditor.app.commands.reports import finish_report, prepare_outputs
from auditor.app.exits import keep_until_exit
from auditor.app.options import audit_options
from auditor.audit import compare_snapshots
from auditor.diff.merge import check_labels, source_label
from auditor.errors import SnapshotError
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    started = time.monotonic()
    rules = files.read_rules(args.rules)
    options = audit_options(args, clouds=False)
    sources = [files.read_snapshot(path) for path in args.sources]
    target = files.read_snapshot(args.target)
    keep_until_exit(sources, target)
    check_labels([source_label(s) for s in sources])
    outputs = prepare_outputs(args, started)
    sign_key = None
    if args.evidence or args.sign_key:
        # Imported only for a bundle: the evidence modules and their dataclasses.
        from auditor.app.evidence import prepare_evidence

        sign_key = prepare_evidence(args.evidence, args.sign_key)
    if args.evidence:
        options = replace(options, today=options.today or datetime.now(timezone.utc).date())
    try:
        outcome = compare_snapshots(sources, target, rules, options)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # The core collections' items are checked on load (auditor.shapecheck);
        # an edited file can still break another collection's comparison.
        named = ", ".join([*args.sources, args.target])
        raise SnapshotError(
            f"{named}: an item is not shaped like an auditor snapshot's ({exc!r})"
        ) from None
    keep_until_exit(outcome)
    if args.evidence:
        from auditor.app.evidence import Inputs, bundle_of, read_bytes, write_bundle

        inputs = Inputs(
            command="diff",
            sources=[(read_bytes(p), s) for p, s in zip(args.sources, sources, strict=True)],
            target=(read_bytes(args.target), target),
            rules=read_bytes(args.rules) if args.rules else None,
            id_map=rules.named_id_map,
            waivers=read_bytes(args.waivers) if args.waivers else None,
            labels=None,
            fail_on=options.fail_on.value,
            as_of=options.today or datetime.now(timezone.utc).date(),
            cross_check=options.cross_check,
        )
        write_bundle(args.evidence, bundle_of(inputs, outcome.report), sign_key)
    return finish_report(outcome, args, stdout, outputs)
