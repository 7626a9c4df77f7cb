"""``auditor export``: snapshots (and a report's findings) as a SQLite database."""

from __future__ import annotations

import argparse
import sqlite3
from typing import TextIO

from auditor.app.exits import EXIT_OK
from auditor.app.fileio import check_writable_file, replaced_atomically
from auditor.app.files import read_report, read_snapshot
from auditor.errors import OutputError
from auditor.export import export
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    snapshots = [read_snapshot(path) for path in args.snapshots]
    report = read_report(args.report) if args.report else None
    check_writable_file(args.sqlite)
    with replaced_atomically(args.sqlite) as tmp:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # the rename is the transaction
            conn.execute("PRAGMA synchronous = OFF")
            exported = export(conn, snapshots, report)
        except sqlite3.Error as exc:
            raise OutputError(f"{args.sqlite}: cannot write ({exc})") from None
        finally:
            conn.close()
    tables = sum(1 for t in exported.rows if t not in ("snapshots", "listings", "findings"))
    items = sum(
        n for t, n in exported.rows.items() if t not in ("snapshots", "listings", "findings")
    )
    line = f"{args.sqlite}: {len(snapshots)} snapshot(s), {items} items in {tables} tables"
    if report is not None:
        line += f", {exported.rows['findings']} findings"
    stdout.write(line + "\n")
    return EXIT_OK
