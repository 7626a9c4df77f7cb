"""Evidence bundles on disk: written whole or not at all, read back for verification."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from auditor import __version__
from auditor.errors import OutputError
from auditor.evidence import (
    ENVIRONMENT,
    ID_MAP,
    MANIFEST,
    REPORT,
    RULES,
    WAIVERS,
    Bundle,
    EvidenceError,
    environment,
    private_key,
    public_key,
    seal,
)
from auditor.model import Report, Snapshot
from auditor.render import Format, render

if TYPE_CHECKING:
    # Only annotations here: cryptography loads where a key is read (auditor.evidence).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

MAX_FILE = 2 * 2**30
"""Largest file read from a bundle (a 100k-server snapshot is a few hundred MB)."""


@dataclass(frozen=True)
class Inputs:
    """What a report was made from, as the bundle keeps it."""

    command: str
    """``diff`` or ``audit``."""
    sources: Sequence[tuple[bytes, Snapshot]]
    """Each source snapshot's file bytes and snapshot, in order."""
    target: tuple[bytes, Snapshot]
    rules: bytes | None
    id_map: Mapping[str, str] | None
    """The id map the rules named (source id -> target id; maybe empty), None when none."""
    waivers: bytes | None
    labels: Sequence[str] | None
    fail_on: str
    as_of: date
    """The day waivers' expiry was checked against."""
    cross_check: bool = True
    """Whether the usage counters were compared with the listings."""


def versions() -> dict[str, str]:
    """The software that made the bundle."""
    from importlib import metadata  # ~10 ms of CPU: only a bundle names the versions

    found = {"auditor": __version__, "python": platform.python_version()}
    for dist in ("openstacksdk", "keystoneauth1", "cryptography"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[dist] = metadata.version(dist)
    return found


def bundle_of(inputs: Inputs, report: Report) -> Bundle:
    """The bundle's files and predicate (everything but the manifest)."""
    files: dict[str, bytes] = {}
    names: list[str] = []
    for index, (data, snapshot) in enumerate([*inputs.sources, inputs.target]):
        role = "target" if index == len(inputs.sources) else f"source-{index + 1}"
        name = f"snapshots/{role}-{_safe(snapshot.cloud)}.json"
        files[name] = data
        names.append(name)
    if inputs.rules is not None:
        files[RULES] = inputs.rules
    if inputs.id_map is not None:
        # Even empty: the rules name it, so verifying reads it (and the manifest seals it).
        files[ID_MAP] = (json.dumps(dict(inputs.id_map), indent=1, sort_keys=True) + "\n").encode()
    if inputs.waivers is not None:
        files[WAIVERS] = inputs.waivers
    files[REPORT] = render(report, Format.JSON).encode()
    files["report.html"] = render(report, Format.HTML).encode()
    files["report.md"] = render(report, Format.MARKDOWN).encode()
    snapshots = [(n, s) for n, (_, s) in zip(names, [*inputs.sources, inputs.target], strict=True)]
    env = environment(snapshots, versions())
    files[ENVIRONMENT] = (json.dumps(env, indent=1) + "\n").encode()
    predicate = {
        "command": inputs.command,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": {
            "sources": names[:-1],
            "target": names[-1],
            "labels": list(inputs.labels) if inputs.labels else None,
        },
        "options": {
            "fail_on": inputs.fail_on,
            "as_of": inputs.as_of.isoformat(),
            "cross_check": inputs.cross_check,
        },
        "report": {
            "verdict": report.verdict.value,
            "exit_code": report.exit_code,
            "findings": len(report.findings),
        },
        "versions": env["versions"],
    }
    return Bundle(files, predicate)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in name)[:64] or "cloud"


def check_evidence_dir(directory: str) -> None:
    """Fail before any work when ``directory`` cannot become a bundle."""
    if os.path.lexists(directory) and not (
        os.path.isdir(directory) and not os.path.islink(directory) and not os.listdir(directory)
    ):
        raise OutputError(
            f"{directory}: exists and is not an empty directory (evidence is never overwritten)"
        )
    parent = os.path.dirname(os.path.abspath(directory))
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{directory}: cannot create it (directory {parent} is not writable)")


def write_bundle(directory: str, bundle: Bundle, key: Ed25519PrivateKey | None) -> None:
    """Write ``bundle`` and its manifest as ``directory``: built in a temporary directory
    beside it (mode 0700, files 0600) and renamed into place when whole."""
    check_evidence_dir(directory)
    parent = os.path.dirname(os.path.abspath(directory))
    try:
        work = tempfile.mkdtemp(prefix=".auditor-evidence-", dir=parent)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write ({exc.strerror or exc})") from None
    try:
        for name, data in [*bundle.files.items(), (MANIFEST, seal(bundle, key))]:
            path = os.path.join(work, name)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if os.path.isdir(directory):
            os.rmdir(directory)  # empty (checked): the bundle takes its place
        os.rename(work, directory)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise OutputError(f"{directory}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def read_bundle(directory: str) -> tuple[dict[str, bytes], bytes]:
    """(the files but the manifest, the manifest) of the bundle ``directory``."""
    if not os.path.isdir(directory):
        raise EvidenceError(f"{directory}: no such directory (an evidence bundle)")
    manifest_path = os.path.join(directory, MANIFEST)
    if not os.path.isfile(manifest_path):
        raise EvidenceError(f"{directory}: no {MANIFEST} (not an evidence bundle)")
    files: dict[str, bytes] = {}
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, directory).replace(os.sep, "/")
            if os.path.islink(path) or not os.path.isfile(path):
                files[rel] = b""  # named by the hash check: not a regular file
                continue
            try:
                with open(path, "rb") as fh:
                    files[rel] = fh.read(MAX_FILE)
            except OSError as exc:
                raise EvidenceError(f"{rel}: cannot read ({exc.strerror or exc})") from None
    manifest = files.pop(MANIFEST)
    return files, manifest


def read_sign_key(path: str) -> Ed25519PrivateKey:
    """``--sign-key FILE``: an Ed25519 private key (PEM)."""
    return private_key(_read_key(path), path)


def read_public_key(path: str) -> Ed25519PublicKey:
    """``--key FILE``: an Ed25519 public key (PEM)."""
    return public_key(_read_key(path), path)


def _read_key(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(64 * 1024)
    except FileNotFoundError:
        raise EvidenceError(f"{path}: no such key file") from None
    except IsADirectoryError:
        raise EvidenceError(f"{path}: is a directory, not a key file") from None
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read the key ({exc.strerror or exc})") from None


def prepare_evidence(evidence: str | None, sign_key: str | None) -> Ed25519PrivateKey | None:
    """``--evidence`` and ``--sign-key``, checked before any work: the directory can be
    created, the key is an Ed25519 private key."""
    if sign_key and not evidence:
        raise EvidenceError("--sign-key: signs an evidence bundle; give --evidence DIR too")
    if not evidence:
        return None
    check_evidence_dir(evidence)
    return read_sign_key(sign_key) if sign_key else None


def read_bytes(path: str) -> bytes:
    """An input file as it is on disk, for the bundle (it was read and checked already)."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise OutputError(f"{path}: cannot read it again for the evidence ({exc})") from None
