"""``--objects`` on big Swift containers: wall time and peak RSS of the audit.

    python benchmarks/swift_objects.py                  # N = 10k, 100k, 300k objects
    python benchmarks/swift_objects.py --sizes 100k --runs 3

For each N, a source and a target cloud each hold one project with one
container of N objects (and an empty one), served by the auditor's sandbox
(``benchmarks/serve_sandbox.py``, a process of its own), which makes the
objects up page by page (``object-<index>``, the MD5 of the name as ETag, a
share of the bytes): both clouds list the same N objects. Then, in a
subprocess each:

* ``auditor audit --collections projects,containers``: the default mode, the
  counts and bytes from the containers' headers;
* the same with ``--objects``: every object listed (10,000 a page, by marker)
  on both sides, digested, compared;
* ``--objects`` against a third cloud whose container lost its last object:
  the digests differ, so both containers are listed again and merged, and the
  report must name the lost object (exit 1).

It checks that the deep audit verified (exit 0) with both snapshots holding the
N objects' digest and no object row, and prints one JSON line per run and a
Markdown table of the medians: wall seconds, CPU seconds and peak RSS
(``ru_maxrss`` of the audit process, from ``wait4``), and the requests the
sandbox answered.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
JSON = dict[str, Any]


LABELS = {
    "default": "default",
    "objects": "`--objects`, equal",
    "differ": "`--objects`, one object lost",
}


def _size(text: str) -> int:
    text = text.strip().lower()
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def snapshot(cloud: str, objects: int, lost: int = 0) -> JSON:
    """One project with a container of ``objects`` made-up objects, and an empty one."""
    project_id = f"{cloud}-project"
    project = {
        "id": project_id,
        "name": "acme",
        "domain": "Default",
        "domain_id": "default",
        "enabled": True,
        "description": "",
        "tags": [],
        "parent": None,
    }

    def container(name: str, count: int) -> JSON:
        return {
            "id": f"{project_id}/{name}",
            "name": name,
            "project": "acme",
            "project_id": project_id,
            "domain": "Default",
            "object_count": count,
            "bytes_used": count * 1000 + 7 if count else 0,
            "storage_policy": "Policy-0",
            "read_acl": None,
            "write_acl": None,
            "versions_location": None,
            "history_location": None,
            "versions_enabled": None,
            "sync_to": None,
            "metadata": {},
            "objects": None,
        }

    items = [container("big", objects), container("empty", 0)]
    if lost:
        # The same made-up objects but the last ``lost``: the bytes share out alike.
        items[0]["object_count"] = objects - lost
        items[0]["bytes_used"] = (objects - lost) * 1000 + 7
    return {
        "schema": "auditor.inventory/v1",
        "tool_version": "0",
        "cloud": cloud,
        "region": None,
        "taken_at": "2026-12-06T00:00:00Z",
        "collections": {
            "projects": {"status": "ok", "count": 1, "items": [project]},
            "containers": {"status": "ok", "count": len(items), "items": items},
        },
    }


def measured(argv: list[str], env: dict[str, str]) -> tuple[int, float, float, float]:
    """(exit code, wall s, CPU s, peak RSS MiB) of one subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB.
    return code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def one_size(n: int, runs: int, work: Path) -> list[JSON]:
    directory = work / f"n{n}"
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for cloud, lost in (("cloudwatt", 0), ("ocb", 0), ("ocb-lost", 1)):
        path = directory / f"{cloud}.json"
        path.write_text(json.dumps(snapshot(cloud, n, lost)), encoding="utf-8")
        paths.append(str(path))
    clouds = directory / "clouds.yaml"
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "benchmarks" / "serve_sandbox.py"),
            *paths,
            "--clouds-yaml",
            str(clouds),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    out: list[JSON] = []
    try:
        ready = server.stdout.readline()
        if not ready.startswith("ready "):
            raise SystemExit(f"the sandbox did not start: {ready!r}")
        env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
        base = [sys.executable, "-m", "auditor", "-q", "--no-progress", "audit"]
        for run in range(runs):
            for mode in ("default", "objects", "differ"):
                saved = directory / f"{mode}-{run}"
                argv = [
                    *base,
                    "--source",
                    "cloudwatt",
                    "--target",
                    "ocb-lost" if mode == "differ" else "ocb",
                    "--collections",
                    "projects,containers",
                    "--format",
                    "json",
                    "--output",
                    str(directory / "report.json"),
                    "--save-inventories",
                    str(saved),
                    *([] if mode == "default" else ["--objects"]),
                ]
                server.stdin.write("count\n")
                server.stdin.flush()
                server.stdout.readline()  # reset the request count
                code, wall, cpu, rss = measured(argv, env)
                server.stdin.write("count\n")
                server.stdin.flush()
                requests = json.loads(server.stdout.readline())
                row = {
                    "objects": n,
                    "mode": mode,
                    "run": run,
                    "exit": code,
                    "wall_s": round(wall, 2),
                    "cpu_s": round(cpu, 2),
                    "peak_rss_mib": round(rss, 1),
                    "requests": requests["total"],
                    "non_get": requests["non_get"],
                }
                if mode == "objects":
                    row["proved"] = _proved(saved, n)
                if mode == "differ":
                    row["proved"] = _named(directory / "report.json", n)
                print(json.dumps(row), flush=True)
                out.append(row)
    finally:
        if server.stdin is not None and not server.stdin.closed:
            server.stdin.write("quit\n")
            server.stdin.close()
        server.wait(timeout=30)
    return out


def _proved(saved: Path, n: int) -> bool:
    """Both snapshots hold the big container's N objects as a digest (no rows), equal."""
    digests = []
    for side in ("source", "target"):
        doc = json.loads((saved / f"{side}.json").read_text(encoding="utf-8"))
        (big,) = [i for i in doc["collections"]["containers"]["items"] if i["name"] == "big"]
        objects = big["objects"]
        if objects["count"] != n or objects["rows"] is not None:
            return False
        digests.append(objects["digest"])
    return bool(digests[0] == digests[1])


def _named(report: Path, n: int) -> bool:
    """The report names the one lost object of the big container, and nothing else."""
    doc = json.loads(report.read_text(encoding="utf-8"))
    messages = [
        c["message"]
        for f in doc["findings"]
        if f["collection"] == "containers"
        for c in f.get("changes", [])
        if c["field"] == "objects"
    ]
    return messages == [f"lost object 'object-{n - 1:09d}'"]


def table(rows: list[JSON]) -> str:
    lines = [
        "| objects | mode | exit | wall s | CPU s | peak RSS MiB | requests |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    keys = sorted({(r["objects"], r["mode"]) for r in rows})
    for n, mode in keys:
        runs = [r for r in rows if (r["objects"], r["mode"]) == (n, mode)]
        codes = sorted({r["exit"] for r in runs})

        def median(key: str, runs: list[JSON] = runs) -> float:
            return float(statistics.median(r[key] for r in runs))

        lines.append(
            f"| {n:,} | {LABELS[mode]}"
            f" | {','.join(map(str, codes))} | {median('wall_s'):.2f} | {median('cpu_s'):.2f}"
            f" | {median('peak_rss_mib'):.0f} | {median('requests'):.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,300k", help="objects in the container")
    parser.add_argument("--runs", type=int, default=3, help="runs per size and mode")
    parser.add_argument("--work-dir", help="keep the snapshots and inventories here")
    args = parser.parse_args(argv)
    sizes = [_size(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="auditor-swift-bench-") as tmp:
        work = Path(args.work_dir) if args.work_dir else Path(tmp)
        rows = [row for n in sizes for row in one_size(n, args.runs, work)]
    print(table(rows))
    deep = [r for r in rows if r["mode"] != "default"]
    expected = {"objects": 0, "differ": 1}
    failed = [
        r
        for r in deep
        if r["exit"] != expected[r["mode"]] or not r["proved"] or r["non_get"] > 2 * 2
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
