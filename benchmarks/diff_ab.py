"""Two versions of the diff side by side: CPU seconds interleaved, or instructions.

    python benchmarks/diff_ab.py OLD NEW [--servers N] [--rounds R]
    python benchmarks/diff_ab.py OLD NEW --instructions [--servers 2000]

OLD and NEW are git revisions of this repository (``8f08c5e``, ``HEAD``) or
``.`` for the working tree; each one's ``auditor/`` is exported to a temporary
directory. The default mode runs ``benchmarks/diff_cpu.py SERVERS`` once per
version per round, alternating which goes first, and prints each version's
median CPU seconds of the diff: on a machine others use too, only versions
measured in the same minutes compare. ``--instructions`` counts instead, with
valgrind's callgrind, the instructions of one diff of ``generate(servers=N)``
(a run that diffs, minus one that only generates): a count that does not move
with the machine's load (within about 0.1 %), at some 50 times the run time.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.rules import parse_rules
source, target = generate(servers=int(sys.argv[1]))
if sys.argv[2] == "diff":
    diff(source, target, parse_rules(RULES, "rules.yaml"))
"""


def export(revision: str, into: Path) -> Path:
    """The ``auditor/`` package of ``revision`` (``.``: the working tree) under ``into``."""
    into.mkdir(parents=True)
    if revision == ".":
        subprocess.run(["cp", "-r", str(ROOT / "auditor"), str(into)], check=True)
    else:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "auditor"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    # Compiled once here, so that no measured run compiles a module.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into)], check=True)
    return into


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    env["PYTHONHASHSEED"] = "0"
    return env


def cpu_seconds(root: Path, servers: int, work: Path) -> float:
    """``diff_cpu.py``'s CPU seconds, run from ``work`` (not the tree) with ``root`` first."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "diff_cpu.py"), str(servers)],
        cwd=work,
        env=_env(root),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(done.stdout.splitlines()[-1])["cpu_s"])


def instructions(root: Path, servers: int, what: str, work: Path) -> int:
    """Instructions callgrind counts in a run that generates (and, ``what="diff"``, diffs)."""
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(
        [*valgrind, sys.executable, "-c", CHILD, str(servers), what],
        cwd=work,
        env=_env(root),
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count: {done.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--servers", type=int)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roots = {
            "old": export(args.old, work / "old"),
            "new": export(args.new, work / "new"),
        }
        doc: dict[str, object] = {"old": args.old, "new": args.new}
        if args.instructions:
            servers = args.servers or 2000
            for side, root in roots.items():
                total = instructions(root, servers, "diff", work)
                doc[f"{side}_diff_instructions"] = total - instructions(root, servers, "-", work)
        else:
            servers = args.servers or 20_000
            runs: dict[str, list[float]] = {"old": [], "new": []}
            for i in range(args.rounds):
                for side in ("old", "new") if i % 2 == 0 else ("new", "old"):
                    runs[side].append(cpu_seconds(roots[side], servers, work))
            for side, seconds in runs.items():
                doc[f"{side}_cpu_s_median"] = statistics.median(seconds)
                doc[f"{side}_cpu_s"] = seconds
        doc["servers"] = servers
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
