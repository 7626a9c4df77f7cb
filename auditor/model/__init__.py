"""The documents the auditor reads and writes, as frozen dataclasses (no I/O here).

``auditor.model`` re-exports every public name of its modules: :mod:`~auditor.model.enums`
(statuses, severities, kinds, verdicts, schema names), :mod:`~auditor.model.snapshot`,
:mod:`~auditor.model.findings`, :mod:`~auditor.model.report` and
:mod:`~auditor.model.ids` (the stable finding ids).
"""

from auditor.model.enums import (
    IDMAP_SCHEMA,
    INVENTORY_SCHEMA,
    JSON,
    REPORT_SCHEMA,
    Kind,
    Severity,
    Status,
    Verdict,
)
from auditor.model.findings import (
    Change,
    CollectionSummary,
    Finding,
    ProjectScore,
    Ref,
    WaiverNote,
)
from auditor.model.ids import finding_id, ref
from auditor.model.report import (
    FilterNote,
    History,
    ProjectPair,
    Report,
    ResolvedFinding,
    ScopeNote,
    Side,
    WaiverSummary,
)
from auditor.model.snapshot import SCOPE_ADMIN, SCOPE_PROJECT, CollectionResult, Snapshot
from auditor.model.trend import TrendPoint

__all__ = [
    "IDMAP_SCHEMA",
    "INVENTORY_SCHEMA",
    "JSON",
    "REPORT_SCHEMA",
    "SCOPE_ADMIN",
    "SCOPE_PROJECT",
    "Change",
    "CollectionResult",
    "CollectionSummary",
    "FilterNote",
    "Finding",
    "History",
    "Kind",
    "ProjectPair",
    "ProjectScore",
    "Ref",
    "Report",
    "ResolvedFinding",
    "ScopeNote",
    "Severity",
    "Side",
    "Snapshot",
    "Status",
    "TrendPoint",
    "Verdict",
    "WaiverNote",
    "WaiverSummary",
    "finding_id",
    "ref",
]
