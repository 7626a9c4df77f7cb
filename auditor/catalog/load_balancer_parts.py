"""The parts of an Octavia load balancer: its listeners, and its pools with their members
and health monitor, read from their own listings and compared as nested records.

Octavia lists each kind on its own (``/v2/lbaas/listeners``, ``/pools``,
``/healthmonitors``; the members only per pool, ``/pools/{pool_id}/members``);
an operator reads a load balancer as one thing, so its parts are nested in
its item (one collection, ``load_balancers``). A listener is keyed within its
load balancer by its name after the rules' renaming of load balancers (its
port when unnamed), a pool likewise (its protocol and the ports of its
listeners when unnamed), a member within its pool by the server it resolves
to (its address -> the port holding it -> the port's server) and its port,
or by its (renamed) name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditor.catalog.lookups import Reading
from auditor.catalog.policies import ChangeSink
from auditor.catalog.spec import FAN_OUT_KEY
from auditor.catalog.text import beside, fmt
from auditor.model import Severity

JSON = dict[str, Any]

LISTENERS = "load-balancer.listeners"
POOLS = "load-balancer.pools"
MEMBERS = "load-balancer.members"
HEALTH_MONITORS = "load-balancer.healthmonitors"
PORTS = "network.ports"

LISTENER_FIELDS = ("id", "name", "protocol", "protocol_port", "connection_limit", "default_pool")
MONITOR_FIELDS = (
    "id",
    "name",
    "type",
    "delay",
    "timeout",
    "max_retries",
    "max_retries_down",
    "http_method",
    "url_path",
    "expected_codes",
)
MEMBER_FIELDS = ("id", "name", "address", "protocol_port", "weight", "backup", "subnet_id")


def _ids(value: Any) -> list[str]:
    """The ids of Octavia's ``[{"id": ...}]`` references."""
    return [str(v["id"]) for v in value or () if isinstance(v, dict) and v.get("id")]


def _by_lb(reading: Reading, key: str) -> dict[str, list[JSON]]:
    """Load balancer id -> the raw items of listing ``key`` that name it."""

    def build() -> dict[str, list[JSON]]:
        out: dict[str, list[JSON]] = {}
        for item in reading.lookups.listing(key):
            for lb_id in _ids(item.get("loadbalancers")):
                out.setdefault(lb_id, []).append(item)
        return out

    index: dict[str, list[JSON]] = reading.index(f"lb.{key}", build)
    return index


def _by_id(reading: Reading, key: str) -> dict[str, JSON]:
    index: dict[str, JSON] = reading.index(
        f"id.{key}", lambda: {str(i["id"]): i for i in reading.lookups.listing(key)}
    )
    return index


def _members_by_pool(reading: Reading) -> dict[str, list[JSON]]:
    def build() -> dict[str, list[JSON]]:
        out: dict[str, list[JSON]] = {}
        for member in reading.lookups.listing(MEMBERS):
            pool = member.get(FAN_OUT_KEY) or member.get("pool_id")
            out.setdefault(str(pool), []).append(member)
        return out

    index: dict[str, list[JSON]] = reading.index("lb.members", build)
    return index


def _port_servers(reading: Reading) -> dict[tuple[str, str], str]:
    """(subnet id or project id, address) -> the id of the server whose port holds it."""

    def build() -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for port in reading.lookups.listing(PORTS):
            owner = str(port.get("device_owner") or "")
            if not owner.startswith("compute:") or not port.get("device_id"):
                continue
            for fixed in port.get("fixed_ips") or ():
                if not isinstance(fixed, dict) or not fixed.get("ip_address"):
                    continue
                address = str(fixed["ip_address"])
                out[(str(fixed.get("subnet_id")), address)] = str(port["device_id"])
                project = port.get("project_id") or port.get("tenant_id")
                out.setdefault((str(project), address), str(port["device_id"]))
        return out

    index: dict[tuple[str, str], str] = reading.index("lb.port_servers", build)
    return index


def _pick(raw: JSON, names: Iterable[str]) -> JSON:
    return {name: raw.get(name) for name in names}


def listeners(raw: JSON, reading: Reading) -> list[JSON]:
    """The load balancer's listeners, sorted by port."""
    pools = _by_id(reading, POOLS)
    out = []
    for listener in _by_lb(reading, LISTENERS).get(str(raw["id"]), ()):
        record = _pick(listener, LISTENER_FIELDS)
        default = pools.get(str(listener.get("default_pool_id") or ""))
        record["default_pool"] = (default.get("name") or default["id"]) if default else None
        out.append(record)
    return sorted(out, key=lambda r: (r.get("protocol_port") or 0, str(r.get("name") or "")))


def _member(member: JSON, project: str, servers: Mapping[tuple[str, str], str]) -> JSON:
    record = _pick(member, MEMBER_FIELDS)
    address = str(member.get("address") or "")
    subnet = str(member.get("subnet_id") or "")
    record["server_id"] = servers.get((subnet, address)) or servers.get((project, address))
    return record


def pools(raw: JSON, reading: Reading) -> list[JSON]:
    """The load balancer's pools, each with its health monitor and members."""
    monitors = _by_id(reading, HEALTH_MONITORS)
    listeners_ = _by_id(reading, LISTENERS)
    members = _members_by_pool(reading)
    servers = _port_servers(reading)
    project = str(raw.get("project_id") or "")
    out = []
    for pool in _by_lb(reading, POOLS).get(str(raw["id"]), ()):
        persistence = pool.get("session_persistence")
        monitor = monitors.get(str(pool.get("healthmonitor_id") or ""))
        ports = sorted(
            listeners_[i].get("protocol_port") or 0
            for i in _ids(pool.get("listeners"))
            if i in listeners_
        )
        out.append(
            {
                "id": pool.get("id"),
                "name": pool.get("name"),
                "protocol": pool.get("protocol"),
                "lb_algorithm": pool.get("lb_algorithm"),
                "session_persistence": persistence.get("type")
                if isinstance(persistence, dict)
                else None,
                "listener_ports": ports,
                "healthmonitor": _pick(monitor, MONITOR_FIELDS) if monitor else None,
                "members": sorted(
                    (_member(m, project, servers) for m in members.get(str(pool["id"]), ())),
                    key=lambda m: (str(m.get("address")), m.get("protocol_port") or 0),
                ),
            }
        )
    return sorted(out, key=lambda p: (str(p.get("name") or ""), str(p["id"])))


# -- comparison -------------------------------------------------------------------------------

Keyer = Callable[[JSON], Any]


def _pair(
    source: Iterable[JSON], target: Iterable[JSON], key: Keyer, wanted: Keyer
) -> tuple[list[tuple[JSON, JSON]], list[JSON]]:
    """Source records paired with the target record of the key they must have (``wanted``),
    and the source records without one."""
    index: dict[Any, list[JSON]] = {}
    for record in target:
        index.setdefault(key(record), []).append(record)
    paired: list[tuple[JSON, JSON]] = []
    lost: list[JSON] = []
    for record in source:
        found = index.get(wanted(record))
        if found:
            paired.append((record, found.pop(0)))
        else:
            lost.append(record)
    return paired, lost


def _label(record: Mapping[str, Any], fallback: str) -> str:
    return str(record.get("name") or fallback)


def _listener_text(record: Mapping[str, Any]) -> str:
    port = record.get("protocol_port")
    return f"{_label(record, str(port))} ({record.get('protocol')}:{port})"


def _named_key(ch: ChangeSink, fallback: Keyer) -> tuple[Keyer, Keyer]:
    """(key of a target record, the key a source record must have): the name after the
    rules' renaming of load balancers, or ``fallback`` when unnamed."""
    rules = ch.ctx.rules

    def key(record: JSON) -> Any:
        return ("name", record["name"]) if record.get("name") else ("by", fallback(record))

    def wanted(record: JSON) -> Any:
        if record.get("name"):
            return ("name", rules.name("load_balancers", record["name"]))
        return ("by", fallback(record))

    return key, wanted


def _changed(
    ch: ChangeSink,
    field: str,
    what: str,
    s: Mapping[str, Any],
    t: Mapping[str, Any],
    names: Iterable[str],
    severity: Severity,
) -> None:
    for name in names:
        was, now = s.get(name), t.get(name)
        if was != now:
            ch.add(
                f"{field}.{name}",
                was,
                now,
                severity,
                f"{what}: {name.replace('_', ' ')} changed from {fmt(was)} to {fmt(now)}",
            )


def compare_listeners(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A lost listener is an error, a changed protocol or port too; other changes warn."""
    if not ch.wanted("listeners"):
        return
    key, wanted = _named_key(ch, lambda r: r.get("protocol_port"))
    paired, lost = _pair(s.get("listeners") or (), t.get("listeners") or (), key, wanted)
    for record in lost:
        text = _listener_text(record)
        ch.add("listeners", text, None, Severity.ERROR, f"lost listener {text}")
    for was, now in paired:
        what = f"listener {_listener_text(was)}"
        _changed(ch, "listeners", what, was, now, ("protocol", "protocol_port"), Severity.ERROR)
        _changed(ch, "listeners", what, was, now, ("connection_limit",), Severity.WARNING)


def _pool_key(record: JSON) -> Any:
    return (record.get("protocol"), tuple(record.get("listener_ports") or ()))


def compare_pools(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A lost pool, a changed protocol, a lost health monitor or member, a member on
    another server than its server's counterpart: errors; algorithm, persistence and
    health monitor settings changed: warnings."""
    if not ch.wanted("pools"):
        return
    key, wanted = _named_key(ch, _pool_key)
    paired, lost = _pair(s.get("pools") or (), t.get("pools") or (), key, wanted)
    for record in lost:
        text = _label(record, str(record.get("id")))
        ch.add("pools", text, None, Severity.ERROR, f"lost pool {text}")
    for was, now in paired:
        what = f"pool {_label(was, str(was.get('id')))}"
        _changed(ch, "pools", what, was, now, ("protocol",), Severity.ERROR)
        names = ("lb_algorithm", "session_persistence")
        _changed(ch, "pools", what, was, now, names, Severity.WARNING)
        _compare_monitor(ch, what, was.get("healthmonitor"), now.get("healthmonitor"))
        _compare_members(ch, what, was.get("members") or [], now.get("members") or [])


def _compare_monitor(ch: ChangeSink, what: str, was: JSON | None, now: JSON | None) -> None:
    field = "pools.healthmonitor"
    if was and not now:
        text = f"{was.get('type')} every {was.get('delay')}s"
        ch.add(field, text, None, Severity.ERROR, f"{what}: lost its health monitor ({text})")
    elif was and now:
        names = [n for n in MONITOR_FIELDS if n not in ("id", "name")]
        _changed(ch, field, f"{what} health monitor", was, now, names, Severity.WARNING)


def _compare_members(ch: ChangeSink, what: str, source: list[JSON], target: list[JSON]) -> None:
    ctx = ch.ctx
    servers = ctx.maps.get("servers", {}) if ctx.complete.get("servers") else None

    def server_key(record: JSON) -> Any:
        return (record.get("server_id"), record.get("protocol_port"))

    def expected(record: JSON) -> Any:
        server = record.get("server_id")
        if servers is None or not server or server not in servers:
            return None
        return (servers[server], record.get("protocol_port"))

    by_server, rest = _pair(source, target, server_key, expected)
    key, wanted = _named_key(ch, lambda r: (r.get("address"), r.get("protocol_port")))
    by_name, rest = _pair(rest, _unpaired(target, by_server), key, wanted)
    # A member whose server is known, and that neither its server nor its name finds:
    # the one on its port that is left points elsewhere (else it is lost). Without the
    # servers' matches, the one on its port is taken as it.
    known = rest if servers is None else [r for r in rest if expected(r) is not None]
    port = lambda r: r.get("protocol_port")  # noqa: E731
    by_port, _ = _pair(known, _unpaired(target, [*by_server, *by_name]), port, port)
    elsewhere = {id(w) for w, _ in by_port}
    for record in rest:
        if id(record) not in elsewhere:
            text = _member_text(record)
            ch.add("pools.members", text, None, Severity.ERROR, f"{what}: lost member {text}")
    for was, now in (*by_name, *by_port):
        want = expected(was)
        if want is None or now.get("server_id") == want[0]:
            continue
        _elsewhere(ch, what, was, want[0], now.get("server_id"))
    for was, now in (*by_server, *by_name, *by_port):
        text = f"{what} member {_member_text(was)}"
        _changed(ch, "pools.members", text, was, now, ("weight", "backup"), Severity.WARNING)


def _unpaired(target: list[JSON], paired: Iterable[tuple[JSON, JSON]]) -> list[JSON]:
    taken = {id(t) for _, t in paired}
    return [t for t in target if id(t) not in taken]


def _elsewhere(ch: ChangeSink, what: str, was: JSON, want: str, actual: str | None) -> None:
    """A member that points at another server than its server's counterpart: an error."""
    ctx = ch.ctx
    wanted_text = ctx.counterpart_label("servers", want)
    actual_text = f"server {ctx.counterpart_label('servers', actual)}" if actual else "no server"
    ch.add(
        "pools.members",
        want,
        actual,
        Severity.ERROR,
        f"{what}: member {_member_text(was)} points at {actual_text},"
        f" not at server {wanted_text} (the counterpart of its server)",
        texts=(beside(wanted_text, want), beside(actual_text, actual) if actual else None),
    )


def _member_text(record: Mapping[str, Any]) -> str:
    where = f"{record.get('address')}:{record.get('protocol_port')}"
    return f"{record['name']} ({where})" if record.get("name") else where
