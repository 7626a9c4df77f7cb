"""The environment variables the auditor itself reads: only here.

openstacksdk still reads its own (the ``OS_*`` auth variables, ``OS_CLIENT_CONFIG_FILE``)
when it loads a profile; these are the ones the auditor's messages and defaults need.
"""

from __future__ import annotations

import os


def cloud_name() -> str | None:
    """``OS_CLOUD``: the profile to use when no ``--cloud`` is given (None when unset or
    empty, as openstacksdk reads it)."""
    return os.environ.get("OS_CLOUD") or None


def client_config_file() -> str | None:
    """``OS_CLIENT_CONFIG_FILE``: where openstacksdk looks for clouds.yaml first."""
    return os.environ.get("OS_CLIENT_CONFIG_FILE") or None


def auditor_variables() -> dict[str, str]:
    """The ``AUDITOR_*`` variables (defaults of options, :mod:`auditor.app.config`), the
    empty ones left out."""
    return {k: v for k, v in os.environ.items() if k.startswith("AUDITOR_") and v}


def completion_requested() -> bool:
    """True when a shell's completion script runs the auditor to ask for completions."""
    return "_ARGCOMPLETE" in os.environ
