"""Shell completion through argcomplete: the scripts ``auditor completion SHELL`` prints,
and the answers to them.

The scripts are argcomplete's: at each TAB they run ``auditor`` with the command line
in the environment, and :func:`complete` answers from the very parser that parses it,
so the completions of commands, options and their choices (formats, severities,
collections from the catalog) are never out of date. Clouds (``--cloud``,
``--source``, ``--target``) complete with the profiles of the clouds.yaml
openstacksdk would read.
"""

from __future__ import annotations

import argparse
from typing import Any

import argcomplete
from argcomplete.shell_integration import shellcode

EXECUTABLE = "auditor"


def script(shell: str) -> str:
    """The completion script of ``shell`` (bash, zsh or fish) for ``auditor``."""
    return shellcode([EXECUTABLE], shell=shell)


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request (the environment holds it) and end the
    process, as argcomplete does."""
    argcomplete.autocomplete(parser, always_complete_options="long")


def cloud_names(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """The clouds.yaml profiles starting with ``prefix`` (``--os-client-config-file``'s, else
    openstacksdk's lookup); none when the files cannot be read."""
    try:
        from openstack.config import loader

        files = getattr(parsed_args, "os_client_config_file", None)
        config = loader.OpenStackConfig(config_files=[files] if files else None, load_envvars=False)
        names = config.get_cloud_names()
    except Exception:  # a completion never fails the shell: no names instead
        return []
    return sorted(n for n in names if n.startswith(prefix))
