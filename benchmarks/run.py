"""Benchmark: the auditor against the API's own floor, openstacksdk and openstackclient.

For each size N it generates a source and a target cloud (N servers, 1.5 N
volumes, N/20 projects, with the demo's seeded defects), serves both from the
auditor's sandbox in a process of its own, and times, each in its own
subprocess and interleaved run by run:

* ``floor``: sequential raw JSON paging of the auditor's listings
  (``benchmarks/floor.py``: requests + ``response.json()``, nothing else);
* ``auditor``: ``auditor audit --no-cross-check`` end to end (two inventories, diff,
  JSON report): the floor's listings, no more;
* ``auditor-cc`` (only when named in ``--tools``): the same with the count cross-check
  (on by default in ``audit``), to see what its usage counters cost;
* ``sdk``: openstacksdk resource listing (``benchmarks/sdk_list.py``);
* ``osc``: python-openstackclient, ``openstack server list --all-projects
  --long -f json`` and friends, four commands per cloud.

It reports medians, ratios, peak RSS (``wait4``'s ``ru_maxrss`` of each
client process) and the requests the sandbox answered, as a Markdown table,
a JSON file and a PNG plot (when matplotlib is installed). Slow tools are
skipped at the sizes where one run would take longer than
``--max-run-seconds`` (predicted linearly from the previous size); the table
says so. See docs/performance.md.

    python benchmarks/run.py            # the full run (~20 minutes on 2 cores)
    python benchmarks/run.py --quick    # N = 1k, 5k, one run: seconds to a minute
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCE, TARGET = "cloudwatt", "ocb"
"""The cloud names of :func:`auditor.demo.data.generate`."""

TOOLS = ("floor", "auditor", "sdk", "osc")
EXTRA_TOOLS = ("auditor-cc",)
"""Tools run only when ``--tools`` names them."""
LABELS = {
    "floor": "raw JSON floor (sequential)",
    "auditor": "auditor audit (end to end)",
    "auditor-cc": "auditor audit (cross-check)",
    "sdk": "openstacksdk resources",
    "osc": "openstackclient",
}
SLOW_TOOLS = ("sdk", "osc")
"""Tools that may be skipped at large sizes (their time is predicted first)."""

OSC_COMMANDS = (
    ("server", "list", "--all-projects", "--long"),
    ("volume", "list", "--all-projects", "--long"),
    ("project", "list"),
    ("endpoint", "list"),
)


def parse_size(text: str) -> int:
    """``"5k"`` -> 5000, ``"120"`` -> 120."""
    text = text.strip().lower()
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


@dataclass
class Run:
    """One run of one tool at one size."""

    seconds: float
    cpu_s: float
    """User + system CPU seconds of the client process(es)."""
    rss_mb: float
    requests: int
    non_get: int
    items: dict[str, int] = field(default_factory=dict)


LOAD: dict[int, list[float]] = {}
"""Size -> the machine's 1-minute load averages seen at each run (other jobs inflate wall times)."""


@dataclass
class Cell:
    """Every run of one tool at one size, or why there is none."""

    runs: list[Run] = field(default_factory=list)
    skipped: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(r.seconds for r in self.runs) if self.runs else None

    def to_json(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "median_s": self.median,
            "runs": [vars(r) for r in self.runs],
        }


# -- processes ------------------------------------------------------------------


def _measure(
    argv: list[str], env: dict[str, str], out_path: str
) -> tuple[int, float, float, float]:
    """Run ``argv`` to its end: exit code, wall seconds, CPU seconds, peak RSS in MiB."""
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB.
    cpu = usage.ru_utime + usage.ru_stime
    return process.returncode, seconds, cpu, usage.ru_maxrss / 1024


def _failure(argv: list[str], code: int, out_path: str) -> RuntimeError:
    with open(out_path + ".err", encoding="utf-8", errors="replace") as handle:
        tail = handle.read()[-2000:]
    return RuntimeError(f"{' '.join(argv[:4])}... exited {code}:\n{tail}")


class SandboxProcess:
    """``benchmarks/serve_sandbox.py`` in a subprocess: start, count requests, stop."""

    def __init__(
        self, python: str, snapshots: list[str], clouds_yaml: str, latency_ms: float = 0.0
    ) -> None:
        argv = [python, os.path.join(HERE, "serve_sandbox.py"), *snapshots]
        self.process = subprocess.Popen(
            [*argv, "--clouds-yaml", clouds_yaml, "--latency", str(latency_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        line = self._read()
        if not line.startswith("ready "):
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.url = line.split(" ", 1)[1]

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox exited ({self.process.wait()})")
        return line.strip()

    def counts(self) -> dict[str, Any]:
        """Requests answered since the last call."""
        assert self.process.stdin is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        result: dict[str, Any] = json.loads(self._read())
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- the tools ---------------------------------------------------------------------


@dataclass
class Context:
    python: str
    openstack: str | None
    workdir: str
    clouds_yaml: str
    rules: str
    sandbox: SandboxProcess

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OS_CLIENT_CONFIG_FILE"] = self.clouds_yaml
        env.pop("OS_CLOUD", None)
        return env


def run_tool(tool: str, ctx: Context) -> Run:
    """One run of ``tool`` against the sandbox: time, memory, requests, items seen."""
    ctx.sandbox.counts()  # forget anything earlier
    out = os.path.join(ctx.workdir, f"{tool}.out")
    report = os.path.join(ctx.workdir, "report.json")
    if tool == "osc":
        return _run_osc(ctx, out)
    if tool == "floor":
        argv = [ctx.python, os.path.join(HERE, "floor.py"), "--clouds-yaml", ctx.clouds_yaml]
        argv += [SOURCE, TARGET]
    elif tool == "sdk":
        argv = [ctx.python, os.path.join(HERE, "sdk_list.py"), "--clouds-yaml", ctx.clouds_yaml]
        argv += [SOURCE, TARGET]
    elif tool in ("auditor", "auditor-cc"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(report)
        argv = [ctx.python, "-m", "auditor", "--os-client-config-file", ctx.clouds_yaml]
        argv += ["--no-progress", "-q", "audit", "--source", SOURCE, "--target", TARGET]
        # auditor: the listings the floor makes, no more; the count cross-check (issue 22,
        # auditor-cc) asks usage counters per project, requests the floor does not make.
        argv += [] if tool == "auditor-cc" else ["--no-cross-check"]
        argv += ["--rules", ctx.rules, "--format", "json", "--output", report]
    else:
        raise ValueError(tool)
    code, seconds, cpu, rss = _measure(argv, ctx.env, out)
    # The example target carries seeded defects: the audit exits 1 (discrepancies),
    # which a crash shares: the report must be there too.
    audit = tool in ("auditor", "auditor-cc")
    ok = code == 0 or (audit and code == 1 and os.path.exists(report))
    if not ok:
        raise _failure(argv, code, out)
    counts = ctx.sandbox.counts()
    items = _items(tool, out, ctx)
    return Run(seconds, cpu, rss, counts["total"], counts["non_get"], items)


def _items(tool: str, out: str, ctx: Context) -> dict[str, int]:
    """Servers and volumes each tool saw, both clouds together (a sanity check)."""
    if tool in ("auditor", "auditor-cc"):
        with open(os.path.join(ctx.workdir, "report.json"), encoding="utf-8") as handle:
            summary = json.load(handle)["summary"]
        return {
            "servers": summary["servers"]["source"] + summary["servers"]["target"],
            "volumes": summary["volumes"]["source"] + summary["volumes"]["target"],
        }
    with open(out, encoding="utf-8") as handle:
        doc = json.load(handle)
    if tool == "sdk":
        clouds = doc["clouds"].values()
        return {k: sum(c[k] for c in clouds) for k in ("servers", "volumes")}
    counted: dict[str, int] = {}
    for cloud in doc["clouds"].values():
        for listing in cloud["listings"]:
            key = listing["key"]
            if key in ("servers", "volumes"):
                counted[key] = counted.get(key, 0) + listing["items"]
    return counted


def _run_osc(ctx: Context, out: str) -> Run:
    assert ctx.openstack is not None
    total = cpu = rss = 0.0
    items = {"servers": 0, "volumes": 0}
    for cloud in (SOURCE, TARGET):
        for command in OSC_COMMANDS:
            argv = [ctx.openstack, "--os-cloud", cloud, *command, "-f", "json"]
            code, seconds, used, peak = _measure(argv, ctx.env, out)
            if code != 0:
                raise _failure(argv, code, out)
            total += seconds
            cpu += used
            rss = max(rss, peak)
            if command[0] in ("server", "volume"):
                with open(out, encoding="utf-8") as handle:
                    items[f"{command[0]}s"] += len(json.load(handle))
    counts = ctx.sandbox.counts()
    return Run(total, cpu, rss, counts["total"], counts["non_get"], items)


# -- data ----------------------------------------------------------------------------


def prepare(n: int, directory: str, python: str) -> tuple[list[str], str]:
    """Source and target snapshot files of size ``n`` (cached), and the rules file."""
    os.makedirs(directory, exist_ok=True)
    paths = [os.path.join(directory, f"{name}.json") for name in (SOURCE, TARGET)]
    rules = os.path.join(directory, "rules.yaml")
    if not all(os.path.exists(p) for p in [*paths, rules]):
        # In a subprocess: the generator's memory is not the harness's.
        code = (
            "import sys\n"
            "from auditor.demo.data import RULES, generate\n"
            "src, tgt = generate(servers=int(sys.argv[1]))\n"
            "for snap, path in ((src, sys.argv[2]), (tgt, sys.argv[3])):\n"
            "    open(path, 'w', encoding='utf-8').write(snap.dumps())\n"
            "open(sys.argv[4], 'w', encoding='utf-8').write(RULES)\n"
        )
        subprocess.run([python, "-c", code, str(n), *paths, rules], check=True, cwd=ROOT)
    return paths, rules


def diff_cpu(python: str, servers: int) -> dict[str, Any]:
    """CPU seconds of the diff of two generated clouds (``benchmarks/diff_cpu.py``)."""
    result = subprocess.run(
        [python, os.path.join(HERE, "diff_cpu.py"), str(servers)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# -- the run ---------------------------------------------------------------------------


def _predict(results: dict[int, dict[str, Cell]], tool: str, n: int) -> float | None:
    """Seconds one run of ``tool`` would take at ``n``, from the largest size measured."""
    measured = [(m, c[tool].median) for m, c in results.items() if c[tool].median is not None]
    if not measured:
        return None
    m, seconds = max(measured)
    assert seconds is not None
    return seconds * n / m


def bench_size(
    n: int, args: argparse.Namespace, results: dict[int, dict[str, Cell]], log: TextIO
) -> dict[str, Cell]:
    directory = os.path.join(args.work_dir, f"n{n}")
    snapshots, rules = prepare(n, directory, args.python)
    clouds_yaml = os.path.join(directory, "clouds.yaml")
    cells = {tool: Cell() for tool in args.tools}
    runs = args.runs if n < args.few_runs_from else max(1, args.runs // 2)
    for tool in args.tools:
        if tool == "osc" and args.openstack is None:
            cells[tool].skipped = "not installed"
        elif tool in SLOW_TOOLS:
            predicted = _predict(results, tool, n)
            if predicted is not None and predicted > args.max_run_seconds:
                cells[tool].skipped = f"skipped (one run ~{predicted:.0f} s predicted)"
    started = time.perf_counter()
    sandbox = SandboxProcess(args.python, snapshots, clouds_yaml, args.latency)
    print(f"N={size_label(n)}: sandbox ready in {time.perf_counter() - started:.1f} s", file=log)
    ctx = Context(args.python, args.openstack, directory, clouds_yaml, rules, sandbox)
    try:
        for index in range(runs):
            for tool in args.tools:
                cell = cells[tool]
                if cell.skipped is not None:
                    continue
                # One run is enough for a tool that takes minutes (its spread is small).
                if index > 0 and tool in SLOW_TOOLS and cell.runs[0].seconds > args.slow_seconds:
                    continue
                run = run_tool(tool, ctx)
                cell.runs.append(run)
                LOAD.setdefault(n, []).append(os.getloadavg()[0])
                print(
                    f"N={size_label(n)} run {index + 1}/{runs} {tool:8s} {run.seconds:8.2f} s"
                    f" ({run.cpu_s:.2f} s CPU) {run.rss_mb:7.0f} MiB"
                    f" {run.requests:5d} requests {run.items}",
                    file=log,
                    flush=True,
                )
    finally:
        sandbox.stop()
    return cells


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _mid(cell: Cell, attr: str) -> float | None:
    values = [getattr(r, attr) for r in cell.runs]
    return statistics.median(values) if values else None


def markdown(doc: dict[str, Any]) -> str:
    """The results as Markdown (docs/benchmark.md)."""
    tools: list[str] = doc["tools"]
    results: dict[str, dict[str, Any]] = doc["results"]
    lines = [
        "<!-- Generated by benchmarks/run.py; do not edit by hand. -->",
        "# Benchmark results",
        "",
        f"{doc['when']} on {doc['machine']}; `{doc['command']}`.",
        "Both clouds served by the auditor's sandbox on 127.0.0.1 (another process)"
        + (
            f", every GET answered {doc['latency_ms']:g} ms late." if doc.get("latency_ms") else "."
        ),
        "Times are wall-clock seconds for **both clouds**, medians of the runs shown;",
        "peak RSS is the client process's own (openstackclient: its largest command).",
        f"The machine has {os.cpu_count()} cores: a 1-minute load average above that (other",
        "jobs) inflates wall-clock times; client CPU seconds are steadier.",
        "",
    ]
    head = ["N servers per cloud", "items (2 clouds)", "load avg"]
    head += [f"{LABELS[t]} s" for t in tools]
    if "auditor" in tools and "floor" in tools:
        head += ["auditor / floor", "auditor / floor (CPU)"]
    head += [f"{t} / auditor" for t in tools if t in SLOW_TOOLS]
    if "auditor" in tools:
        head.append("auditor peak RSS MiB")
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n_text, row in results.items():
        cells = {t: _cell_from_json(row["tools"][t]) for t in tools}
        load = row.get("load") or []
        values = [n_text, f"{row['items']:,}", f"{min(load):.1f}-{max(load):.1f}" if load else "-"]
        for t in tools:
            cell = cells[t]
            if cell.skipped:
                values.append(cell.skipped)
            else:
                values.append(
                    f"{_fmt_s(cell.median)} ({len(cell.runs)} run{'s' * (len(cell.runs) > 1)})"
                )
        auditor = cells["auditor"].median if "auditor" in cells else None
        if "auditor" in tools and "floor" in tools:
            values.append(_ratio(auditor, cells["floor"].median))
            # CPU seconds: steadier than wall-clock time on a machine other jobs share.
            values.append(_ratio(_mid(cells["auditor"], "cpu_s"), _mid(cells["floor"], "cpu_s")))
        values += [_ratio(cells[t].median, auditor) for t in tools if t in SLOW_TOOLS]
        if "auditor" in tools:
            values.append(_opt(_mid(cells["auditor"], "rss_mb"), "{:.0f}"))
        lines.append("| " + " | ".join(values) + " |")
    lines += [
        "",
        "Client CPU seconds (user + system, median), peak RSS (MiB) and requests answered"
        " by the sandbox, per tool:",
        "",
    ]
    head = [
        "N",
        *(f"{t} CPU s" for t in tools),
        *(f"{t} RSS" for t in tools),
        *(f"{t} requests" for t in tools),
    ]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n_text, row in results.items():
        cells = {t: _cell_from_json(row["tools"][t]) for t in tools}
        cpu = [_opt(_mid(cells[t], "cpu_s"), "{:.2f}") for t in tools]
        rss = [_opt(_mid(cells[t], "rss_mb"), "{:.0f}") for t in tools]
        reqs = [_opt(_mid(cells[t], "requests"), "{:.0f}") for t in tools]
        lines.append("| " + " | ".join([n_text, *cpu, *rss, *reqs]) + " |")
    if doc.get("diff_cpu"):
        d = doc["diff_cpu"]
        lines += [
            "",
            f"Diff alone (`benchmarks/diff_cpu.py {d['servers']}`): {d['items_per_side']:,} items"
            f" against {d['items_per_side']:,}, {d['cpu_s']:.2f} s of CPU"
            f" ({d['wall_s']:.2f} s wall), {d['findings']} findings.",
        ]
    lines += ["", f"Versions: {doc['versions']}.", ""]
    return "\n".join(lines)


def _opt(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _cell_from_json(doc: dict[str, Any]) -> Cell:
    return Cell([Run(**r) for r in doc["runs"]], doc["skipped"])


def plot(doc: dict[str, Any], path: str) -> bool:
    """Time against N for each tool, log-log; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    markers = {"floor": "s", "auditor": "o", "auditor-cc": "x", "sdk": "^", "osc": "v"}
    for tool in doc["tools"]:
        points = [
            (parse_size(n), cell["median_s"])
            for n, row in doc["results"].items()
            if (cell := row["tools"][tool])["median_s"] is not None
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            line = axes.plot(xs, ys, marker=markers.get(tool, "o"), label=LABELS[tool])[0]
            # CPU seconds, dashed: what other jobs on a shared machine inflate less.
            cpu = [
                (parse_size(n), statistics.median(r["cpu_s"] for r in cell["runs"]))
                for n, row in doc["results"].items()
                if (cell := row["tools"][tool])["runs"]
            ]
            xs, ys = zip(*cpu, strict=True)
            axes.plot(
                xs,
                ys,
                linestyle="--",
                marker=".",
                color=line.get_color(),
                alpha=0.6,
                label=f"{LABELS[tool]}, CPU s",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("servers per cloud (N); 1.5 N volumes, N/20 projects; two clouds")
    axes.set_ylabel("seconds (median): wall-clock, and CPU dashed")
    axes.set_title("Inventory of two clouds over loopback, 2 cores")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def _versions(python: str, openstack: str | None) -> str:
    code = (
        "import importlib.metadata as m, platform\n"
        "names = ('openstacksdk', 'keystoneauth1', 'requests', 'openstack-migration-auditor')\n"
        "print(', '.join(f'{n} {m.version(n)}' for n in names)"
        " + f', Python {platform.python_version()}')\n"
    )
    text = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    if openstack:
        osc = subprocess.run([openstack, "--version"], check=False, capture_output=True, text=True)
        text += f", {(osc.stdout or osc.stderr).strip()}"
    return text


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


def _find_openstack(python: str) -> str | None:
    beside = os.path.join(os.path.dirname(python), "openstack")
    return beside if os.access(beside, os.X_OK) else shutil.which("openstack")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5k,20k,50k,100k", help="servers per cloud")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (default 5)")
    parser.add_argument(
        "--few-runs-from",
        type=parse_size,
        default=50_000,
        help="from this size on, half the runs (default 50k)",
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="N = 1k, 5k; one run; sdk/osc only where a run is predicted under 30 s",
    )
    parser.add_argument(
        "--max-run-seconds",
        type=float,
        default=150.0,
        help="skip sdk/osc at a size where one run is predicted longer (default 150)",
    )
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=30.0,
        help="sdk/osc runs once at a size where a run takes longer (default 30)",
    )
    parser.add_argument(
        "--diff-servers",
        type=parse_size,
        default=40_000,
        help="servers per cloud of the diff-only CPU measurement (0: none; default 40k)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="the sandbox answers every GET this many ms late (default 0: loopback as is)",
    )
    parser.add_argument("--output-dir", default=os.path.join(ROOT, "docs"))
    parser.add_argument("--name", default="benchmark", help="output file stem")
    parser.add_argument("--work-dir", help="where snapshots go (default: a temporary dir)")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the clients")
    parser.add_argument("--openstack", help="the openstack command (default: found)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs = "1k,5k", 1
        # Seconds, not minutes: the SDK and openstackclient only where a run is short.
        args.max_run_seconds = min(args.max_run_seconds, 30.0)
        if args.diff_servers == 40_000:
            args.diff_servers = 5_000
    args.sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())
    named = {s.strip() for s in args.tools.split(",")}
    args.tools = [t for t in (*TOOLS, *EXTRA_TOOLS) if t in named]
    args.openstack = args.openstack or ("osc" in args.tools and _find_openstack(args.python))
    args.openstack = args.openstack or None
    args.command = "python benchmarks/run.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    return args


def compile_sources(python: str) -> None:
    """Byte-compile the auditor and the harness, as ``pip install`` does for installed code.

    An editable checkout run with PYTHONDONTWRITEBYTECODE set would otherwise
    compile every module of the auditor again on each run (~0.5 s), while the
    SDK and openstackclient load the bytecode pip wrote when it installed them.
    """
    targets = [os.path.join(ROOT, "auditor"), HERE]
    subprocess.run([python, "-m", "compileall", "-q", *targets], check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log = sys.stderr
    # Every process measures the auditor of this checkout, whatever is installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    compile_sources(args.python)
    own_work_dir = args.work_dir is None
    args.work_dir = args.work_dir or tempfile.mkdtemp(prefix="auditor-bench-")
    results: dict[int, dict[str, Cell]] = {}
    try:
        for n in args.sizes:
            results[n] = bench_size(n, args, results, log)
        diff = diff_cpu(args.python, args.diff_servers) if args.diff_servers else None
    finally:
        if own_work_dir:
            shutil.rmtree(args.work_dir, ignore_errors=True)
    doc = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "command": args.command.strip(),
        "versions": _versions(args.python, args.openstack),
        "tools": args.tools,
        "latency_ms": args.latency,
        "diff_cpu": diff,
        "results": {
            size_label(n): {
                "items": 2 * (n + n + n // 2),
                "load": LOAD.get(n, []),
                "tools": {t: c.to_json() for t, c in cells.items()},
            }
            for n, cells in results.items()
        },
    }
    os.makedirs(args.output_dir, exist_ok=True)
    stem = os.path.join(args.output_dir, args.name)
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump(doc, handle, indent=1)
        handle.write("\n")
    with open(stem + ".md", "w", encoding="utf-8") as handle:
        handle.write(markdown(doc))
    plotted = not args.no_plot and plot(doc, stem + ".png")
    print(markdown(doc))
    print(f"wrote {stem}.md, {stem}.json" + (f", {stem}.png" if plotted else ""), file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
