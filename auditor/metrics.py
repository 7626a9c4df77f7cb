"""``--metrics-file``: the report as Prometheus metrics, for node_exporter's textfile collector.

:func:`render` is a pure function (report and run facts in, text out, built
with prometheus_client's registry and ``generate_latest``, so the labels'
escapes and the exposition format are the client library's own); the CLI
writes the file atomically (mode 0644, renamed into place, so the collector
never reads half a file). Every series is a gauge and every combination of
collection, kind and severity is written, zeros included, so a series does not
vanish when its count drops to nothing and alerts can compare runs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.model import Kind, Report, Severity, Verdict
from auditor.textsafe import printable

if TYPE_CHECKING:
    # prometheus_client is imported when metrics are written (--metrics): a diff without
    # them never loads it (an audit has it already: openstacksdk imports it).
    from prometheus_client import Metric

PREFIX = "auditor_"
LAST_COMPLETE = "auditor_last_complete_run_timestamp_seconds"
_SAMPLE = re.compile(rf"^{LAST_COMPLETE}(?:\{{\}})?\s+(\S+)(?:\s+\S+)?\s*$")


@dataclass(frozen=True)
class RunFacts:
    """What the report does not say about the run itself."""

    duration_s: float
    """Wall-clock seconds of the whole command (inventories and diff)."""
    finished_at: float
    """Unix time the run finished."""
    previous_complete_at: float | None = None
    """``auditor_last_complete_run_timestamp_seconds`` of the previous metrics file, if any."""


def previous_last_complete(text: str) -> float | None:
    """The last complete run's timestamp recorded in an existing metrics file."""
    for line in text.splitlines():
        match = _SAMPLE.match(line.strip())
        if match:
            try:
                value = float(match.group(1))
            except ValueError:
                return None
            return value if math.isfinite(value) else None
    return None


def _label(value: str) -> str:
    # A cloud name is read from a snapshot file: no control character, no lone
    # surrogate (the file must be UTF-8); prometheus_client adds the format's escapes.
    return printable(value, limit=None)


class _Gauges:
    """The run's gauges as plain metric families: no client-side state (a ``Gauge``
    would write files under ``PROMETHEUS_MULTIPROC_DIR`` when that is set)."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def gauge(self, name: str, help_text: str, samples: list[tuple[dict[str, str], float]]) -> None:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(name, help_text, labels=list(samples[0][0]))
        for labels, value in samples:
            family.add_metric(list(map(_label, labels.values())), value)
        self.families.append(family)

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def render(report: Report, run: RunFacts) -> str:
    """The metrics of one run in the Prometheus text exposition format (version 0.0.4)."""
    complete = report.source.complete and report.target.complete
    last_complete = run.finished_at if complete else run.previous_complete_at
    collections = list(report.summary)
    collections += sorted({f.collection for f in report.findings} - set(collections))
    # Waived findings are accepted differences: counted apart, never alerting.
    counts = Counter((f.collection, f.kind, f.severity) for f in report.counted)
    out = _Gauges()
    out.gauge(
        f"{PREFIX}info",
        "The auditor's version and the clouds of the last run.",
        [
            (
                {
                    "version": report.tool_version,
                    "source": report.source.cloud,
                    "source_region": report.source.region or "",
                    "target": report.target.cloud,
                    "target_region": report.target.region or "",
                },
                1,
            )
        ],
    )
    out.gauge(
        f"{PREFIX}findings",
        "Findings of the last run by collection, kind and severity (waived ones apart).",
        [
            ({"collection": c, "kind": k.value, "severity": s.value}, counts[(c, k, s)])
            for c in collections
            for k in Kind
            for s in Severity
        ],
    )
    if report.waivers is not None:
        out.gauge(
            f"{PREFIX}findings_waived",
            "Findings of the last run that a waiver in force accepts (not counted).",
            [({}, report.waivers.waived)],
        )
        out.gauge(
            f"{PREFIX}waivers_expired",
            "Waivers past their expiry date (each one a waiver_expired finding).",
            [({}, report.waivers.expired)],
        )
    items: list[tuple[dict[str, str], float]] = []
    for name in collections:
        summary = report.summary.get(name)
        items += [
            ({"collection": name, "side": "source"}, summary.source if summary else 0),
            ({"collection": name, "side": "target"}, summary.target if summary else 0),
        ]
    out.gauge(f"{PREFIX}collection_items", "Items listed per collection and side.", items)
    out.gauge(
        f"{PREFIX}collection_matched",
        "Source items with a counterpart in the target, per collection.",
        [
            ({"collection": n}, report.summary[n].matched if n in report.summary else 0)
            for n in collections
        ],
    )
    out.gauge(
        f"{PREFIX}collection_complete",
        "1 when the collection was listed completely on both sides, else 0.",
        [
            ({"collection": n}, 1 if n in report.summary and report.summary[n].complete else 0)
            for n in collections
        ],
    )
    out.gauge(
        f"{PREFIX}verdict",
        "1 for the verdict of the last run, 0 for the others.",
        [({"verdict": v.value}, 1 if report.verdict is v else 0) for v in Verdict],
    )
    out.gauge(
        f"{PREFIX}exit_code",
        "Exit code of the last run: 0 verified, 1 discrepancies, 3 incomplete.",
        [({}, report.exit_code)],
    )
    if report.history is not None:
        out.gauge(
            f"{PREFIX}findings_new",
            "Findings of the last run that the previous run did not have.",
            [({}, len(report.history.new))],
        )
        out.gauge(
            f"{PREFIX}findings_resolved",
            "Findings of the previous run gone from the last run.",
            [({}, len(report.history.resolved))],
        )
    out.gauge(
        f"{PREFIX}audit_duration_seconds",
        "Wall-clock seconds of the last run (inventories and diff).",
        [({}, round(run.duration_s, 3))],
    )
    out.gauge(
        f"{PREFIX}last_run_timestamp_seconds",
        "Unix time the last run finished.",
        [({}, round(run.finished_at, 3))],
    )
    if last_complete is not None:
        out.gauge(
            LAST_COMPLETE,
            "Unix time the last run that listed every collection completely finished.",
            [({}, round(last_complete, 3))],
        )
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(out)
    return generate_latest(registry).decode("utf-8")
