"""Two versions' start-up side by side: the CPU of a whole process, interleaved.

    python benchmarks/startup_ab.py OLD NEW [--rounds R] --code "import auditor.app.cli"
    python benchmarks/startup_ab.py OLD NEW [--rounds R] -- -q audit --source a ...

OLD and NEW are git revisions (``9e7abf8``, ``HEAD``) or ``.`` for the working tree,
exported and compiled as ``diff_ab.py`` does. Each round runs ``python -c CODE`` (or
``python -m auditor ARGS``: a whole command, e.g. the 5k audit against a sandbox
``serve_sandbox.py`` serves) once per version, alternating which goes first, and takes
the child's user + system CPU; a first round, not counted, warms the caches. Prints one
JSON line with each version's CPU seconds and their medians. Exit codes of the runs
are not checked (an audit with findings exits 1) but must be the same for both.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_ab import _env, export


def cpu_of(root: Path, argv: list[str], work: Path) -> tuple[float, int]:
    """(user + system CPU seconds, exit code) of ``python ARGV`` with ``root`` first."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, *argv], cwd=work, env=_env(root), capture_output=True, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, done.returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--code", help="python -c CODE instead of python -m auditor ARGS")
    args = parser.parse_args(own)
    if (args.code is None) == (not command):
        parser.error("give either --code CODE or -- AUDITOR_ARGS")
    child = ["-c", args.code] if args.code is not None else ["-m", "auditor", *command]
    with tempfile.TemporaryDirectory(prefix="startup-ab-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        roots = {
            "old": export(args.old, Path(tmp) / "old"),
            "new": export(args.new, Path(tmp) / "new"),
        }
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        codes: dict[str, set[int]] = {"old": set(), "new": set()}
        for index in range(args.rounds + 1):
            for side in ("old", "new") if index % 2 else ("new", "old"):
                seconds, code = cpu_of(roots[side], child, work)
                codes[side].add(code)
                if index:
                    cpu[side].append(round(seconds, 4))
    if codes["old"] != codes["new"]:
        print(f"the versions exit differently: {codes}", file=sys.stderr)
        return 1
    doc: dict[str, object] = {"old": args.old, "new": args.new, "child": child}
    for side in ("old", "new"):
        doc[f"{side}_cpu_s"] = cpu[side]
        doc[f"{side}_cpu_s_median"] = round(statistics.median(cpu[side]), 4)
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
