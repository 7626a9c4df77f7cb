"""Diffing two snapshots: matching, the catalog's compare policies, findings, verdict.

:mod:`~auditor.diff.checks` compiles each field's compare policy into a check
(:mod:`~auditor.diff.changes` is what they report to), :mod:`~auditor.diff.engine`
runs the whole diff (:mod:`~auditor.diff.residue`, :mod:`~auditor.diff.verdict`,
:mod:`~auditor.diff.scorecard` beside it), :mod:`~auditor.diff.outcome` adds
mergers, scope and waivers.
"""

from __future__ import annotations

from auditor.diff.engine import Differ, diff

__all__ = ["Differ", "diff"]
