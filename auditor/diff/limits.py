"""Quota limits compared against what the source project used (the ``Limits`` policy)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.catalog.policies import Limits
from auditor.catalog.text import as_int
from auditor.diff.changes import Changes
from auditor.model import Severity

JSON = dict[str, Any]


def limits(field: str, p: Limits, s: JSON, t: JSON, ch: Changes) -> None:
    """Each resource's target limit against the source limit and the source usage.

    Below what the project used in the source (and not unlimited, -1): error,
    the tenant cannot even recreate what it had. Below the source limit but
    enough for the usage: warning. Above: info. A resource the target service
    does not report (another release): info.
    """
    s_limits: JSON = s.get(field) or {}
    t_limits: JSON = t.get(field) or {}
    usage: JSON = s.get(p.usage) or {}
    for resource in sorted(s_limits):
        name = f"{field}.{resource}"
        s_limit, t_limit = as_int(s_limits[resource]), as_int(t_limits.get(resource))
        if resource not in t_limits:
            ch.add(name, s_limit, None, Severity.INFO, f"has no {resource} quota any more")
            continue
        if s_limit == t_limit or s_limit is None or t_limit is None or t_limit == -1:
            if t_limit == -1 and s_limit not in (-1, None):
                ch.add(name, s_limit, t_limit, Severity.INFO, f"{resource} is now unlimited")
            continue
        used = as_int(usage.get(resource)) or 0
        was = "unlimited" if s_limit == -1 else str(s_limit)
        if t_limit < used:
            message = (
                f"{resource} quota is {t_limit} (was {was}), below the {used} used in the"
                " source: the project cannot even recreate what it had"
            )
            ch.add(name, s_limit, t_limit, Severity.ERROR, message)
        elif s_limit == -1 or t_limit < s_limit:
            message = (
                f"{resource} quota lowered from {was} to {t_limit} ({used} used in the source)"
            )
            ch.add(name, s_limit, t_limit, Severity.WARNING, message)
        else:
            message = f"{resource} quota raised from {was} to {t_limit}"
            ch.add(name, s_limit, t_limit, Severity.INFO, message)


def _projects(sources: Sequence[JSON]) -> str:
    return " + ".join(dict.fromkeys(str(s.get("project")) for s in sources))


def limits_fold(field: str, p: Limits, sources: Sequence[JSON], t: JSON, ch: Changes) -> None:
    """Each resource's target limit against the sum of the source projects' usage.

    Below that sum (and not unlimited, -1): error, the merged project cannot hold
    what its source projects had. Below the largest source limit (or limited where
    a source project was unlimited) but enough for the usage: warning. Otherwise
    nothing: a fold's limits are the operator's to choose above the usage.
    """
    t_limits: JSON = t.get(field) or {}
    together = _projects(sources)
    resources = sorted({r for s in sources for r in (s.get(field) or {})})
    for resource in resources:
        name = f"{field}.{resource}"
        if resource not in t_limits:
            ch.add(name, None, None, Severity.INFO, f"has no {resource} quota any more")
            continue
        t_limit = as_int(t_limits[resource])
        if t_limit is None or t_limit == -1:
            continue
        limits_ = [as_int((s.get(field) or {}).get(resource)) for s in sources]
        used = sum(as_int((s.get(p.usage) or {}).get(resource)) or 0 for s in sources)
        if t_limit < used:
            ch.add(
                name,
                used,
                t_limit,
                Severity.ERROR,
                f"{resource} quota is {t_limit}, below the {used} that {together} used together"
                " in the source: the merged project cannot even recreate what they had",
                texts=(f"{used} used by {together}", None),
            )
        elif -1 in limits_:
            ch.add(
                name,
                -1,
                t_limit,
                Severity.WARNING,
                f"{resource} quota is {t_limit}, unlimited before in one of {together}"
                f" ({used} used together)",
                texts=("unlimited", None),
            )
        elif None not in limits_ and t_limit < (largest := max(v or 0 for v in limits_)):
            ch.add(
                name,
                largest,
                t_limit,
                Severity.WARNING,
                f"{resource} quota is {t_limit}, below the {largest} one of {together} had alone"
                f" ({used} used together)",
            )
