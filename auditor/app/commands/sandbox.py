"""``auditor sandbox``: serve snapshot files as OpenStack APIs until interrupted."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from typing import TextIO

from auditor.app.console import sigterm_interrupts
from auditor.app.fileio import write_private
from auditor.app.files import read_snapshot
from auditor.errors import BadInputError
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox import serve as sandbox
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    try:
        options = SandboxOptions(
            max_limit=args.max_limit,
            compute_max_version=args.compute_max_version,
            without_services=frozenset(
                t.strip() for t in (args.without_services or "").split(",") if t.strip()
            ),
        )
    except ValueError as exc:
        raise BadInputError(f"sandbox: {exc}") from None
    return serve(args.snapshots, args.port, args.write_clouds_yaml, stdout, options=options)


def serve(
    snapshot_paths: Sequence[str],
    port: int,
    clouds_yaml_path: str | None,
    stdout: TextIO,
    *,
    host: str = "127.0.0.1",
    options: SandboxOptions | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve the snapshot files on ``host:port`` until Ctrl-C, SIGTERM or ``stop`` is set.

    Writes the clouds.yaml to ``clouds_yaml_path`` (mode 0600), or prints it
    when no path is given (it holds the generated passwords), after one line
    per cloud: ``NAME AUTH_URL``. Returns 0 once stopped. Unreadable snapshots,
    a port in use or an unwritable clouds.yaml raise
    :class:`~auditor.errors.BadInputError` (exit code 2).
    """
    if not snapshot_paths:
        raise BadInputError("sandbox: name at least one snapshot file")
    snapshots = [read_snapshot(path) for path in snapshot_paths]
    served = sandbox.start(snapshots, port, host=host, options=options)
    try:
        with sigterm_interrupts():
            if clouds_yaml_path is not None:
                save_clouds_yaml(served, clouds_yaml_path)
            stdout.write(sandbox.announcement(served, with_clouds_yaml=clouds_yaml_path is None))
            stdout.flush()
            waiter = stop or threading.Event()
            while not waiter.wait(3600):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        served.stop()
    return 0


def save_clouds_yaml(served: Sandbox, path: str) -> str:
    """Write the clouds.yaml of ``served`` to ``path`` (atomically, mode 0600: it holds the
    generated passwords); returns its text."""
    text = sandbox.clouds_yaml_text(served)
    write_private(path, text)
    return text
