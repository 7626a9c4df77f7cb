"""``auditor verify-evidence``: a bundle's signature, hashes and report, checked offline."""

from __future__ import annotations

import argparse
from typing import TextIO

from auditor.app.evidence import read_bundle, read_public_key
from auditor.app.exits import EXIT_DISCREPANCIES, EXIT_OK
from auditor.evidence import key_id, verify
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    key = read_public_key(args.key) if args.key else None
    files, manifest = read_bundle(args.directory)
    result = verify(files, manifest, key)
    if result.problems:
        for problem in result.problems:
            stdout.write(f"{args.directory}/{problem}\n")
        stdout.write(f"{args.directory}: NOT verified ({len(result.problems)} problem(s))\n")
        return EXIT_DISCREPANCIES
    if result.signature_checked and key is not None:
        signature = f"signed by key {key_id(key)[:16]}..."
    elif result.signed:
        signature = "signed (signature not checked: no --key)"
    else:
        signature = "unsigned"
    report = result.recomputed
    assert report is not None
    stdout.write(
        f"{args.directory}: verified: {len(files)} files match the manifest, {signature},"
        f" report reproduced (verdict {report.verdict.value}, {len(report.findings)} findings)\n"
    )
    return EXIT_OK
