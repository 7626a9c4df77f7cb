"""Sealed evidence bundles: what ``--evidence DIR`` writes and ``verify-evidence`` checks.

A bundle is a directory holding everything an audit's verdict rests on: the
snapshots, the rules (and the id map they name), the waivers, the report (JSON,
HTML, Markdown) and ``environment.json`` (the versions of the tool and of
openstacksdk/keystoneauth, each cloud's microversions and audit window). Its
manifest, ``evidence.dsse.json``, is an in-toto Statement v1 (every other file
a subject, with its sha256; the predicate says how the report was made) in a
DSSE envelope, signed with an Ed25519 key or left unsigned.

Verifying checks the signature (with the public key given), every file's hash
(a changed, missing or extra file is named), then recomputes the diff offline
from the bundled snapshots, rules and waivers, under the recorded options, and
compares the verdict and the finding ids with the bundled report.

This module handles bytes and keys; reading and writing the directory is the
application layer's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from auditor.audit import AuditOptions, compare_snapshots
from auditor.errors import BadInputError
from auditor.model import JSON, Report, Severity, Snapshot
from auditor.rules import parse_rules
from auditor.shapecheck import load_snapshot
from auditor.waivers import parse_waivers

if TYPE_CHECKING:
    # cryptography is imported where a key is read, signs or verifies: an audit or a
    # diff without --evidence never loads it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

MANIFEST = "evidence.dsse.json"
"""The envelope's file in the bundle (the one file that is not a subject)."""
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = (
    "https://github.com/openstack-migration-auditor/auditor/blob/main/docs/evidence.md#predicate-v1"
)
"""What the predicate is; the page that documents it (the project's address, see
pyproject.toml's project URLs)."""

REPORT = "report.json"
RULES = "rules.yaml"
WAIVERS = "waivers.yaml"
ID_MAP = "idmap.json"
ENVIRONMENT = "environment.json"


class EvidenceError(BadInputError):
    """Not a bundle, or a key that cannot be used: exit 2, one line."""


@dataclass(frozen=True)
class Bundle:
    """The files of a bundle (relative path -> bytes) and how its report was made."""

    files: Mapping[str, bytes]
    predicate: JSON


@dataclass(frozen=True)
class Verification:
    """What checking a bundle found; ``problems`` empty: it holds."""

    problems: tuple[str, ...]
    signed: bool
    """The envelope carries a signature."""
    signature_checked: bool
    """A public key was given and the signature verified with it."""
    recomputed: Report | None = None
    notes: tuple[str, ...] = field(default=())


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def statement(bundle: Bundle) -> JSON:
    """The in-toto Statement v1 of ``bundle``: its files as subjects."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": name, "digest": {"sha256": digest(data)}}
            for name, data in sorted(bundle.files.items())
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": bundle.predicate,
    }


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what is signed."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def key_id(key: Ed25519PublicKey) -> str:
    """sha256 of the raw public key, hex: how an envelope names its signer."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return digest(raw)


def seal(bundle: Bundle, key: Ed25519PrivateKey | None) -> bytes:
    """The manifest file: the statement in a DSSE envelope, signed with ``key`` if any."""
    payload = json.dumps(statement(bundle), indent=1, sort_keys=True).encode()
    signatures = []
    if key is not None:
        signature = key.sign(pae(PAYLOAD_TYPE, payload))
        signatures.append(
            {"keyid": key_id(key.public_key()), "sig": base64.b64encode(signature).decode()}
        )
    envelope = {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode(),
        "signatures": signatures,
    }
    return (json.dumps(envelope, indent=1) + "\n").encode()


def private_key(pem: bytes, origin: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (unencrypted PKCS#8), or :class:`EvidenceError`."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise EvidenceError(f"{origin}: the key is encrypted; give an unencrypted PEM") from None
    except (ValueError, UnsupportedAlgorithm):
        raise EvidenceError(f"{origin}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceError(f"{origin}: not an Ed25519 key ({type(key).__name__})")
    return key


def public_key(pem: bytes, origin: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo), or :class:`EvidenceError`."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm):
        raise EvidenceError(f"{origin}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError(f"{origin}: not an Ed25519 key ({type(key).__name__})")
    return key


def open_envelope(data: bytes, origin: str) -> tuple[JSON, JSON, bytes]:
    """(envelope, statement, payload) of a manifest file, or :class:`EvidenceError`."""
    try:
        envelope = json.loads(data)
        payload = base64.b64decode(envelope["payload"], validate=True)
        found = json.loads(payload)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise EvidenceError(f"{origin}: not a DSSE envelope of an in-toto statement") from None
    if (
        not isinstance(found, dict)
        or envelope.get("payloadType") != PAYLOAD_TYPE
        or found.get("_type") != STATEMENT_TYPE
        or found.get("predicateType") != PREDICATE_TYPE
        or not isinstance(found.get("subject"), list)
    ):
        raise EvidenceError(f"{origin}: not an auditor evidence statement")
    return envelope, found, payload


def _signature_problems(
    envelope: JSON, payload: bytes, key: Ed25519PublicKey | None
) -> tuple[list[str], bool]:
    signatures = envelope.get("signatures") or []
    if key is None:
        return [], False
    if not signatures:
        return [f"{MANIFEST}: not signed, but a key was given"], False
    from cryptography.exceptions import InvalidSignature

    wanted = key_id(key)
    for entry in signatures:
        if not isinstance(entry, dict) or entry.get("keyid") not in (wanted, None, ""):
            continue
        try:
            key.verify(
                base64.b64decode(entry.get("sig", ""), validate=True), pae(PAYLOAD_TYPE, payload)
            )
            return [], True
        except (InvalidSignature, binascii.Error, ValueError):
            return [f"{MANIFEST}: the signature does not verify with the key given"], False
    return [f"{MANIFEST}: no signature by the key given (key id {wanted[:16]}...)"], False


def _hash_problems(found: JSON, files: Mapping[str, bytes]) -> list[str]:
    problems: list[str] = []
    listed: dict[str, str] = {}
    for subject in found["subject"]:
        if isinstance(subject, dict) and isinstance(subject.get("digest"), dict):
            listed[str(subject.get("name"))] = str(subject["digest"].get("sha256"))
    for name in sorted(listed):
        if name not in files:
            problems.append(f"{name}: in the manifest, missing from the bundle")
        elif digest(files[name]) != listed[name]:
            problems.append(f"{name}: changed (its sha256 is not the manifest's)")
    problems += [f"{name}: not in the manifest" for name in sorted(set(files) - set(listed))]
    return problems


def verify(
    files: Mapping[str, bytes], manifest: bytes, key: Ed25519PublicKey | None
) -> Verification:
    """Check a bundle's signature and hashes, then recompute its report (see the module doc)."""
    envelope, found, payload = open_envelope(manifest, MANIFEST)
    problems, checked = _signature_problems(envelope, payload, key)
    problems += _hash_problems(found, files)
    signed = bool(envelope.get("signatures"))
    if problems:
        return Verification(tuple(problems), signed, checked)
    recomputed, differences = recompute(files, found["predicate"])
    return Verification(tuple(differences), signed, checked, recomputed)


def _text(files: Mapping[str, bytes], name: str) -> str:
    try:
        return files[name].decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        raise EvidenceError(f"{name}: missing from the bundle or not UTF-8 text") from None


def recompute(files: Mapping[str, bytes], predicate: JSON) -> tuple[Report, list[str]]:
    """The report recomputed from the bundle's inputs, and how it differs from the bundled
    one (verdict, exit code, finding ids)."""
    try:
        inputs = predicate["inputs"]
        sources = [_snapshot(files, name) for name in inputs["sources"]]
        target = _snapshot(files, inputs["target"])
        labels: Sequence[str] | None = inputs.get("labels")
        options = predicate["options"]
        as_of = date.fromisoformat(options["as_of"]) if options.get("as_of") else None
        fail_on = Severity(options.get("fail_on", Severity.ERROR.value))
        cross_check = bool(options.get("cross_check", True))
    except (KeyError, TypeError, ValueError):
        raise EvidenceError(
            f"{MANIFEST}: its predicate does not say how the report was made"
        ) from None
    rules = parse_rules(
        _text(files, RULES), RULES, base_dir="", read=lambda _path: _text(files, ID_MAP)
    ) if RULES in files else parse_rules("version: 1\n", RULES)  # fmt: skip
    waivers = parse_waivers(_text(files, WAIVERS), WAIVERS) if WAIVERS in files else None
    outcome = compare_snapshots(
        sources,
        target,
        rules,
        AuditOptions(fail_on=fail_on, waivers=waivers, today=as_of, cross_check=cross_check),
        labels=labels,
    )
    bundled = Report.from_json(json.loads(_text(files, REPORT)))
    return outcome.report, _differences(bundled, outcome.report)


def _snapshot(files: Mapping[str, bytes], name: str) -> Snapshot:
    return load_snapshot(_text(files, name), name)


def _differences(bundled: Report, recomputed: Report) -> list[str]:
    out: list[str] = []
    if bundled.verdict is not recomputed.verdict or bundled.exit_code != recomputed.exit_code:
        out.append(
            f"{REPORT}: verdict {bundled.verdict.value} (exit {bundled.exit_code}), recomputed"
            f" {recomputed.verdict.value} (exit {recomputed.exit_code})"
        )
    mine = {f.id for f in bundled.findings}
    again = {f.id for f in recomputed.findings}
    if mine != again:
        only_bundled, only_again = sorted(mine - again), sorted(again - mine)
        out.append(
            f"{REPORT}: finding ids differ: {len(only_bundled)} only in the bundle"
            f"{_first(only_bundled)}, {len(only_again)} only recomputed{_first(only_again)}"
        )
    return out


def _first(ids: Sequence[str]) -> str:
    return f" ({ids[0]}...)" if ids else ""


def environment(snapshots: Sequence[tuple[str, Snapshot]], versions: Mapping[str, str]) -> JSON:
    """``environment.json``: the software that made the bundle and each cloud's APIs and
    audit window (the report's: the first listing's start to the last answer about the
    cloud), with how long the inventory took."""
    clouds: list[dict[str, Any]] = [
        {
            "file": name,
            "cloud": s.cloud,
            "region": s.region,
            "auth_url": s.auth_url,
            "scope": s.scope,
            "microversions": dict(s.microversions),
            "window": {**s.window.to_json(), "seconds": round(s.duration_s, 3)},
            "tool_version": s.tool_version,
        }
        for name, s in snapshots
    ]
    return {"versions": dict(versions), "clouds": clouds}
