"""``auditor sandbox``: the sandbox started for snapshots, and what it says it serves.

The application layer reads the snapshot files, writes the clouds.yaml, prints what
:func:`announcement` returns and waits for Ctrl-C or SIGTERM; this module does none
of that.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from auditor.errors import BadInputError
from auditor.model import Snapshot
from auditor.sandbox.app import Sandbox
from auditor.sandbox.options import SandboxOptions


def start(
    snapshots: Sequence[Snapshot],
    port: int,
    *,
    host: str = "127.0.0.1",
    options: SandboxOptions | None = None,
) -> Sandbox:
    """A sandbox serving ``snapshots`` on ``host:port`` (0: a free port), started; the caller
    stops it. Two clouds of one name or a port in use raise
    :class:`~auditor.errors.BadInputError` (exit code 2 in the CLI)."""
    if not snapshots:
        raise BadInputError("sandbox: name at least one snapshot file")
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
    return sandbox


def clouds_yaml_text(sandbox: Sandbox) -> str:
    """The clouds.yaml of ``sandbox`` (one profile per cloud, with the generated passwords)."""
    return yaml.safe_dump(sandbox.clouds_yaml(), sort_keys=False)


def announcement(sandbox: Sandbox, *, with_clouds_yaml: bool) -> str:
    """One line per cloud, ``NAME AUTH_URL``; then, when the clouds.yaml is not written to
    a file, an empty line and the clouds.yaml itself."""
    lines = [f"{site.name} {site.auth_url}\n" for site in sandbox.sites.values()]
    if with_clouds_yaml:
        lines.append("\n" + clouds_yaml_text(sandbox))
    return "".join(lines)
