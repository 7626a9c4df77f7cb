"""The benchmark harness at a tiny size, through the same code path as a real run.

No timing is asserted (the script measures time; tests only check it still
runs): a broken benchmark fails here rather than on the day someone reruns it.
openstackclient and matplotlib are optional extras (``.[bench]``): without
them the harness says "not installed" and skips the plot.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


def test_the_harness_measures_every_tool_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "90", "--runs", "1"]
    argv += ["--tools", "floor,auditor,auditor-cc,sdk", "--diff-servers", "90", "--no-plot"]
    argv += ["--output-dir", str(out), "--work-dir", str(tmp_path / "work")]
    env = {k: v for k, v in os.environ.items() if k not in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE")}
    done = subprocess.run(
        argv, check=False, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]

    doc = json.loads((out / "benchmark.json").read_text())
    row = doc["results"]["90"]
    for tool in ("floor", "auditor", "auditor-cc", "sdk"):
        cell = row["tools"][tool]
        assert cell["skipped"] is None
        (run,) = cell["runs"]
        # Every tool saw both clouds whole: 90 servers and 135 volumes each.
        assert run["items"] == {"servers": 180, "volumes": 270}, tool
        assert run["seconds"] > 0 and run["rss_mb"] > 0 and run["requests"] > 0
        # Read-only: the token requests are the only non-GET requests.
        assert run["non_get"] == 2, tool
    # Without the count cross-check the auditor asks for the floor's pages plus a
    # constant (discovery...); the cross-check adds exactly its usage counters: Nova's
    # and Cinder's quota set of each project of each cloud, nothing per item.
    floor, nocc, auditor = (
        row["tools"][t]["runs"][0]["requests"] for t in ("floor", "auditor", "auditor-cc")
    )
    assert floor <= nocc <= floor + 20
    served = [tmp_path / "work" / "n90" / f"{cloud}.json" for cloud in ("cloudwatt", "ocb")]
    projects = sum(json.loads(p.read_text())["collections"]["projects"]["count"] for p in served)
    counters = 2 * projects
    assert floor + counters <= auditor <= floor + 20 + counters
    assert doc["diff_cpu"]["items_per_side"] > 0
    table = (out / "benchmark.md").read_text()
    assert "| 90 |" in table and "auditor / floor" in table
    assert "auditor / floor (CPU)" in table and "auditor peak RSS MiB" in table


def test_the_floor_lists_what_the_inventory_lists() -> None:
    """Same paths, item keys and first-page queries as the auditor's core listings."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import floor
    finally:
        sys.path.remove(str(BENCHMARKS))
    from auditor.catalog import registry

    requests = {}
    for name in registry.core():
        c = registry.spec(name)
        for r in (*c.requests, *c.needs({"compute": "2.96"}), *c.enriched_by):
            requests[r.key] = r
    expected = [(r.service, r.path, r.items, r.params) for r in requests.values()]
    assert sorted(floor.LISTINGS, key=repr) == sorted(expected, key=repr)


def test_the_swift_objects_benchmark_proves_and_names_at_a_small_size(tmp_path: Path) -> None:
    """benchmarks/swift_objects.py at 1,500 objects (two pages of the deep listing, past
    the kept rows): equal containers proved by digest, a lost object named."""
    argv = [sys.executable, str(BENCHMARKS / "swift_objects.py"), "--sizes", "1500"]
    argv += ["--runs", "1", "--work-dir", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if k not in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE")}
    done = subprocess.run(
        argv, check=False, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [(r["mode"], r["exit"], r.get("proved")) for r in rows] == [
        ("default", 0, None),
        ("objects", 0, True),
        ("differ", 1, True),
    ]


def test_the_saved_snapshots_diff_benchmark_reads_diffs_and_runs_the_command(
    tmp_path: Path,
) -> None:
    argv = [sys.executable, str(BENCHMARKS / "diff_files.py"), "60", "--work-dir", str(tmp_path)]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    # The seeded defects, found alike by the diff of what was read and by the command.
    assert doc["diff_findings"] == doc["command_findings"] > 0
    assert doc["items_per_side"] > 60
    for key in ("read_cpu_s", "read_loads_cpu_s", "read_shape_cpu_s", "checker_cpu_s"):
        assert doc[key] > 0, key
    for key in ("diff_cpu_s", "command_cpu_s"):
        assert doc[key] > 0, key
    assert doc["command_cpu_s"] > doc["diff_cpu_s"]
    assert {p.name for p in tmp_path.iterdir()} >= {"source.json", "target.json", "rules.yaml"}


def test_the_snapshot_io_benchmark_writes_and_reads_as_before() -> None:
    argv = [sys.executable, str(BENCHMARKS / "snapshot_io.py"), "60", "--runs", "1"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert doc["items"] > 60
    for key in ("write_cpu_s", "write_json_dumps_cpu_s", "read_cpu_s"):
        assert doc[key] > 0, key
    assert doc["read_loads_and_checker_cpu_s"] > 0


def test_the_ab_benchmark_measures_two_versions_in_turn() -> None:
    argv = [sys.executable, str(BENCHMARKS / "diff_ab.py"), "HEAD", ".", "--servers", "60"]
    argv += ["--rounds", "3"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert (doc["old"], doc["new"], doc["servers"]) == ("HEAD", ".", 60)
    for side in ("old", "new"):
        assert len(doc[f"{side}_cpu_s"]) == 3
        assert doc[f"{side}_cpu_s_median"] > 0


def test_the_startup_ab_benchmark_runs_a_command_under_two_versions() -> None:
    argv = [sys.executable, str(BENCHMARKS / "startup_ab.py"), "HEAD", ".", "--rounds", "2"]
    argv += ["--", "schema", "idmap"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert (doc["old"], doc["new"], doc["child"]) == (
        "HEAD",
        ".",
        ["-m", "auditor", "schema", "idmap"],
    )
    for side in ("old", "new"):
        assert len(doc[f"{side}_cpu_s"]) == 2
        assert doc[f"{side}_cpu_s_median"] > 0


def _script(name: str) -> Any:
    """A script of benchmarks/ imported as a module (its own imports found there too)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def _against_a_sandbox(tmp_path: Path, benchmark: str, args: list[str]) -> int:
    """``main`` of benchmarks/``benchmark``.py run against a sandbox of cloud ``cw``."""
    module = _script(benchmark)
    from tests.reliability.world import serving, source_snapshot

    with serving(tmp_path, source_snapshot()):
        code: int = module.main(["cw", "--clouds-yaml", str(tmp_path / "clouds.yaml"), *args])
    return code


def test_the_bulk_get_benchmark_measures_big_and_small_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--rounds", "1", "--pages", "2", "--small", "3"]
    assert _against_a_sandbox(tmp_path, "bulk_get", args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["big_pages"] >= 1 and doc["big_bytes"] > 0
    assert doc["big_cpu_us"] > 0 and doc["small_cpu_us"] > 0


def test_the_normalise_fields_benchmark_times_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.catalog import registry

    assert _against_a_sandbox(tmp_path, "normalise_fields", ["--runs", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for name in ("servers", "volumes"):
        assert doc["items"][name] > 0
        assert doc[f"{name}_builder_us"] > 0
        assert set(doc[f"{name}_fields_us"]) == {f.name for f in registry.spec(name).fields}


def test_the_struct_benchmark_lists_both_ways_to_the_same_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _against_a_sandbox(tmp_path, "struct_cpu", ["--runs", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for name in ("servers", "volumes"):
        assert doc[name]["items"] > 0
        assert doc[name]["dicts"] > 0 and doc[name]["structs"] > 0
