"""``--evidence``, ``verify-evidence`` and ``export`` through the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.harness import run_auditor


def keys(folder: Path) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private, public = folder / "signing.pem", folder / "signing.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def diff_with_evidence(folder: Path, *extra: str) -> tuple[int, str, Path]:
    bundle = folder / "evidence"
    code, out = run_auditor(
        "diff",
        str(folder / "source.json"),
        str(folder / "target.json"),
        "--rules",
        str(folder / "rules.yaml"),
        "-f",
        "json",
        "-o",
        str(folder / "report.json"),
        "--evidence",
        str(bundle),
        *extra,
    )
    return code, out, bundle


def test_a_signed_bundle_verifies_and_a_changed_byte_exits_1(golden_inputs: Path) -> None:
    private, public = keys(golden_inputs)
    code, _, bundle = diff_with_evidence(golden_inputs, "--sign-key", str(private))
    report = json.loads((golden_inputs / "report.json").read_text())
    assert code == report["exit_code"]
    assert json.loads((bundle / "report.json").read_text())["findings"] == report["findings"]

    code, out = run_auditor("verify-evidence", str(bundle), "--key", str(public))
    assert code == 0, out
    assert out.startswith(f"{bundle}: verified: ") and "signed by key" in out
    assert f"report reproduced (verdict {report['verdict']}" in out

    rules = bundle / "rules.yaml"
    rules.write_text(rules.read_text() + "# edited\n")
    code, out = run_auditor("verify-evidence", str(bundle), "--key", str(public))
    assert code == 1
    assert f"{bundle}/rules.yaml: changed (its sha256 is not the manifest's)" in out.splitlines()


def test_a_bundle_whose_rules_name_an_empty_id_map_verifies(golden_inputs: Path) -> None:
    # The rules name an id map that holds nothing yet (the migration tool wrote none):
    # the bundle keeps it, sealed, so that verifying reads the same rules.
    rules = golden_inputs / "rules.yaml"
    text = rules.read_text()
    assert "id_map" not in text
    rules.write_text(text.replace("match:\n", "match:\n  id_map: idmap.json\n", 1))
    (golden_inputs / "idmap.json").write_text("{}\n")
    assert "  id_map: idmap.json" in rules.read_text()

    code, _, bundle = diff_with_evidence(golden_inputs)
    assert code == json.loads((golden_inputs / "report.json").read_text())["exit_code"]

    assert json.loads((bundle / "idmap.json").read_text()) == {}
    code, out = run_auditor("verify-evidence", str(bundle))
    assert code == 0, out
    assert out.startswith(f"{bundle}: verified: ")
    # Sealed like every file: a mapping slipped in afterwards is a changed file.
    (bundle / "idmap.json").write_text('{"s-1": "S-1"}\n')
    code, out = run_auditor("verify-evidence", str(bundle))
    assert code == 1
    assert f"{bundle}/idmap.json: changed (its sha256 is not the manifest's)" in out.splitlines()


def test_bad_evidence_input_exits_2_with_one_line(
    golden_inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, _ = keys(golden_inputs)
    ec_key = golden_inputs / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    occupied = golden_inputs / "occupied"
    occupied.mkdir()
    (occupied / "old").write_text("x")
    cases = [
        (["verify-evidence", str(golden_inputs / "nowhere")], "no such directory"),
        (["verify-evidence", str(golden_inputs)], "no evidence.dsse.json"),
        (["verify-evidence", str(golden_inputs), "--key", str(ec_key)], "not a PEM public key"),
    ]
    for argv, said in cases:
        capsys.readouterr()
        code, _ = run_auditor(*argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and said in err[0], (argv, err)
    for extra, said in (
        (["--sign-key", str(ec_key)], "not an Ed25519 key"),
        (["--sign-key", str(golden_inputs / "none.pem")], "no such key file"),
    ):
        capsys.readouterr()
        code, _, bundle = diff_with_evidence(golden_inputs, *extra)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and said in err[0], (extra, err)
        assert not bundle.exists() and not (golden_inputs / "report.json").exists()
    capsys.readouterr()
    code, _ = run_auditor(
        "diff", str(golden_inputs / "source.json"), str(golden_inputs / "target.json"),
        "--evidence", str(occupied),
    )  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "exists and is not an empty directory" in err[0]
    assert sorted(p.name for p in occupied.iterdir()) == ["old"]
    code, _ = run_auditor(
        "diff", str(golden_inputs / "source.json"), str(golden_inputs / "target.json"),
        "--sign-key", str(private),
    )  # fmt: skip
    assert code == 2
    assert "give --evidence DIR too" in capsys.readouterr().err


def test_the_demo_writes_a_bundle_that_verifies_and_holds_no_secret(tmp_path: Path) -> None:
    code, out = run_auditor("demo", "--output-dir", str(tmp_path))
    assert code == 1  # the demo's seeded defects
    (bundle,) = (tmp_path / "evidence").iterdir()
    assert f"auditor verify-evidence {bundle}" in out
    code, out = run_auditor("verify-evidence", str(bundle))
    assert code == 0, out
    assert "unsigned, report reproduced (verdict discrepancies" in out
    # The demo's clouds.yaml holds the sandbox's passwords; none reaches the bundle.
    clouds = (tmp_path / "clouds.yaml").read_text()
    passwords = {
        line.split(":", 1)[1].strip().strip("'\"")
        for line in clouds.splitlines()
        if line.strip().startswith("password:")
    }
    assert passwords
    for path in bundle.rglob("*"):
        if path.is_file():
            data = path.read_text(errors="replace")
            assert not any(p in data for p in passwords), path


def test_export_writes_a_database_and_refuses_a_directory(
    golden_inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = golden_inputs / "inventory.sqlite"
    code, out = run_auditor(
        "export", str(golden_inputs / "source.json"), str(golden_inputs / "target.json"),
        "--sqlite", str(database),
    )  # fmt: skip
    assert code == 0 and out.startswith(f"{database}: 2 snapshot(s), ")
    assert oct(database.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(database) as conn:
        (servers,) = conn.execute("SELECT count(*) FROM servers").fetchone()
    source = json.loads((golden_inputs / "source.json").read_text())
    target = json.loads((golden_inputs / "target.json").read_text())
    assert servers == len(source["collections"]["servers"]["items"]) + len(
        target["collections"]["servers"]["items"]
    )
    # An output that is a directory, a corrupt snapshot: exit 2, one line, nothing written.
    (golden_inputs / "adir").mkdir()
    (golden_inputs / "corrupt.json").write_text("{not json")
    for argv, said in (
        ([str(golden_inputs / "source.json"), "--sqlite", str(golden_inputs / "adir")],
         "is a directory"),
        ([str(golden_inputs / "corrupt.json"), "--sqlite", str(golden_inputs / "x.sqlite")],
         "corrupt.json"),
    ):  # fmt: skip
        capsys.readouterr()
        code, _ = run_auditor("export", *argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and said in err[0], (argv, err)
    assert not (golden_inputs / "x.sqlite").exists()
    assert [p.name for p in golden_inputs.iterdir() if p.name.startswith(".auditor-")] == []
