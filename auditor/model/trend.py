"""The trend over a history directory's runs: one point per kept report."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model.codec import Record
from auditor.model.enums import Severity


@dataclass(frozen=True)
class TrendPoint(Record):
    """One run of a history: its findings by severity and how much was matched."""

    generated_at: str
    """``generated_at`` of the run's report."""
    error: int
    """Error findings counted (waived ones are not)."""
    warning: int
    info: int
    matched: int
    """Source items with a counterpart, over every collection."""
    source: int
    """Source items, over every collection."""

    def count(self, severity: Severity) -> int:
        return {Severity.ERROR: self.error, Severity.WARNING: self.warning}.get(severity, self.info)

    @property
    def matched_ratio(self) -> float | None:
        """``matched / source``, None when the source had nothing."""
        return self.matched / self.source if self.source else None
