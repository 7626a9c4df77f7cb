"""Where the CPU of one audit goes, phase by phase, in process (issue 19).

    python benchmarks/audit_phases.py --clouds-yaml FILE --rules RULES [--runs 3]

Against two clouds another process serves (``benchmarks/serve_sandbox.py``, the
benchmark's ``cloudwatt`` and ``ocb``), it runs ``auditor audit --no-cross-check``
through :func:`auditor.app.cli.main` (in process: the command line's exit, which ends
the process, is not taken) with each phase wrapped to add up the CPU of the thread it
runs in (``time.thread_time``): the imports, the connections, the token and version
discovery, the listings and what they hold (HTTP, decoding, normalising), the diff,
the report, and what follows it (freeing what the command built: in process ``main``
lets go of it, which the command line's own exit does not). Phases nest (the
listings hold the decoding), and a phase that runs in several threads adds them up.
Each run is a process of its own; prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import collections, functools, json, sys, threading, time
t0 = time.process_time()
import auditor.app.cli as cli
import auditor.app.commands.audit as cmd
import auditor.audit as au
import auditor.collect.decode as dec
import auditor.collect.http as http
import auditor.collect.normalise as nm
import auditor.collect.pager as pager
import auditor.collect.run as run
import auditor.diff.engine as eng
imports = time.process_time() - t0
spent = collections.Counter()
lock = threading.Lock()

def wrap(owner, name, label):
    original = getattr(owner, name)
    @functools.wraps(original)
    def timed(*args, **kwargs):
        began = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            with lock:
                spent[label] += time.thread_time() - began
    setattr(owner, name, timed)

wrap(au, "open_inventory", "connect")
wrap(run, "authenticate", "token")
wrap(run.Runner, "negotiate", "version discovery (and its proxies)")
wrap(run.Runner, "proxy", "service proxies")
wrap(pager.Pager, "list", "listings")
wrap(http.BulkGet, "get", "listings: HTTP")
wrap(dec.PageDecoder, "decode", "listings: decoding")
wrap(nm, "normalise_items", "listings: normalising")
run.normalise_items = nm.normalise_items
wrap(eng.Differ, "run", "diff")
wrap(cmd, "read_rules", "rules")
wrap(cmd, "finish_report", "report")
marks = {}
original_finish = cmd.finish_report
def finish(*args, **kwargs):
    try:
        return original_finish(*args, **kwargs)
    finally:
        marks["reported"] = time.process_time()
cmd.finish_report = finish
code = cli.main(sys.argv[1:])
total = time.process_time()
phases = {k: round(v, 4) for k, v in spent.most_common()}
# In process, main lets go of what the command built once it returns: the CPU that
# the command line's own exit saves.
phases["after the report: freeing"] = round(total - marks["reported"], 4)
out = {"exit": code, "process_cpu_s": round(total, 4), "imports_s": round(imports, 4)}
print(json.dumps({**out, "phases_s": phases}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="audit-phases-") as tmp:
        audit = [
            *("--os-client-config-file", str(Path(args.clouds_yaml).resolve())),
            *("--no-progress", "-q", "audit", "--source", "cloudwatt", "--target", "ocb"),
            *("--no-cross-check", "--rules", str(Path(args.rules).resolve())),
            *("--format", "json", "--output", str(Path(tmp) / "report.json")),
        ]
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, *audit],
                capture_output=True,
                text=True,
                check=False,
            )
            if not done.stdout.strip():
                print(done.stderr, file=sys.stderr)
                return 1
            print(done.stdout.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
