"""The command line's options, checked, as the one options object of the use cases.

``inventory``, ``diff``, ``audit`` and ``demo`` build their
:class:`~auditor.audit.AuditOptions` with :func:`audit_options`, so the four cannot
read the same option in different ways. Everything here is checked before any cloud
is touched.
"""

from __future__ import annotations

import argparse
from datetime import date

from auditor.app import env
from auditor.app.files import read_clouds_config, read_waivers
from auditor.audit import (
    DEFAULT_MAX_REREADS,
    DEFAULT_TIMEOUT,
    AuditOptions,
    CloudTarget,
    ConfigSource,
    Deadline,
    RetryPolicy,
    parse_collections,
)
from auditor.errors import BadInputError
from auditor.filters import FindingFilter
from auditor.model import Severity


def audit_options(args: argparse.Namespace, *, clouds: bool = True) -> AuditOptions:
    """The options of ``args`` (a command's arguments; those it does not have keep their
    defaults). ``clouds``: False for ``diff``, which lists no cloud, so its
    ``--collections``, ``--retries``, ``--deadline`` and ``--timeout`` are left unread."""
    today = _as_of(getattr(args, "as_of", None))
    waivers_file = getattr(args, "waivers", None)
    waivers = read_waivers(waivers_file) if waivers_file else None
    fail_on = Severity(getattr(args, "fail_on", Severity.ERROR.value))
    cross_check = not getattr(args, "no_cross_check", False)
    if not clouds:
        return AuditOptions(fail_on=fail_on, waivers=waivers, today=today, cross_check=cross_check)
    collections = parse_collections(getattr(args, "collections", None))
    objects = bool(getattr(args, "objects", False))
    if objects and "containers" not in collections:
        raise BadInputError(
            "--objects: lists the objects of the containers collection, which --collections"
            " leaves out (add containers)"
        )
    return AuditOptions(
        collections=collections,
        retry=_retry_policy(args),
        timeout=_timeout(args),
        fail_on=fail_on,
        waivers=waivers,
        today=today,
        cross_check=cross_check,
        max_rereads=_max_rereads(args),
        objects=objects,
    )


def _max_rereads(args: argparse.Namespace) -> int:
    value = getattr(args, "max_rereads", None)
    if value is None:
        return DEFAULT_MAX_REREADS
    if value < 0:
        raise BadInputError("--max-rereads: must be 0 or more")
    return int(value)


def finding_filter(args: argparse.Namespace) -> FindingFilter:
    """The findings ``--min-severity``, ``--project`` and ``--collection`` show."""
    severity = getattr(args, "min_severity", None)
    return FindingFilter(
        min_severity=Severity(severity) if severity else None,
        projects=tuple(getattr(args, "project", None) or ()),
        collections=tuple(getattr(args, "collection", None) or ()),
    )


def cloud_target(name: str | None, region: str | None = None) -> CloudTarget:
    """The cloud ``--cloud`` names, else ``OS_CLOUD``'s (else openstacksdk's own choice)."""
    return CloudTarget(cloud=name or env.cloud_name(), region=region)


def clouds_config(args: argparse.Namespace) -> ConfigSource:
    """The clouds.yaml of ``--os-client-config-file`` (read now), else openstacksdk's
    lookup, which ``OS_CLIENT_CONFIG_FILE`` leads."""
    return read_clouds_config(args.os_client_config_file, env.client_config_file())


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def _retry_policy(args: argparse.Namespace) -> RetryPolicy:
    """The retry policy of ``--retries``; the ``--deadline`` clock starts here."""
    if args.retries < 0:
        raise BadInputError("--retries: must be 0 or more")
    deadline = None
    if args.deadline is not None:
        if not args.deadline > 0:
            raise BadInputError("--deadline: must be a positive number of seconds")
        deadline = Deadline.after(args.deadline)
    return RetryPolicy(attempts=args.retries + 1, deadline=deadline)


def _timeout(args: argparse.Namespace) -> float:
    if args.timeout is None:
        return DEFAULT_TIMEOUT
    timeout = float(args.timeout)
    if timeout <= 0:
        raise BadInputError("--timeout: must be a positive number of seconds")
    return timeout
