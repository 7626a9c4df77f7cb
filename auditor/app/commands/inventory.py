"""``auditor inventory``: snapshot one cloud."""

from __future__ import annotations

import argparse
from typing import TextIO

from auditor.app.console import emit, observer, to_file
from auditor.app.exits import EXIT_INCOMPLETE, EXIT_OK, keep_until_exit
from auditor.app.fileio import check_writable_file
from auditor.app.options import audit_options, cloud_target, clouds_config
from auditor.audit import open_inventory
from auditor.logsetup import get_logger
from auditor.secrets import Redactor

log = get_logger("auditor.cli")


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    options = audit_options(args)
    if to_file(args.output):
        check_writable_file(args.output)
    target = cloud_target(args.cloud, args.region)
    cloud = open_inventory(target, clouds_config(args), options, redactor=redactor)
    with observer(quiet=args.quiet, no_progress=args.no_progress) as progress:
        snapshot = cloud.take(progress)
    keep_until_exit(snapshot)
    log.info(
        "inventory done",
        cloud=snapshot.cloud,
        requests=progress.requests,
        duration_s=round(snapshot.duration_s, 3),
    )
    emit(snapshot.dumps(), args.output, stdout)
    return EXIT_OK if snapshot.complete else EXIT_INCOMPLETE
