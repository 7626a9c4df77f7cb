"""Evidence bundles: sealed, signed, verified, recomputed; every tampering named."""

from __future__ import annotations

import base64
import json
import os
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditor.app.evidence import Inputs, bundle_of, read_bundle, write_bundle
from auditor.audit import AuditOptions, compare_snapshots
from auditor.demo.data import RULES, generate
from auditor.errors import OutputError
from auditor.evidence import (
    MANIFEST,
    Bundle,
    EvidenceError,
    open_envelope,
    private_key,
    public_key,
    seal,
    verify,
)
from auditor.model import Report
from auditor.rules import parse_rules

AS_OF = date(2026, 12, 5)


@pytest.fixture(scope="module")
def made() -> tuple[Inputs, Report]:
    source, target = generate()
    rules = parse_rules(RULES, "rules.yaml")
    report = compare_snapshots([source], target, rules, AuditOptions(today=AS_OF)).report
    inputs = Inputs(
        command="diff",
        sources=[(source.dumps().encode(), source)],
        target=(target.dumps().encode(), target),
        rules=RULES.encode(),
        id_map=rules.named_id_map,
        waivers=None,
        labels=None,
        fail_on="error",
        as_of=AS_OF,
    )
    return inputs, report


@pytest.fixture
def bundle_dir(tmp_path: Path, made: tuple[Inputs, Report]) -> Path:
    inputs, report = made
    directory = tmp_path / "evidence"
    write_bundle(str(directory), bundle_of(inputs, report), None)
    return directory


def pem(key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def check(directory: Path, key_pem: bytes | None = None) -> tuple[str, ...]:
    files, manifest = read_bundle(str(directory))
    key = public_key(key_pem, "key.pub") if key_pem else None
    return verify(files, manifest, key).problems


def test_a_bundle_holds_every_input_and_output_and_verifies(
    bundle_dir: Path, made: tuple[Inputs, Report]
) -> None:
    names = sorted(str(p.relative_to(bundle_dir)) for p in bundle_dir.rglob("*") if p.is_file())
    assert names == [
        "environment.json",
        MANIFEST,
        "report.html",
        "report.json",
        "report.md",
        "rules.yaml",
        "snapshots/source-1-cloudwatt.json",
        "snapshots/target-ocb.json",
    ]
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in bundle_dir.rglob("*.json"))
    files, manifest = read_bundle(str(bundle_dir))
    result = verify(files, manifest, None)
    assert result.problems == () and not result.signed
    assert result.recomputed is not None
    assert [f.id for f in result.recomputed.findings] == [f.id for f in made[1].findings]
    _, statement, _ = open_envelope(manifest, MANIFEST)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert {s["name"] for s in statement["subject"]} == set(files)
    env = json.loads(files["environment.json"])
    assert {"auditor", "python", "openstacksdk", "keystoneauth1"} <= set(env["versions"])
    assert [c["cloud"] for c in env["clouds"]] == ["cloudwatt", "ocb"]
    # Each cloud's audit window, the same as the report's.
    report = json.loads(files["report.json"])
    assert [{k: c["window"][k] for k in ("started", "ended")} for c in env["clouds"]] == [
        report["source"]["window"],
        report["target"]["window"],
    ]


def test_signed_with_ed25519_and_checked_with_the_public_key(
    tmp_path: Path, made: tuple[Inputs, Report]
) -> None:
    key = Ed25519PrivateKey.generate()
    private, public = pem(key)
    directory = tmp_path / "signed"
    write_bundle(str(directory), bundle_of(*made), private_key(private, "key.pem"))
    files, manifest = read_bundle(str(directory))
    result = verify(files, manifest, public_key(public, "key.pub"))
    assert result.problems == () and result.signed and result.signature_checked
    # Another key: refused.
    _, other = pem(Ed25519PrivateKey.generate())
    (problem,) = check(directory, other)
    assert problem.startswith(f"{MANIFEST}: no signature by the key given (key id ")
    # A key given for an unsigned bundle: refused.
    unsigned = tmp_path / "unsigned"
    write_bundle(str(unsigned), bundle_of(*made), None)
    assert check(unsigned, public) == (f"{MANIFEST}: not signed, but a key was given",)


def test_a_forged_signature_does_not_verify(tmp_path: Path, made: tuple[Inputs, Report]) -> None:
    key = Ed25519PrivateKey.generate()
    _, public = pem(key)
    directory = tmp_path / "forged"
    write_bundle(str(directory), bundle_of(*made), key)
    envelope = json.loads((directory / MANIFEST).read_text())
    signature = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    signature[0] ^= 1
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(signature)).decode()
    (directory / MANIFEST).write_text(json.dumps(envelope))
    assert check(directory, public) == (
        f"{MANIFEST}: the signature does not verify with the key given",
    )


@pytest.mark.parametrize(
    "name", ["snapshots/source-1-cloudwatt.json", "rules.yaml", "report.json", "report.md"]
)
def test_one_changed_byte_is_named(bundle_dir: Path, name: str) -> None:
    path = bundle_dir / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))
    assert check(bundle_dir) == (f"{name}: changed (its sha256 is not the manifest's)",)


def test_missing_and_extra_files_are_named(bundle_dir: Path) -> None:
    (bundle_dir / "report.html").unlink()
    (bundle_dir / "notes.txt").write_text("added later")
    assert check(bundle_dir) == (
        "report.html: in the manifest, missing from the bundle",
        "notes.txt: not in the manifest",
    )


def test_a_report_that_the_inputs_do_not_give_is_caught_even_when_resealed(
    tmp_path: Path, made: tuple[Inputs, Report]
) -> None:
    """Whoever edits the report and re-seals the manifest (without the key) still cannot
    pass: the diff recomputed from the bundled snapshots and rules disagrees."""
    inputs, report = made
    bundle = bundle_of(inputs, report)
    doc = json.loads(bundle.files["report.json"])
    dropped = doc["findings"].pop(0)["id"]
    files = {**bundle.files, "report.json": json.dumps(doc).encode()}
    directory = tmp_path / "edited"
    write_bundle(str(directory), Bundle(files, bundle.predicate), None)
    (problem,) = check(directory)
    assert problem.startswith("report.json: finding ids differ: 0 only in the bundle, 1 only")
    assert dropped in problem


def test_refused_keys_and_bundles_are_bad_input(tmp_path: Path) -> None:
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(EvidenceError, match=r"^key.pem: not an Ed25519 key"):
        private_key(rsa_pem, "key.pem")
    with pytest.raises(EvidenceError, match=r"^key.pem: not a PEM private key"):
        private_key(b"hello", "key.pem")
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(EvidenceError, match="encrypted"):
        private_key(encrypted, "key.pem")
    with pytest.raises(EvidenceError, match=r"^key.pub: not a PEM public key"):
        public_key(rsa_pem, "key.pub")
    with pytest.raises(EvidenceError, match="no such directory"):
        read_bundle(str(tmp_path / "nowhere"))
    with pytest.raises(EvidenceError, match=f"no {MANIFEST}"):
        read_bundle(str(tmp_path))
    (tmp_path / MANIFEST).write_text("{}")
    with pytest.raises(EvidenceError, match="not a DSSE envelope"):
        verify({}, (tmp_path / MANIFEST).read_bytes(), None)


def test_nothing_half_written(
    tmp_path: Path, made: tuple[Inputs, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "x").write_text("x")
    with pytest.raises(OutputError, match="exists and is not an empty directory"):
        write_bundle(str(occupied), bundle_of(*made), None)

    def no_rename(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", no_rename)
    with pytest.raises(OutputError, match="No space left on device"):
        write_bundle(str(tmp_path / "new"), bundle_of(*made), None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied"]


def test_seal_is_deterministic_for_the_same_files(made: tuple[Inputs, Report]) -> None:
    bundle = bundle_of(*made)
    assert seal(bundle, None) == seal(bundle, None)
