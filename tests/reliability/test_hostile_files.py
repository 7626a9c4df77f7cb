"""Point 5 of the security round: hostile or broken input files are bad input.

Rules and waivers files (YAML: python tags, alias bombs, huge or deeply
nested documents, regexes that backtrack catastrophically, impossible dates),
snapshot files (corrupt, truncated, another version or kind, wrongly typed
items, deeply nested), clouds.yaml profiles with values of the wrong type,
and a Keystone on https with a self-signed certificate: each run exits 2 with
one line naming the file and the key, quickly, with no traceback and no report.
"""

from __future__ import annotations

import copy
import datetime
import http.server
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.reliability.world import SOURCE, Run, auditor, renamed, source_snapshot


@pytest.fixture
def snapshots(tmp_path: Path) -> tuple[Path, Path]:
    source = source_snapshot()
    paths = (tmp_path / "source.json", tmp_path / "target.json")
    paths[0].write_text(source.dumps(), encoding="utf-8")
    paths[1].write_text(renamed(source, "ocb").dumps(), encoding="utf-8")
    return paths


def _diff(capsys: Any, tmp_path: Path, *args: str) -> tuple[Run, float]:
    """The ``diff`` run and the CPU seconds it took (the thread's own: a machine
    shared with other jobs stretches the wall clock, not the work; a hostile
    file that made the parser or a regex spin would still be caught)."""
    report = tmp_path / "report.json"
    started = time.thread_time()
    run = auditor(["diff", *args, "-o", str(report)], capsys)
    elapsed = time.thread_time() - started
    assert not report.exists(), "a report was written for bad input"
    return run, elapsed


def _bad_input(run: Run, *named: str) -> str:
    assert run.code == 2, (run.code, run.stderr)
    assert "Traceback" not in run.stderr
    # One error line, the last; a library's warning may precede it (keystoneauth
    # says when it could not reach the identity endpoint).
    errors = [line for line in run.error_lines if "error" in line.split("]")[0].lower()]
    assert len(errors) == 1, run.stderr
    line = run.error_lines[-1]
    assert line == errors[0], run.stderr
    for text in named:
        assert text in line, line
    return line


# -- rules and waivers (YAML) -------------------------------------------------


BILLION_LAUGHS = "version: 1\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


RULES = {
    "a python tag": (
        'version: 1\nrename: !!python/object/apply:os.system ["touch pwned"]\n',
        "not valid YAML",
    ),
    "an alias bomb": (BILLION_LAUGHS, "alias"),
    "a huge document": ("version: 1\n" + "# padding\n" * 200_000, "larger than"),
    "a deeply nested document": (
        "version: 1\nrename: " + "[" * 5000 + "]" * 5000 + "\n",
        "nested deeper",
    ),
    "a catastrophic regex": (
        "version: 1\nrename:\n  names:\n"
        "    - {collections: [servers], pattern: '^cw-(a+)+$', replace: 'ocb-\\1'}\n",
        "rename.names[0].pattern",
    ),
    "a catastrophic residue pattern": (
        "version: 1\nresidue:\n  patterns: ['(\\w+\\s?)*$']\n",
        "residue.patterns[0]",
    ),
}


@pytest.mark.parametrize("case", list(RULES))
def test_hostile_rules_are_bad_input_quickly(
    case: str,
    snapshots: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text, expected = RULES[case]
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")

    run, elapsed = _diff(capsys, tmp_path, *map(str, snapshots), "--rules", str(rules))

    _bad_input(run, str(rules), expected)
    assert elapsed < 10
    assert not (tmp_path / "pwned").exists()


def test_a_catastrophic_regex_never_meets_a_hostile_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The name a tenant would choose against '^cw-(a+)+$': refused before any diff.
    source = source_snapshot()
    servers = list(source.collections["servers"].items)
    servers[0] = {**servers[0], "name": "cw-" + "a" * 40 + "!"}
    paths = [tmp_path / "s.json", tmp_path / "t.json"]
    paths[0].write_text(renamed(source, "cw", servers=servers).dumps(), encoding="utf-8")
    paths[1].write_text(renamed(source, "ocb").dumps(), encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES["a catastrophic regex"][0], encoding="utf-8")

    run, elapsed = _diff(capsys, tmp_path, *map(str, paths), "--rules", str(rules))

    _bad_input(run, "catastrophic backtracking")
    assert elapsed < 10


WAIVERS = {
    "an impossible date": ("expires: 2026-02-30", "waivers[0].expires"),
    "a date that is no date": ("expires: someday", "waivers[0].expires"),
    "an alias bomb": ("expires: 2026-12-31\n" + BILLION_LAUGHS.replace("version: 1\n", ""), ""),
}


@pytest.mark.parametrize("case", list(WAIVERS))
def test_hostile_waivers_are_bad_input(
    case: str,
    snapshots: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra, expected = WAIVERS[case]
    waivers = tmp_path / "waivers.yaml"
    body = "\n".join("    " + line for line in extra.splitlines())
    waivers.write_text(
        "version: 1\nwaivers:\n  - finding: f-0123456789abcdef\n    reason: ok\n"
        f"    owner: ops\n{body}\n",
        encoding="utf-8",
    )

    run, elapsed = _diff(capsys, tmp_path, *map(str, snapshots), "--waivers", str(waivers))

    _bad_input(run, str(waivers), expected)
    assert elapsed < 10


def test_a_bad_as_of_date_is_bad_input(
    snapshots: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("version: 1\nwaivers: []\n", encoding="utf-8")
    run, _ = _diff(
        capsys,
        tmp_path,
        *map(str, snapshots),
        "--waivers",
        str(waivers),
        "--as-of",
        "2026-13-45",
    )
    _bad_input(run, "--as-of")


# -- snapshots ------------------------------------------------------------------


def _edited(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _set_item(collection: str, field: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        doc["collections"][collection]["items"][0][field] = copy.deepcopy(value)

    return change


SNAPSHOT_EDITS: dict[str, tuple[Any, str]] = {
    "metadata that is a list": (_set_item("servers", "metadata", ["a"]), "items[0].metadata"),
    "a flavor that is a string": (_set_item("servers", "flavor", "m1"), "items[0].flavor"),
    "an id that is a list": (_set_item("servers", "id", ["x"]), "items[0].id"),
    "a url that is a number": (_set_item("endpoints", "url", 5), "items[0].url"),
    "volumes that are a string": (_set_item("servers", "volumes", "v-1"), "items[0].volumes"),
    "a size that is text": (_set_item("volumes", "size", "big"), "items[0].size"),
    "another version": (lambda d: d.update(schema="auditor.inventory/v2"), "inventory/v2"),
    "another kind": (lambda d: d.update(schema="auditor.report/v1"), "auditor.report/v1"),
}


@pytest.mark.parametrize("case", list(SNAPSHOT_EDITS))
def test_a_wrongly_shaped_snapshot_is_bad_input(
    case: str, snapshots: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, expected = SNAPSHOT_EDITS[case]
    _edited(snapshots[1], change)

    run, _ = _diff(capsys, tmp_path, *map(str, snapshots))

    _bad_input(run, str(snapshots[1]), expected)


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        b'{"schema": "auditor.inventory/v1", "coll',
        b"[" * 100_000,
    ],
    ids=["binary", "truncated", "deeply nested"],
)
def test_a_corrupt_snapshot_is_bad_input(
    content: bytes, snapshots: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots[0].write_bytes(content)

    run, _ = _diff(capsys, tmp_path, *map(str, snapshots))

    _bad_input(run, str(snapshots[0]))


# -- clouds.yaml ----------------------------------------------------------------


PASSWORD = "s3cr3t-Never-Printed"


def _clouds_yaml(tmp_path: Path, auth_url: str, **changes: Any) -> Path:
    profile: dict[str, Any] = {
        "auth": {
            "auth_url": auth_url,
            "username": "admin",
            "password": PASSWORD,
            "project_name": "admin",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": "fr1",
    }
    for key, value in changes.items():
        if key.startswith("auth_"):
            profile["auth"][key.removeprefix("auth_")] = value
        else:
            profile[key] = value
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {SOURCE: profile}}), encoding="utf-8")
    return path


CLOUDS_YAML: dict[str, tuple[dict[str, Any], str]] = {
    "a numeric password": ({"auth_password": 123456}, "clouds.cw.auth.password"),
    "a password mapping": ({"auth_password": {"a": PASSWORD}}, "clouds.cw.auth.password"),
    "an auth_url list": ({"auth_auth_url": ["http://x"]}, "clouds.cw.auth.auth_url"),
    "a region list": ({"region_name": ["fr1", "fr2"]}, "clouds.cw.region_name"),
    "a timeout in words": ({"api_timeout": "sixty"}, "clouds.cw.api_timeout"),
    "a missing CA file": ({"cacert": "/nonexistent/ca.pem"}, "clouds.cw.cacert"),
    "a verify number": ({"verify": 2}, "clouds.cw.verify"),
}


@pytest.mark.parametrize("case", list(CLOUDS_YAML))
def test_a_clouds_yaml_value_of_the_wrong_type_is_bad_input(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changes, key = CLOUDS_YAML[case]
    clouds = _clouds_yaml(tmp_path, "http://127.0.0.1:9/v3", **changes)

    run = auditor(
        ["--os-client-config-file", str(clouds), "--retries", "0", "inventory", "--cloud", SOURCE],
        capsys,
    )

    _bad_input(run, str(clouds), key)
    assert PASSWORD not in run.stderr and "123456" not in run.stderr


# -- a self-signed https endpoint ----------------------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditor test keystone")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A Keystone that refuses every credential (401), to prove the TLS handshake passed."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.seen.append(f"{self.command} {self.path}")
        status = 401
        body = b'{"error": {"code": 401, "title": "Unauthorized", "message": "no"}}'
        if self.command == "GET":
            status, body = (
                200,
                json.dumps(
                    {
                        "version": {
                            "id": "v3.14",
                            "status": "stable",
                            "links": [
                                {"rel": "self", "href": f"https://{self.headers['Host']}/v3/"}
                            ],
                            "media-types": [
                                {
                                    "base": "application/json",
                                    "type": "application/vnd.openstack.identity-v3+json",
                                }
                            ],
                        }
                    }
                ).encode(),
            )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET


@pytest.fixture
def tls_keystone(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    _Refusing.seen = []
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v3", cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_self_signed_certificate_is_refused_by_default_with_a_clear_line(
    tls_keystone: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = tls_keystone
    clouds = _clouds_yaml(tmp_path, url)

    run = auditor(["--os-client-config-file", str(clouds), "inventory", "--cloud", SOURCE], capsys)

    line = _bad_input(run, "TLS verification", url, "self-signed", "cacert")
    assert PASSWORD not in line
    assert _Refusing.seen == [], "a request got through an unverified TLS connection"


def test_with_its_ca_as_cacert_the_same_endpoint_is_reached(
    tls_keystone: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cert = tls_keystone
    clouds = _clouds_yaml(tmp_path, url, cacert=str(cert))

    run = auditor(["--os-client-config-file", str(clouds), "inventory", "--cloud", SOURCE], capsys)

    _bad_input(run, "credentials rejected")
    assert any(seen.startswith("POST /v3/auth/tokens") for seen in _Refusing.seen)
