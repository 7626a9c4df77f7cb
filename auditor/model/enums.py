"""The closed choices of the documents (statuses, severities, kinds, verdicts) and their
schema names."""

from __future__ import annotations

import enum
from typing import Any

INVENTORY_SCHEMA = "auditor.inventory/v1"
REPORT_SCHEMA = "auditor.report/v1"
IDMAP_SCHEMA = "auditor.idmap/v1"

JSON = dict[str, Any]
"""A JSON object as the documents hold it (normalised items, parsed documents)."""


class Status(str, enum.Enum):
    """How completely a collection was listed."""

    OK = "ok"
    """Every page was listed."""
    INCOMPLETE = "incomplete"
    """Some items were listed, but the service cut the list (Keystone ``truncated``)."""
    ERROR = "error"
    """The listing failed after retries; the items are not to be trusted as a whole."""
    NOT_OFFERED = "not_offered"
    """The cloud's catalog has no endpoint of the (optional) collection's service: it has
    none of these items, by design. Complete, with no items."""


class Severity(str, enum.Enum):
    """How much a finding matters; ``--fail-on`` compares against it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for info."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Kind(str, enum.Enum):
    """What a finding says."""

    MISSING = "missing"
    """In the source, no counterpart in the target."""
    UNEXPECTED = "unexpected"
    """In-scope target resource with no source."""
    CHANGED = "changed"
    """Matched, but with different substance."""
    AMBIGUOUS = "ambiguous"
    """Several candidates for one key: no silent pick."""
    CONFLICT = "conflict"
    """Multi-source mergers: one target item is the counterpart of items of two sources."""
    RESIDUE = "residue"
    """Old-brand string left in a target name, description, URL or metadata."""
    INCOMPLETE = "incomplete"
    """A collection could not be listed completely on one side."""
    WAIVER_EXPIRED = "waiver_expired"
    """A waiver of the ``--waivers`` file is past its expiry date."""
    COUNT_MISMATCH = "count_mismatch"
    """A service's own usage counter of a project disagrees with what was listed."""
    IN_FLUX = "in_flux"
    """A difference explained by a change inside a cloud's audit window (deleted in the
    source, created in the target, changed after its listing)."""


class Verdict(str, enum.Enum):
    """The audit's conclusion."""

    VERIFIED = "verified"
    DISCREPANCIES = "discrepancies"
    INCOMPLETE = "incomplete"
