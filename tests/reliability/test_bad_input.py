"""Bad input: exit 2, one line naming the file, cloud or key, no traceback, nothing written.

Every case runs the real CLI; the clouds are served by the sandbox on
loopback, so "rejected credentials" is a real Keystone 401 over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from tests.reliability.world import (
    SOURCE,
    TARGET,
    auditor,
    renamed,
    serving,
    source_snapshot,
)

GOOD_RULES = """\
version: 1
rename:
  names:
    - {collections: [servers], pattern: '^cw-(.*)$', replace: 'ocb-\\1'}
"""


@dataclass(frozen=True)
class Env:
    """Valid inputs, each case spoils one."""

    dir: Path
    sandbox: Sandbox
    clouds: Path
    source: Path
    target: Path
    rules: Path

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.dir / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def clouds_with_password(self, cloud: str, password: str) -> Path:
        doc = self.sandbox.clouds_yaml()
        doc["clouds"][cloud]["auth"]["password"] = password
        return self.write("wrong-clouds.yaml", json.dumps(doc))


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    source = source_snapshot()
    target = renamed(source, TARGET)
    with serving(tmp_path, source, target) as sandbox:
        (tmp_path / "source.json").write_text(source.dumps(), encoding="utf-8")
        (tmp_path / "target.json").write_text(target.dumps(), encoding="utf-8")
        (tmp_path / "rules.yaml").write_text(GOOD_RULES, encoding="utf-8")
        yield Env(
            tmp_path,
            sandbox,
            tmp_path / "clouds.yaml",
            tmp_path / "source.json",
            tmp_path / "target.json",
            tmp_path / "rules.yaml",
        )


OUT = "out/result.json"
"""Where each case asks for its output; ``out/`` exists and is writable."""

Case = Callable[[Env], tuple[list[str], list[str]]]
"""env -> (argv after the common options, fragments the error line must hold)."""


def inventory(env: Env, clouds: Path, cloud: str) -> list[str]:
    return ["--os-client-config-file", str(clouds), "inventory", "--cloud", cloud, "-o", OUT]


def audit(env: Env, clouds: Path, *extra: str) -> list[str]:
    return [
        "--os-client-config-file",
        str(clouds),
        "audit",
        "--source",
        SOURCE,
        "--target",
        TARGET,
        "-o",
        OUT,
        *extra,
    ]


def diff(env: Env, source: Path, target: Path, *extra: str) -> list[str]:
    return ["diff", str(source), str(target), "-o", OUT, *extra]


def rules_case(text: str, *fragments: str) -> Case:
    def case(env: Env) -> tuple[list[str], list[str]]:
        rules = env.write("bad-rules.yaml", text)
        return diff(env, env.source, env.target, "--rules", str(rules)), [str(rules), *fragments]

    return case


def snapshot_case(text: str | bytes, *fragments: str) -> Case:
    def case(env: Env) -> tuple[list[str], list[str]]:
        bad = env.write("bad-snapshot.json", text)
        return diff(env, env.source, bad), [str(bad), *fragments]

    return case


def truncated(env: Env) -> tuple[list[str], list[str]]:
    text = env.source.read_text(encoding="utf-8")
    bad = env.write("cut.json", text[: len(text) // 2])
    return diff(env, bad, env.target), [str(bad), "truncated"]


CASES: dict[str, Case] = {
    "unknown cloud": lambda env: (inventory(env, env.clouds, "nowhere"), ["nowhere"]),
    "unknown cloud in an audit": lambda env: (
        [*audit(env, env.clouds)[:-4], "--target", "nowhere", "-o", OUT],
        ["nowhere"],
    ),
    "malformed clouds.yaml": lambda env: (
        inventory(env, env.write("clouds-bad.yaml", "clouds:\n  cw: [auth: {\n"), SOURCE),
        [str(env.dir / "clouds-bad.yaml"), "YAML"],
    ),
    "clouds.yaml that is not a mapping of clouds": lambda env: (
        inventory(env, env.write("clouds-list.yaml", "clouds: [1, 2]\n"), SOURCE),
        [str(env.dir / "clouds-list.yaml"), "clouds"],
    ),
    "clouds.yaml whose profile is not a mapping": lambda env: (
        inventory(env, env.write("clouds-int.yaml", "clouds: {cw: 5}\n"), SOURCE),
        [str(env.dir / "clouds-int.yaml"), "clouds.cw"],
    ),
    "missing clouds.yaml": lambda env: (
        inventory(env, env.dir / "nope.yaml", SOURCE),
        [str(env.dir / "nope.yaml")],
    ),
    "rejected credentials": lambda env: (
        inventory(env, env.clouds_with_password(SOURCE, "not-it"), SOURCE),
        [SOURCE, "credentials rejected", "401"],
    ),
    "rejected credentials of the audit's target": lambda env: (
        audit(env, env.clouds_with_password(TARGET, "not-it")),
        [TARGET, "credentials rejected", "401"],
    ),
    "rules that are not YAML": rules_case("version: 1\nrename: {regions: [\n", "YAML"),
    "rules with an unknown key": rules_case("version: 1\nmatch: {oder: [id]}\n", "oder"),
    "rules with a wrong type": rules_case("version: 1\nrename: {regions: [fr1]}\n", "regions"),
    "rules with an invalid regex": rules_case(
        "version: 1\nresidue: {patterns: ['cloud(watt']}\n", "patterns"
    ),
    "rules of another version": rules_case("version: 2\n", "version"),
    "missing rules file": lambda env: (
        diff(env, env.source, env.target, "--rules", str(env.dir / "none.yaml")),
        [str(env.dir / "none.yaml")],
    ),
    "rules checked before an audit lists anything": lambda env: (
        audit(env, env.clouds, "--rules", str(env.write("r.yaml", "version: 1\nfoo: 1\n"))),
        [str(env.dir / "r.yaml"), "foo"],
    ),
    "truncated snapshot": truncated,
    "foreign JSON as a snapshot": snapshot_case('{"servers": []}\n', "schema"),
    "a report given as a snapshot": snapshot_case(
        '{"schema": "auditor.report/v1", "findings": []}\n', "auditor.report/v1"
    ),
    "snapshot of another schema version": snapshot_case(
        '{"schema": "auditor.inventory/v2", "collections": {}}\n', "auditor.inventory/v2"
    ),
    "snapshot that is not text": snapshot_case(b"\x89PNG\r\n\x1a\n\x00\xff", "UTF-8"),
    "missing snapshot": lambda env: (
        diff(env, env.source, env.dir / "gone.json"),
        [str(env.dir / "gone.json")],
    ),
    "unwritable report path": lambda env: (
        [*diff(env, env.source, env.target)[:-2], "-o", str(env.dir / "no-dir" / "r.json")],
        [str(env.dir / "no-dir" / "r.json")],
    ),
    "unwritable snapshot path": lambda env: (
        [*inventory(env, env.clouds, SOURCE)[:-2], "-o", str(env.source / "x.json")],
        [str(env.source / "x.json")],
    ),
    "unwritable audit report path": lambda env: (
        [*audit(env, env.clouds)[:-2], "-o", str(env.dir / "no-dir" / "r.json")],
        [str(env.dir / "no-dir" / "r.json")],
    ),
    "unwritable inventories directory": lambda env: (
        audit(env, env.clouds, "--save-inventories", str(env.source / "inv")),
        [str(env.source / "inv")],
    ),
    "report path that is a directory": lambda env: (
        [*diff(env, env.source, env.target)[:-2], "-o", str(env.dir / "out")],
        [str(env.dir / "out")],
    ),
    "negative --timeout": lambda env: (
        ["--timeout", "-1", *inventory(env, env.clouds, SOURCE)],
        ["--timeout"],
    ),
    "zero --deadline": lambda env: (
        ["--deadline", "0", *audit(env, env.clouds)],
        ["--deadline"],
    ),
    "negative --deadline after the command": lambda env: (
        [*inventory(env, env.clouds, SOURCE), "--deadline", "-5"],
        ["--deadline"],
    ),
    "unknown collection": lambda env: (
        [*inventory(env, env.clouds, SOURCE), "--collections", "servers,serverz"],
        ["serverz"],
    ),
}


def leftovers(directory: Path) -> list[str]:
    """Files a failed run left behind: outputs, temporary files."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(
    name: str, env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, fragments = CASES[name](env)
    (env.dir / "out").mkdir()
    before = leftovers(env.dir)
    env.sandbox.clear_requests()

    run = auditor(["--no-progress", *argv], capsys)

    assert run.code == 2, run
    assert len(run.error_lines) == 1, run.stderr
    line = run.error_lines[0]
    assert line.startswith("auditor: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert "Traceback" not in run.stderr
    assert run.stdout == "", "a report or snapshot was printed"
    assert leftovers(env.dir) == before, "a file was left behind"


@pytest.mark.parametrize(
    "name",
    [n for n in CASES if "rules" in n or "unwritable" in n or "directory" in n or "--" in n]
    + ["unknown cloud", "malformed clouds.yaml", "unknown collection"],
)
def test_bad_input_is_refused_before_any_request(
    name: str, env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, _fragments = CASES[name](env)
    (env.dir / "out").mkdir()
    env.sandbox.clear_requests()

    run = auditor(["--no-progress", *argv], capsys)

    assert run.code == 2
    assert env.sandbox.requests == [], "the clouds were contacted for nothing"


def test_a_broken_clouds_yaml_found_by_the_sdk_lookup_is_bad_input(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No --os-client-config-file: openstacksdk finds the file itself, then chokes on it.
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(env.write("lookup.yaml", "clouds: [1]\n")))

    run = auditor(["inventory", "--cloud", SOURCE], capsys)

    assert run.code == 2
    assert len(run.error_lines) == 1, run.stderr
    assert run.error_lines[0].startswith(f"auditor: error: clouds.yaml: cloud {SOURCE}: ")
    assert "Traceback" not in run.stderr
