"""``auditor sandbox``: serve snapshot files until interrupted."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

import yaml

from auditor.errors import BadInputError
from auditor.model import Snapshot
from auditor.sandbox.app import Sandbox
from auditor.sandbox.options import SandboxOptions


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """In the main thread, SIGTERM stops the sandbox like Ctrl-C (cron, systemd, Ansible)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    snapshot_paths: list[str],
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
    :class:`~auditor.errors.BadInputError` (exit code 2 in the CLI).
    """
    if not snapshot_paths:
        raise BadInputError("sandbox: name at least one snapshot file")
    snapshots = [Snapshot.load(path) for path in snapshot_paths]
    try:
        sandbox = Sandbox(snapshots, host, port, options=options)
    except ValueError as exc:
        raise BadInputError(f"sandbox: {exc}") from None
    try:
        sandbox.start()
    except OSError as exc:
        raise BadInputError(
            f"sandbox: cannot listen on {host}:{port} ({exc.strerror or exc})"
        ) from None
    try:
        with _sigterm_interrupts():
            if clouds_yaml_path is not None:
                sandbox.write_clouds_yaml(clouds_yaml_path)
            for site in sandbox.sites.values():
                print(f"{site.name} {site.auth_url}", file=stdout)
            if clouds_yaml_path is None:
                print(file=stdout)
                stdout.write(yaml.safe_dump(sandbox.clouds_yaml(), sort_keys=False))
            stdout.flush()
            waiter = stop or threading.Event()
            while not waiter.wait(3600):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
