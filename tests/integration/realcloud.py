"""A real, small OpenStack cloud on loopback: Keystone, Nova API, Cinder API, Glance API
and the Neutron server.

The services are the released packages (pinned in services-requirements.txt),
installed by ``.ci/services.sh`` in a virtualenv of their own and run here as
subprocesses on 127.0.0.1, on ports chosen free at start (the listening
sockets are bound here and handed down, so nothing can take a port between
choosing it and serving on it). Keystone, Glance and Neutron are seeded
through their own APIs (realnet.py); what cannot run without hypervisors,
storage or a message bus (nova-compute, cinder-volume) is replaced by what it
would have left in the databases, written through the services' own object
layers (seed_nova.py, seed_cinder.py). Everything the auditor reads comes from
the real APIs: policy, microversions, views, paging, token validation.

Two more processes serve the same data with one setting changed (realconf.py):
a Keystone with ``list_limit`` and domain-specific drivers (profile
``realcloud-limited``), and a Nova API whose cell2 is down (profile
``realcloud-downcell``).

What the cloud holds is in seedplan.py. :func:`real_cloud` is a context
manager that builds the cloud in a directory, yields a :class:`RealCloud`
describing what was seeded, and stops every process it started (by process
group) however it is left; the servers also exit by themselves if the process
that started them dies. ``python realcloud.py DIR`` starts one and waits, to
poke at it by hand.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import realnet
import realshare
import seed_access
from realconf import cinder_conf, glance_conf, keystone_conf, neutron_conf, nova_conf
from seedplan import (
    DEFAULT_AZ,
    DOMAINS,
    DOWN_CELL_HOST,
    DOWN_CELL_SERVERS,
    EXTRA_REGIONS,
    FLAVORS,
    HOSTS,
    MIGRATING_VOLUMES,
    OTHER_REGION,
    PROJECTS,
    REGION,
    SERVERS,
    SERVICE_PROJECTS,
    USERS,
    VOLUME_TYPES,
    VOLUMES,
    seeded_metadata,
)

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "services-requirements.txt"
CONSTRAINTS = HERE / "services-constraints.txt"
MARKER = ".auditor-services-complete"

CLOUD_NAME = "realcloud-admin"
LIMITED_CLOUD = "realcloud-limited"
"""Profile of the second Keystone: list_limit and domain-specific drivers."""
DOWNCELL_CLOUD = "realcloud-downcell"
"""Profile whose compute endpoint is the second Nova API, whose cell2 is down."""
SERVICES = (
    "keystone",
    "keystone-limited",
    "nova",
    "nova-downcell",
    "cinder",
    "glance",
    "neutron",
)
"""Every process serving an API."""


STARTUP_TIMEOUT = 90.0
COMMAND_TIMEOUT = 180.0


class RealCloudError(RuntimeError):
    """The real cloud could not be built (with the log lines that say why)."""


# --------------------------------------------------------------------------
# Where the services venv is (the same rule as .ci/services.sh)


def pins_hash() -> str:
    """Hash of the pinned versions, naming the default venv directory."""
    return hashlib.sha256(REQUIREMENTS.read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()[:16]


def services_venv() -> Path:
    """``$AUDITOR_SERVICES_VENV``, else ``~/.cache/auditor/services-venv-<hash>``."""
    configured = os.environ.get("AUDITOR_SERVICES_VENV")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "auditor" / f"services-venv-{pins_hash()}"


def venv_problem(venv: Path) -> str | None:
    """Why ``venv`` cannot be used (None when it is complete)."""
    marker = venv / MARKER
    if not marker.is_file():
        return f"no complete services venv at {venv} (run: bash .ci/services.sh)"
    if marker.read_text().strip() != pins_hash():
        return f"the services venv at {venv} has other pins (run: bash .ci/services.sh)"
    return None


@dataclass(frozen=True)
class Endpoint:
    id: str
    service_type: str
    service_name: str
    interface: str
    region: str
    url: str
    enabled: bool


@dataclass
class RealCloud:
    """A running real cloud and what it was seeded with."""

    workdir: Path
    clouds_yaml: Path
    cloud: str
    region: str
    urls: dict[str, str]
    """Service -> base URL (see :data:`SERVICES`)."""
    pids: dict[str, int]
    access_logs: dict[str, Path]
    domain_ids: dict[str, str] = field(default_factory=dict)
    project_ids: dict[str, str] = field(default_factory=dict)
    server_ids: dict[str, str] = field(default_factory=dict)
    volume_ids: dict[str, str] = field(default_factory=dict)
    image_ids: dict[str, str] = field(default_factory=dict)
    volume_types: dict[str, Any] = field(default_factory=dict)
    """Ids of the private volume type seeded through Cinder's API and of its QoS specs."""
    network: dict[str, Any] = field(default_factory=dict)
    """What Neutron was seeded with: ids of networks, subnets, routers, groups, ports..."""
    user_ids: dict[str, str] = field(default_factory=dict)
    group_ids: dict[str, str] = field(default_factory=dict)
    """Groups seeded by :mod:`seed_access` (with members and role assignments)."""
    migration_targets: dict[str, str] = field(default_factory=dict)
    """Volume being migrated -> id of its temporary target volume."""
    endpoints: list[Endpoint] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def auditor(self, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ``python -m auditor --os-client-config-file CLOUDS_YAML --no-progress ARGV``
        as users run it, without the caller's OS_* variables."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "--os-client-config-file",
                str(self.clouds_yaml),
                "--no-progress",
                *argv,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def access_log_marks(self) -> dict[str, int]:
        """How many requests each service has logged so far."""
        return {name: len(_read_lines(path)) for name, path in self.access_logs.items()}

    def requests_since(self, marks: Mapping[str, int]) -> list[tuple[str, dict[str, Any]]]:
        """(service, access-log record) of every request logged after ``marks``."""
        out = []
        for name, path in self.access_logs.items():
            for line in _read_lines(path)[marks.get(name, 0) :]:
                out.append((name, json.loads(line)))
        return out

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of each running service process, in MiB."""
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[name] = int(line.split()[1]) / 1024
        return out


def _read_lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []


# --------------------------------------------------------------------------
# Processes: every one in its own process group, all stopped at the end


class Processes:
    """Subprocesses started for the cloud; :meth:`stop_all` ends every one by its group."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self._lock = threading.Lock()
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self.durations: dict[str, float] = {}
        """Command -> seconds it ran."""
        self.aborted = threading.Event()
        """Set when the cloud is being torn down: nothing new starts, waits give up."""

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        pass_fds: Sequence[int] = (),
    ) -> subprocess.Popen[bytes]:
        if self.aborted.is_set():
            raise RealCloudError(f"not starting {name}: the cloud is being stopped")
        log = (self.logdir / f"{name}.log").open("ab")
        try:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=tuple(pass_fds),
                start_new_session=True,  # its own process group, to stop it with its children
            )
        finally:
            log.close()
        with self._lock:
            self._procs[name] = proc
        if self.aborted.is_set():  # stop_all() ran meanwhile and did not see it
            self.stop(name)
            raise RealCloudError(f"{name} stopped: the cloud is being stopped")
        return proc

    def run(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """Run a command to its end; a failure raises with the end of its log."""
        started = time.monotonic()
        proc = self.start(name, argv, env)
        try:
            code = proc.wait(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop(name)
            raise RealCloudError(f"{name} timed out:\n{self.tail(name)}") from None
        with self._lock:
            self._procs.pop(name, None)
            self.durations[name] = round(time.monotonic() - started, 2)
        if code != 0:
            raise RealCloudError(f"{name} failed with exit code {code}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logdir / f"{name}.log"
        try:
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text[-lines:])

    def alive(self, name: str) -> bool:
        proc = self._procs.get(name)
        return proc is not None and proc.poll() is None

    def stop(self, name: str, grace: float = 10.0) -> None:
        with self._lock:
            proc = self._procs.pop(name, None)
        if proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        # Children that outlived their leader are still in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        with self._lock:
            names = list(self._procs)
        with ThreadPoolExecutor(max_workers=max(len(names), 1)) as pool:
            list(pool.map(self.stop, names))

    @property
    def pids(self) -> dict[str, int]:
        with self._lock:
            return {name: proc.pid for name, proc in self._procs.items()}


def _listener() -> socket.socket:
    """A socket listening on 127.0.0.1 on a free port, inheritable by a child."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


# --------------------------------------------------------------------------
# Building the cloud


def _wait_http(url: str, procs: Processes, name: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        if procs.aborted.is_set():
            raise RealCloudError(f"gave up waiting for {name}: the cloud is being stopped")
        if not procs.alive(name):
            raise RealCloudError(f"{name} exited while starting:\n{procs.tail(name)}")
        if time.monotonic() > deadline:
            raise RealCloudError(
                f"{name} did not answer {url} in {timeout:g} s:\n{procs.tail(name)}"
            )
        time.sleep(0.2)


class _Builder:
    def __init__(self, work: Path, venv: Path, procs: Processes) -> None:
        self.work = work
        self.venv = venv
        self.procs = procs
        self.python = str(venv / "bin" / "python")
        self.admin_password = secrets.token_urlsafe(16)
        self.service_password = secrets.token_urlsafe(16)
        self.sockets = {name: _listener() for name in SERVICES}
        self.urls = {
            name: f"http://127.0.0.1:{sock.getsockname()[1]}" for name, sock in self.sockets.items()
        }
        self.timings: dict[str, float] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OS_", "PYTHON"))},
            "OS_NOVA_DISABLE_EVENTLET_PATCHING": "1",
            "PYTHONWARNINGS": "ignore",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for state in ("nova-state", "cinder-state", "neutron-state", "glance-state"):
            (work / state / "locks").mkdir(parents=True)
        (work / "glance").mkdir()
        keystone, neutron, password = (
            self.urls["keystone"],
            self.urls["neutron"],
            self.service_password,
        )
        confs = {
            "keystone.conf": keystone_conf(work),
            "keystone-limited.conf": keystone_conf(work, limited=True),
            "nova.conf": nova_conf(work, keystone, neutron, password),
            "nova-downcell.conf": nova_conf(work, keystone, neutron, password, downcell=True),
            "cinder.conf": cinder_conf(work, venv, keystone, password),
            "glance/glance-api.conf": glance_conf(
                work, venv, keystone, password, self.urls["glance"]
            ),
            "neutron.conf": neutron_conf(work, venv, keystone, password),
        }
        self.conf = {}
        for name, text in confs.items():
            path = work / name
            path.write_text(text)
            self.conf[name.rsplit("/", 1)[-1].removesuffix(".conf")] = path

    def close_sockets(self) -> None:
        for sock in self.sockets.values():
            sock.close()

    def timed(self, label: str, func: Callable[[], object]) -> None:
        started = time.monotonic()
        func()
        self.timings[label] = round(time.monotonic() - started, 2)

    def tool(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    # -- migrations -------------------------------------------------------

    def migrate_keystone(self) -> None:
        conf = ["--config-file", str(self.conf["keystone"])]
        kmanage = [self.tool("keystone-manage"), *conf]
        owner = ["--keystone-user", getpass.getuser()]
        owner += ["--keystone-group", grp.getgrgid(os.getgid()).gr_name]
        self.procs.run("keystone-db-sync", [*kmanage, "db_sync"], self.env)
        self.procs.run("keystone-fernet-setup", [*kmanage, "fernet_setup", *owner], self.env)
        self.procs.run(
            "keystone-credential-setup", [*kmanage, "credential_setup", *owner], self.env
        )
        url = f"{self.urls['keystone']}/v3"
        self.procs.run(
            "keystone-bootstrap",
            [
                *kmanage,
                "bootstrap",
                # One argument: a password starting with "-" (token_urlsafe makes one in
                # 64) would be read as an option and fail the bootstrap.
                f"--bootstrap-password={self.admin_password}",
                "--bootstrap-region-id",
                REGION,
                "--bootstrap-public-url",
                url,
                "--bootstrap-internal-url",
                url,
            ],
            self.env,
        )

    def migrate_nova(self) -> None:
        nmanage = [self.tool("nova-manage"), "--config-file", str(self.conf["nova"])]
        cell0 = f"sqlite:///{self.work}/nova_cell0.db"
        cell1 = f"sqlite:///{self.work}/nova_cell1.db"
        self.procs.run("nova-api-db-sync", [*nmanage, "api_db", "sync"], self.env)
        self.procs.run(
            "nova-map-cell0",
            [*nmanage, "cell_v2", "map_cell0", "--database_connection", cell0],
            self.env,
        )
        self.procs.run("nova-db-sync", [*nmanage, "db", "sync"], self.env)
        self.procs.run(
            "nova-create-cell1",
            [
                *nmanage,
                *("cell_v2", "create_cell", "--name", "cell1"),
                *("--database_connection", cell1, "--transport-url", "fake://"),
            ],
            self.env,
        )

    def migrate_cinder(self) -> None:
        cmd = [self.tool("cinder-manage"), "--config-file", str(self.conf["cinder"]), "db", "sync"]
        self.procs.run("cinder-db-sync", cmd, self.env)

    def migrate_glance(self) -> None:
        conf = ["--config-file", str(self.conf["glance-api"])]
        self.procs.run("glance-db-sync", [self.tool("glance-manage"), *conf, "db_sync"], self.env)

    def migrate_neutron(self) -> None:
        conf = str(self.conf["neutron"])
        schema = [self.python, "-c", realnet.NEUTRON_SCHEMA, conf]
        self.procs.run("neutron-schema", schema, self.env)
        stamp = [self.tool("neutron-db-manage"), "--config-file", conf, "stamp", "heads"]
        self.procs.run("neutron-db-stamp", stamp, self.env)

    # -- services ---------------------------------------------------------

    def serve(self, name: str, app: str, app_argv: Sequence[str], env: Mapping[str, str]) -> None:
        sock = self.sockets[name]
        argv = [
            self.python,
            str(HERE / "wsgi_server.py"),
            *("--fd", str(sock.fileno()), "--app", app, "--name", name),
            *("--access-log", str(self.access_log(name))),
            *("--parent-pid", str(os.getpid())),
            "--",
            *app_argv,
        ]
        self.procs.start(name, argv, env, pass_fds=[sock.fileno()])

    def access_log(self, name: str) -> Path:
        return self.work / "logs" / f"{name}-access.jsonl"

    def start_keystone(self, name: str = "keystone") -> None:
        env = {**self.env, "OS_KEYSTONE_CONFIG_FILES": str(self.conf[name])}
        self.serve(name, "keystone.wsgi.api:application", [], env)
        _wait_http(f"{self.urls[name]}/v3", self.procs, name)

    def start_neutron(self) -> None:
        env = {**self.env, "OS_NEUTRON_CONFIG_FILES": str(self.conf["neutron"])}
        self.serve("neutron", "neutron.wsgi.api:application", [], env)
        _wait_http(f"{self.urls['neutron']}/", self.procs, "neutron")

    def start_glance(self) -> None:
        env = {**self.env, "OS_GLANCE_CONFIG_DIR": str(self.work / "glance")}
        self.serve("glance", "glance.wsgi.api:application", [], env)
        _wait_http(f"{self.urls['glance']}/", self.procs, "glance")

    def start_nova(self, name: str = "nova") -> None:
        paste = self.venv / "etc" / "nova" / "api-paste.ini"
        env = {
            **self.env,
            "OS_NOVA_CONFIG_DIR": str(self.work),
            # The paste file first: Nova loads its pipeline from the first file.
            "OS_NOVA_CONFIG_FILES": f"{paste};{self.conf[name]}",
        }
        self.serve(name, "nova.wsgi.osapi_compute:application", [], env)

    def start_cinder(self) -> None:
        argv = ["--config-file", str(self.conf["cinder"])]
        self.serve("cinder", "cinder.wsgi.api:application", argv, self.env)

    # -- seeding ----------------------------------------------------------

    def seed_script(self, name: str, plan: Mapping[str, Any]) -> dict[str, Any]:
        plan_path = self.work / f"{name}-plan.json"
        result_path = self.work / f"{name}-result.json"
        plan_path.write_text(json.dumps(plan, indent=1))
        argv = [self.python, str(HERE / f"{name}.py"), str(plan_path), str(result_path)]
        self.procs.run(name, argv, self.env)
        result: dict[str, Any] = json.loads(result_path.read_text())
        return result


def _connect(cloud_yaml: Path, cloud: str) -> Any:
    import openstack.config
    import openstack.connection

    loader = openstack.config.OpenStackConfig(config_files=[str(cloud_yaml)])
    return openstack.connection.Connection(config=loader.get_one(cloud=cloud))


def _write_clouds_yaml(path: Path, urls: Mapping[str, str], password: str) -> None:
    import yaml

    def profile(keystone: str) -> dict[str, Any]:
        return {
            "auth": {
                "auth_url": f"{keystone}/v3",
                "username": "admin",
                "password": password,
                "project_name": "admin",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": REGION,
            "interface": "public",
            "identity_api_version": 3,
        }

    doc = {
        "clouds": {
            CLOUD_NAME: profile(urls["keystone"]),
            # The catalog's identity endpoint is the first Keystone's: listings go
            # to the second one only by an override.
            LIMITED_CLOUD: {
                **profile(urls["keystone-limited"]),
                "identity_endpoint_override": f"{urls['keystone-limited']}/v3",
            },
            DOWNCELL_CLOUD: {
                **profile(urls["keystone"]),
                "compute_endpoint_override": f"{urls['nova-downcell']}/v2.1",
            },
        }
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    path.chmod(0o600)


def _register(cloud: RealCloud, b: _Builder) -> str:
    """Domains, projects, users, regions, services and endpoints, through Keystone's API.

    Returns the admin user's id.
    """
    with warnings.catch_warnings():
        # openstacksdk warns about its own deprecations (not ours to fix).
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        with contextlib.closing(_connect(cloud.clouds_yaml, cloud.cloud)) as conn:
            return _register_with(conn, cloud, b)


def _register_with(conn: Any, cloud: RealCloud, b: _Builder) -> str:
    ident = conn.identity
    admin_role = ident.find_role("admin", ignore_missing=False)
    default_domain = ident.find_domain("default", ignore_missing=False)
    cloud.domain_ids["Default"] = default_domain.id
    for name, description in DOMAINS.items():
        cloud.domain_ids[name] = ident.create_domain(name=name, description=description).id
    admin_project = ident.find_project("admin", domain_id=default_domain.id, ignore_missing=False)
    cloud.project_ids["admin"] = admin_project.id
    service = ident.create_project(
        name="service", domain_id=default_domain.id, description=SERVICE_PROJECTS["service"]
    )
    cloud.project_ids["service"] = service.id
    # The service users have the service role (keystone-manage bootstrap makes it),
    # as deployment tools grant it: Nova sends Neutron a service token beside the
    # user's, which must carry it.
    service_role = ident.find_role("service", ignore_missing=False)
    for user in ("nova", "cinder", "glance", "neutron"):
        created = ident.create_user(
            name=user, password=b.service_password, domain_id=default_domain.id
        )
        ident.assign_project_role_to_user(service, created, admin_role)
        ident.assign_project_role_to_user(service, created, service_role)
    for plan in USERS:
        user = ident.create_user(
            name=plan.name,
            password=secrets.token_urlsafe(12),
            domain_id=cloud.domain_ids[plan.domain],
        )
        cloud.user_ids[plan.name] = user.id
    for p in PROJECTS:
        parent = cloud.project_ids[p.parent] if p.parent else None
        attrs: dict[str, Any] = {
            "name": p.name,
            "domain_id": cloud.domain_ids[p.domain],
            "description": p.description,
            "is_enabled": p.enabled,
            "tags": list(p.tags),
        }
        if parent:
            attrs["parent_id"] = parent
        cloud.project_ids[p.name] = ident.create_project(**attrs).id

    ident.create_region(id=OTHER_REGION, description="Second region (compute disabled)")
    for region, parent in EXTRA_REGIONS.items():
        ident.create_region(id=region, parent_region_id=parent, description=f"{region} zone")
    services = {
        "compute": ident.create_service(type="compute", name="nova", description="Compute"),
        "block-storage": ident.create_service(
            type="block-storage", name="cinderv3", description="Block storage"
        ),
        "network": ident.create_service(type="network", name="neutron", description="Network"),
        "image": ident.create_service(type="image", name="glance", description="Images"),
    }
    wanted = [
        ("compute", "public", REGION, f"{b.urls['nova']}/v2.1", True),
        ("compute", "internal", REGION, f"{b.urls['nova']}/v2.1", True),
        ("compute", "public", OTHER_REGION, f"{b.urls['nova']}/v2.1", False),
        ("block-storage", "public", REGION, f"{b.urls['cinder']}/v3/%(project_id)s", True),
        ("network", "public", REGION, b.urls["neutron"], True),
        ("image", "public", REGION, b.urls["glance"], True),
    ]
    for service_type, interface, region, url, enabled in wanted:
        ident.create_endpoint(
            service_id=services[service_type].id,
            interface=interface,
            region_id=region,
            url=url,
            is_enabled=enabled,
        )
    service_names = {s.id: (s.type, s.name) for s in ident.services()}
    for e in ident.endpoints():
        service_type, service_name = service_names[e.service_id]
        cloud.endpoints.append(
            Endpoint(
                e.id, service_type, service_name, e.interface, e.region_id, e.url, e.is_enabled
            )
        )
    admin_user = ident.find_user("admin", domain_id=default_domain.id, ignore_missing=False)
    cloud.user_ids["admin"] = admin_user.id
    cloud.group_ids = seed_access.seed(ident, cloud.domain_ids, cloud.project_ids, cloud.user_ids)
    return str(admin_user.id)


def _cinder_plan(cloud: RealCloud, b: _Builder, user_id: str) -> dict[str, Any]:
    return {
        "config_file": str(b.conf["cinder"]),
        "availability_zone": "fr1-az1",
        "volume_types": [
            {"name": name, "description": f"{name} volumes", "encryption": encryption}
            for name, encryption in VOLUME_TYPES.items()
        ],
        "volumes": [
            {
                "name": v.name,
                "project_id": cloud.project_ids[v.project],
                "user_id": user_id,
                "size": v.size,
                "volume_type": v.volume_type,
                "bootable": v.bootable,
                "multiattach": v.multiattach,
                "encrypted": VOLUME_TYPES[v.volume_type] is not None,
                "availability_zone": v.availability_zone,
                "metadata": dict(v.metadata),
                "migrated_from": v.migrated_from,
                "device": v.device,
                "attachments": [cloud.server_ids[s] for s in v.attachments],
            }
            for v in VOLUMES
        ],
        "migrating": list(MIGRATING_VOLUMES),
    }


def _nova_plan(cloud: RealCloud, b: _Builder, user_id: str) -> dict[str, Any]:
    volumes_of: dict[str, list[dict[str, Any]]] = {}
    for v in VOLUMES:
        for server in v.attachments:
            volumes_of.setdefault(server, []).append(
                {
                    "id": cloud.volume_ids[v.name],
                    "size": v.size,
                    "device": v.device,
                    "boot": v.bootable,
                }
            )
    servers = []
    for s in SERVERS:
        metadata = seeded_metadata(s.metadata, s.migrated_from, cloud.server_ids)
        servers.append(
            {
                "id": cloud.server_ids[s.name],
                "name": s.name,
                "project_id": cloud.project_ids[s.project],
                "user_id": user_id,
                "flavor": s.flavor,
                "image": s.image,
                "key_name": s.key_name,
                "host": s.host,
                "availability_zone": HOSTS[s.host] or DEFAULT_AZ,
                "state": s.state,
                "metadata": metadata,
                "networks": [
                    {
                        "name": n.name,
                        "fixed": list(n.fixed),
                        "floating": list(n.floating),
                        "network_id": cloud.network["networks"][n.name],
                        "port_id": cloud.network["ports"][f"{s.name}/{n.name}"],
                    }
                    for n in s.networks
                ],
                "volumes": volumes_of.get(s.name, []),
                "tags": list(s.tags),
                "config_drive": s.config_drive,
                "locked": s.locked,
            }
        )
    return {
        "config_file": str(b.conf["nova"]),
        "flavors": [
            {"name": f.name, "flavorid": f.name, "vcpus": f.vcpus, "ram": f.ram, "disk": f.disk}
            for f in FLAVORS
        ],
        "hosts": [{"name": h, "aggregate_zone": az} for h, az in HOSTS.items()],
        "servers": servers,
        "keypairs": [
            {"user_id": cloud.user_ids[u.name], "name": name} for u in USERS for name in u.keypairs
        ],
    }


def _downcell_plan(cloud: RealCloud, b: _Builder) -> dict[str, Any]:
    """The second Nova API's databases: copies, where cell2 (which cannot be reached)
    holds some servers (moved out of the cell1 copy) and a compute host."""
    return {
        "config_file": str(b.conf["nova-downcell"]),
        "cell1": f"sqlite:///{b.work}/nova_cell1_downcell.db",
        # A directory that does not exist: opening the database fails at once.
        "cell2": f"sqlite:///{b.work}/no-such-dir/nova_cell2.db",
        "host": DOWN_CELL_HOST,
        "servers": [cloud.server_ids[name] for name in DOWN_CELL_SERVERS],
    }


@contextlib.contextmanager
def real_cloud(workdir: Path, venv: Path | None = None) -> Iterator[RealCloud]:
    """Build and run the cloud in ``workdir``; stop every process on the way out."""
    venv = venv or services_venv()
    problem = venv_problem(venv)
    if problem:
        raise RealCloudError(problem)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "logs").mkdir(exist_ok=True)
    procs = Processes(workdir / "logs")
    started = time.monotonic()
    b = _Builder(workdir, venv, procs)
    pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="realcloud")
    try:
        cloud = RealCloud(
            workdir=workdir,
            clouds_yaml=workdir / "clouds.yaml",
            cloud=CLOUD_NAME,
            region=REGION,
            urls=dict(b.urls),
            pids={},
            access_logs={name: b.access_log(name) for name in b.urls},
        )
        cloud.server_ids = {s.name: str(uuid.uuid4()) for s in SERVERS}
        _write_clouds_yaml(cloud.clouds_yaml, b.urls, b.admin_password)

        # The databases are independent: migrate them side by side, Keystone
        # first in line since everything else waits for it.
        def keystone_ready() -> None:
            b.timed("keystone migrations", b.migrate_keystone)
            b.timed("keystone start", b.start_keystone)

        ks = pool.submit(keystone_ready)
        nova_db = pool.submit(b.timed, "nova migrations", b.migrate_nova)
        cinder_db = pool.submit(b.timed, "cinder migrations", b.migrate_cinder)
        neutron_db = pool.submit(b.timed, "neutron schema", b.migrate_neutron)
        glance_db = pool.submit(b.timed, "glance migrations", b.migrate_glance)

        ks.result()
        admin_id = _register(cloud, b)
        limited = pool.submit(b.start_keystone, "keystone-limited")
        rest = realnet.Rest(b.urls["keystone"], b.admin_password)

        def glance_ready() -> None:
            glance_db.result()
            b.timed("glance start", b.start_glance)
            started = time.monotonic()
            ids = realnet.seed_glance(rest, b.urls["glance"], cloud.project_ids)
            cloud.image_ids = ids
            b.timings["glance seeding"] = round(time.monotonic() - started, 2)

        def neutron_ready() -> None:
            neutron_db.result()
            b.timed("neutron start", b.start_neutron)

        glance = pool.submit(glance_ready)
        neutron = pool.submit(neutron_ready)

        cinder_db.result()
        seeded = b.seed_script("seed_cinder", _cinder_plan(cloud, b, admin_id))
        cloud.volume_ids = dict(seeded["volumes"])
        cloud.migration_targets = dict(seeded["migration_targets"])
        b.start_cinder()

        def cinder_types() -> None:
            # Seeded while Nova is seeded and started: its requests are in Cinder's access
            # log well before any test marks it (a test counts the writes after its mark).
            _wait_http(f"{b.urls['cinder']}/", procs, "cinder")
            started = time.monotonic()
            cloud.volume_types = realshare.seed_volume_types(
                rest, b.urls["cinder"], cloud.project_ids
            )
            realshare.logged(b.access_log("cinder"), len(realshare.PRIVATE_TYPE["access"]))
            b.timings["cinder types seeding"] = round(time.monotonic() - started, 2)

        types = pool.submit(cinder_types)

        neutron.result()
        started_seeding = time.monotonic()
        cloud.network = realnet.seed_neutron(
            rest, b.urls["neutron"], cloud.project_ids, cloud.server_ids
        )
        b.timings["neutron seeding"] = round(time.monotonic() - started_seeding, 2)
        nova_db.result()
        b.timed("nova seeding", lambda: b.seed_script("seed_nova", _nova_plan(cloud, b, admin_id)))
        for name in ("nova_api", "nova_cell1"):
            shutil.copyfile(workdir / f"{name}.db", workdir / f"{name}_downcell.db")
        b.seed_script("seed_nova_downcell", _downcell_plan(cloud, b))
        b.start_nova()
        b.start_nova("nova-downcell")
        waits = [
            pool.submit(_wait_http, f"{b.urls[name]}/", procs, name)
            for name in ("nova", "nova-downcell", "cinder")
        ]
        for w in (*waits, glance, limited, types):
            w.result()
        b.close_sockets()  # the servers hold their own copies
        cloud.pids = procs.pids
        cloud.timings = {
            **procs.durations,
            **b.timings,
            "total start": round(time.monotonic() - started, 2),
        }
        yield cloud
    finally:
        procs.aborted.set()
        procs.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        procs.stop_all()  # anything a worker started before it saw the abort
        b.close_sockets()


def main() -> None:
    workdir = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/realcloud")
    if workdir.exists():
        raise SystemExit(f"{workdir} exists: give a new directory")

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # stop the services on kill as on Ctrl-C
    with real_cloud(workdir) as cloud:
        print(f"clouds.yaml: {cloud.clouds_yaml} (cloud {cloud.cloud})")
        print(json.dumps({"urls": cloud.urls, "timings": cloud.timings}, indent=1))
        print("Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
