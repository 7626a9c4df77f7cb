"""Two clouds served on loopback for reliability tests, and how to audit them.

The source ``cw`` and the target ``ocb`` serve the same synthetic tenants with
the same ids, so an audit without rules matches everything by id: any finding
a test sees comes from the fault it injected, never from the data. Pages are
small (7 items) so every listing of size is walked over several pages and a
fault can hit a page in the middle of a walk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.cli import main
from auditor.model import CollectionResult, Snapshot
from auditor.sandbox import Sandbox, SandboxOptions
from tests.synthetic import synthetic_snapshot

JSON = dict[str, Any]

SOURCE, TARGET = "cw", "ocb"
PAGE = 7
"""Page cap of the served listings."""
SMALL_PAGES = SandboxOptions(max_limit=PAGE)
CORE = ("endpoints", "projects", "servers", "volumes")
VOLATILE = ("taken_at", "duration_s", "auth_url", "tool_version", "microversions")


def source_snapshot() -> Snapshot:
    """The source: 2 domains, 9 projects, 30 servers, 26 volumes, 15 endpoints."""
    return synthetic_snapshot(SOURCE, "fr1", domains=2, projects=9, servers=30, volumes=26)


def renamed(snapshot: Snapshot, cloud: str, **collections: Sequence[JSON]) -> Snapshot:
    """``snapshot`` served as ``cloud``, with some collections' items replaced."""
    changed = dict(snapshot.collections)
    for name, items in collections.items():
        ordered = tuple(sorted(items, key=lambda item: str(item["id"])))
        changed[name] = dataclasses.replace(changed[name], items=ordered)
    return dataclasses.replace(snapshot, cloud=cloud, collections=changed)


def stable(doc: JSON) -> JSON:
    """A snapshot document without what changes from one inventory to the next (when
    each listing ran; what changed meanwhile, which must be nothing here)."""
    out = {k: v for k, v in doc.items() if k not in VOLATILE}
    collections = {}
    for name, listed in (out.get("collections") or {}).items():
        collection = dict(listed)
        collection.pop("listed", None)
        assert not (collection.pop("changes", None) or {}).get("items"), name
        collections[name] = collection
    if "collections" in out:
        out["collections"] = collections
    return out


def assert_nothing_lost_or_duplicated(
    got: JSON, served: Snapshot, names: Sequence[str] | None = None
) -> None:
    """The inventory ``got`` (a snapshot document) is exactly what was served
    (only collections ``names``, when given)."""
    want = stable(served.to_json())
    for name in names or CORE:
        items = got["collections"][name]["items"]
        ids = [item["id"] for item in items]
        assert len(ids) == len(set(ids)), f"{name}: duplicated items"
        wanted = want["collections"][name]["items"]
        assert {i["id"] for i in wanted} - set(ids) == set(), f"{name}: items lost"
        assert items == wanted, name
        assert got["collections"][name]["status"] == "ok", name
    if names is None:
        # An audit's snapshot also holds the usage counters it read for the count
        # cross-check (the sandbox counts them from what it serves): read whole too.
        counters = got.get("counters", {})
        assert all(c["status"] == "ok" for c in counters.values()), counters
        assert stable({k: v for k, v in got.items() if k != "counters"}) == want


@contextlib.contextmanager
def serving(
    tmp_path: Path,
    *snapshots: Snapshot,
    options: SandboxOptions = SMALL_PAGES,
) -> Iterator[Sandbox]:
    """A sandbox serving ``snapshots``; its clouds.yaml is ``tmp_path/clouds.yaml``."""
    with Sandbox(list(snapshots), options=options) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        yield sandbox
        assert sandbox.errors == []


def write_clouds_yaml(path: Path, *sandboxes: Sandbox) -> Path:
    """One clouds.yaml with the profiles of several sandboxes (each with its own options)."""
    clouds: JSON = {}
    for sandbox in sandboxes:
        clouds.update(sandbox.clouds_yaml()["clouds"])
    path.write_text(yaml.safe_dump({"clouds": clouds}), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Run:
    """What one ``auditor`` command did."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def auditor(argv: Sequence[str], capsys: Any) -> Run:
    """Run ``auditor *argv`` in-process, capturing stdout and stderr."""
    capsys.readouterr()
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    captured = capsys.readouterr()
    return Run(code, out.getvalue() + captured.out, captured.err)


AUDIT = ("audit", "--source", SOURCE, "--target", TARGET)
"""The command that audits the served source ``cw`` against the target ``ocb``."""


def audit_argv(clouds: Path, *options: str) -> list[str]:
    """``--os-client-config-file CLOUDS *options audit --source cw --target ocb``."""
    return ["--os-client-config-file", str(clouds), *options, *AUDIT]


def inventory(
    tmp_path: Path,
    capsys: Any,
    *options: str,
    output: Path | str | None = None,
    clouds: Path | None = None,
) -> Run:
    """``auditor inventory --cloud cw`` (common ``options`` first), to ``output`` or stdout."""
    argv = ["--os-client-config-file", str(clouds or tmp_path / "clouds.yaml"), "--no-progress"]
    argv += [*options, "inventory", "--cloud", SOURCE]
    return auditor(argv + (["-o", str(output)] if output is not None else []), capsys)


@dataclass(frozen=True)
class Audit:
    """An ``auditor audit`` run with its report and saved inventories."""

    run: Run
    report: JSON
    source: JSON
    target: JSON

    def findings(self, kind: str | None = None, collection: str | None = None) -> list[JSON]:
        return [
            f
            for f in self.report["findings"]
            if (kind is None or f["kind"] == kind)
            and (collection is None or f["collection"] == collection)
        ]


def audit(tmp_path: Path, capsys: Any, *options: str, clouds: Path | None = None) -> Audit:
    """``auditor audit --source cw --target ocb`` with a JSON report and saved inventories."""
    report = tmp_path / "report.json"
    saved = tmp_path / "inventories"
    run = auditor(
        [
            *audit_argv(clouds or tmp_path / "clouds.yaml", "--no-progress"),
            "--save-inventories",
            str(saved),
            "--format",
            "json",
            "--output",
            str(report),
            *options,
        ],
        capsys,
    )
    assert run.code in (0, 1, 3), run.stderr

    def load(path: Path) -> JSON:
        doc: JSON = json.loads(path.read_text(encoding="utf-8"))
        return doc

    return Audit(run, load(report), load(saved / "source.json"), load(saved / "target.json"))


def result_of(doc: JSON, name: str) -> CollectionResult:
    """One collection of a snapshot document."""
    return Snapshot.from_json(doc, "inventory").collections[name]
