"""Diffing two snapshots: matching, comparators, findings, severities, verdict.

``auditor.diff.compare`` holds what comparators share, one module per family
of collections holds their comparators (``core``: projects, servers, volumes,
endpoints), and ``auditor.diff.engine`` runs the whole diff.
"""

from __future__ import annotations

from auditor.diff.engine import COMPARATORS, Differ, diff

__all__ = ["COMPARATORS", "Differ", "diff"]
