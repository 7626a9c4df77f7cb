"""``auditor diff``: two (or more) snapshot files under rules, no cloud touched."""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from auditor.app import files
from auditor.app.commands.reports import finish_report, prepare_outputs
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
    check_labels([source_label(s) for s in sources])
    outputs = prepare_outputs(args, started)
    try:
        outcome = compare_snapshots(sources, target, rules, options)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # The core collections' items are checked on load (auditor.shapecheck);
        # an edited file can still break another collection's comparison.
        named = ", ".join([*args.sources, args.target])
        raise SnapshotError(
            f"{named}: an item is not shaped like an auditor snapshot's ({exc!r})"
        ) from None
    return finish_report(outcome, args, stdout, outputs)
