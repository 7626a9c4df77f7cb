"""A pytest plugin for the tests of migration automation: sandbox clouds on loopback.

Registered through the ``pytest11`` entry point, so installing the auditor in
the environment that runs pytest is enough (``-p auditor.app.pytest_plugin`` where
``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` is set). Each sandbox is an ``auditor
sandbox`` process, exactly what operators start by hand, serving snapshot
files (``auditor inventory`` output, the inventories ``--save-inventories``
keeps) as Keystone, Nova, Cinder, Glance and Neutron on 127.0.0.1, with a
clouds.yaml for them. It is stopped by its process id when its fixture ends,
whether the test passed or failed.

Fixtures:

- ``auditor_snapshots`` (session): the files to serve, the source first; from
  ``--auditor-snapshot FILE`` (repeated) or the ``auditor_snapshots`` ini
  option; override it in a ``conftest.py`` to build them in the test session.
- ``auditor_sandbox`` (session): a :class:`SandboxProcess` serving them.
- ``auditor_clouds_yaml`` (session): the path of its clouds.yaml.
- ``auditor_sandbox_factory`` (function): ``start(*files)`` starts another
  sandbox for one test; every one it started is stopped after the test.

Only the standard library and pytest are imported here: the plugin loads in
every pytest run of an environment with the auditor installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

START_TIMEOUT = 60.0
"""Seconds a sandbox may take to load its snapshots and listen."""
STOP_TIMEOUT = 10.0
"""Seconds between SIGTERM and SIGKILL when stopping a sandbox."""


class SandboxError(Exception):
    """A sandbox that did not start: its error line, or what it printed."""


class SandboxProcess:
    """An ``auditor sandbox`` process serving snapshot files on 127.0.0.1.

    ``clouds`` maps each served cloud's name (the snapshot's ``cloud``, which
    names its clouds.yaml profile) to its Keystone URL, in the order of the
    files: the first is the source of a pair, the second the target.
    """

    def __init__(self, snapshots: Sequence[str | os.PathLike[str]], workdir: Path) -> None:
        if not snapshots:
            raise SandboxError("name at least one snapshot file to serve")
        self.snapshots = [Path(s).absolute() for s in snapshots]
        workdir = workdir.absolute()
        workdir.mkdir(parents=True, exist_ok=True)
        self.clouds_yaml = workdir / "clouds.yaml"
        """The clouds.yaml of the served clouds (mode 0600): admin profiles named after
        each cloud, and one per project member, ``<cloud>-<username>``."""
        self.log = workdir / "sandbox.log"
        """What the sandbox wrote to stderr (its logs, or why it stopped)."""
        self.clouds: dict[str, str] = {}
        self._out = workdir / "sandbox.out"
        with open(self._out, "wb") as out, open(self.log, "wb") as err:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "auditor",
                    "sandbox",
                    *(str(s) for s in self.snapshots),
                    "--port",
                    "0",
                    "--write-clouds-yaml",
                    str(self.clouds_yaml),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=workdir,
            )
        self.pid = self.process.pid
        """The sandbox's process id: :meth:`stop` signals it."""
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self) -> None:
        # It writes the clouds.yaml, then one "NAME AUTH_URL" line per cloud.
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            # Whole lines only: the last piece may still be being written.
            lines = self._out.read_text(encoding="utf-8", errors="replace").split("\n")[:-1]
            if len(lines) >= len(self.snapshots):
                for line in lines[: len(self.snapshots)]:
                    name, _, url = line.rpartition(" ")
                    self.clouds[name] = url
                return
            if self.process.poll() is not None:
                raise SandboxError(self._why("stopped"))
            if time.monotonic() > deadline:
                raise SandboxError(self._why(f"did not serve within {START_TIMEOUT:.0f} s"))
            time.sleep(0.05)

    def _why(self, what: str) -> str:
        errors = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        last = errors[-1] if errors else "(nothing on stderr)"
        return f"auditor sandbox {what} (exit code {self.process.poll()}): {last}"

    @property
    def source(self) -> str:
        """The first served cloud's name (clouds.yaml profile)."""
        return next(iter(self.clouds))

    @property
    def target(self) -> str:
        """The second served cloud's name."""
        names = list(self.clouds)
        if len(names) < 2:
            raise SandboxError("this sandbox serves one cloud: there is no target")
        return names[1]

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def env(self, **extra: str) -> dict[str, str]:
        """This process's environment with ``OS_CLIENT_CONFIG_FILE`` naming the clouds.yaml
        (and any ``OS_CLOUD`` or password variable removed), for the automation under test."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env["OS_CLIENT_CONFIG_FILE"] = str(self.clouds_yaml)
        env.update(extra)
        return env

    def stop(self) -> None:
        """SIGTERM by pid (the sandbox closes its connections and exits), SIGKILL after
        :data:`STOP_TIMEOUT` seconds; idempotent."""
        if self.process.poll() is not None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class SandboxFactory:
    """Starts sandboxes for one test; :meth:`stop_all` stops every one, newest first."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[SandboxProcess] = []

    def start(self, *snapshots: str | os.PathLike[str]) -> SandboxProcess:
        sandbox = SandboxProcess(snapshots, self.workdir / f"sandbox-{len(self.started) + 1}")
        self.started.append(sandbox)
        return sandbox

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("auditor", "auditor sandbox clouds (auditor.app.pytest_plugin)")
    group.addoption(
        "--auditor-snapshot",
        action="append",
        default=[],
        metavar="FILE",
        dest="auditor_snapshots",
        help="a snapshot file the auditor_sandbox fixture serves (repeat: source, then target)",
    )
    parser.addini(
        "auditor_snapshots",
        type="paths",
        default=[],
        help="snapshot files the auditor_sandbox fixture serves (source, then target)",
    )


def _start(snapshots: Sequence[str | os.PathLike[str]], workdir: Path) -> SandboxProcess:
    try:
        return SandboxProcess(snapshots, workdir)
    except SandboxError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def auditor_snapshots(pytestconfig: pytest.Config) -> list[Path]:
    """The snapshot files to serve: ``--auditor-snapshot`` options, else the
    ``auditor_snapshots`` ini option (paths relative to the ini file)."""
    given = pytestconfig.getoption("auditor_snapshots") or pytestconfig.getini("auditor_snapshots")
    if not given:
        pytest.fail(
            "auditor_sandbox: no snapshot to serve: pass --auditor-snapshot FILE, set"
            " auditor_snapshots in the pytest configuration, or override the"
            " auditor_snapshots fixture",
            pytrace=False,
        )
    return [Path(p) for p in given]


@pytest.fixture(scope="session")
def auditor_sandbox(
    auditor_snapshots: Sequence[str | os.PathLike[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SandboxProcess]:
    """An ``auditor sandbox`` process serving ``auditor_snapshots`` for the session."""
    sandbox = _start(auditor_snapshots, tmp_path_factory.mktemp("auditor-sandbox"))
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(scope="session")
def auditor_clouds_yaml(auditor_sandbox: SandboxProcess) -> Path:
    """The clouds.yaml of ``auditor_sandbox``."""
    return auditor_sandbox.clouds_yaml


@pytest.fixture
def auditor_sandbox_factory(tmp_path: Path) -> Iterator[SandboxFactory]:
    """``auditor_sandbox_factory.start(source, target)``: a sandbox for this test only."""
    factory = SandboxFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()
