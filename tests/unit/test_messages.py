"""Every message an operator reads names things: no Python notation, no bare ids.

Walks every finding of the demo and of the merger scenarios (the three
families' seeded defects, the two-source merger with and without its fold,
the golden world, and a world of the messages' odd cases: unnamed items,
renamed flavors, a missing attached volume), each produced and rendered
through the CLI (``auditor demo``, ``auditor diff``, ``auditor render``) in
text, Markdown, HTML and JUnit, and fails on a Python repr (a dict, a list,
``None``, ``True``/``False``) or an id that is not beside a name.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.app.files import read_snapshot
from auditor.cli import main
from auditor.demo import identity, network, storage
from auditor.demo.data import RULES as DEMO_RULES
from auditor.model import Snapshot
from tests.builders import flavor, floating_ip, project, server, subnet, volume
from tests.builders import network as net
from tests.merger import family_clouds
from tests.unit import test_folds as folds
from tests.worlds import cloudwatt_fr1, ocb_fr1

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FORMATS = ("text", "markdown", "html", "junit")

REPR = re.compile(r"\{'|\['|'\]|': |\bNone\b|\bTrue\b|\bFalse\b")
"""Python notation: a dict or list repr, None, True, False."""
ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"
)
"""A UUID, or 32 hex digits (Keystone's ids)."""
BESIDE_A_NAME = re.compile(r"\S \(([^()]*)\)")
"""``name (id)``: where an id may appear."""


def cli(*argv: str) -> str:
    out = io.StringIO()
    code = main(["--no-progress", *argv], stdout=out)
    assert code in (0, 1), (argv, code)
    return out.getvalue()


def odd_cases() -> tuple[Snapshot, Snapshot, str]:
    """Unnamed volumes and subnets missing, a flavor renamed otherwise than the rules
    say, an attached volume missing: the messages must still name what they are about."""
    acme = project("p-acme", "cw-acme")
    net_a = net("n-1", "cw-net", acme)
    source = cloudwatt_fr1(
        projects=[acme],
        servers=[
            server("s-1", "cw-web", acme, volumes=["1f0e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"]),
            server("s-2", "cw-db", acme, flavor_=flavor("cw-large", 4, 8192, 80)),
        ],
        volumes=[
            volume("1f0e8a3c-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "cw-data", acme, attachments=["s-1"]),
            volume("9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", None, acme),
        ],
        networks=[net_a],
        subnets=[subnet("0d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a", None, acme, net_a, "10.0.0.0/24")],
        floating_ips=[floating_ip("fip-1", "198.51.100.7", acme, server={"id": "s-1"})],
    )
    ocb = project("P-ACME", "ocb-acme", domain="ocb")
    net_b = net("N-1", "ocb-net", ocb)
    target = ocb_fr1(
        projects=[ocb],
        servers=[
            server("S-1", "ocb-web", ocb),
            server("S-2", "ocb-db", ocb, flavor_=flavor("m1.large", 4, 8192, 80)),
        ],
        volumes=[],
        networks=[net_b],
        subnets=[],
        floating_ips=[],
    )
    rules = r"""version: 1
rename:
  domains: {cloudwatt: ocb}
  regions: {fr1: ocb-fr1}
  names:
    - {collections: [projects, servers, volumes, networks, subnets, flavors], pattern: '^cw-(.*)$',
       replace: 'ocb-\1'}
"""
    return source, target, rules


def scenarios(tmp: Path) -> Iterator[tuple[str, Path]]:
    """(name, JSON report file) of every scenario, each made by the CLI."""
    demo = tmp / "demo"
    cli("demo", "--output-dir", str(demo))
    yield "demo", demo / "report.json"

    def diff(name: str, sources: list[Snapshot], target: Snapshot, rules: str) -> Path:
        folder = tmp / name
        folder.mkdir()
        files = []
        for index, snap in enumerate([*sources, target]):
            path = folder / f"{index}.json"
            path.write_text(snap.dumps())
            files.append(str(path))
        (folder / "rules.yaml").write_text(rules)
        report = folder / "report.json"
        cli("diff", *files, "--rules", str(folder / "rules.yaml"), "-f", "json", "-o", str(report))
        return report

    for family, servers, seed in ((identity, 40, 7), (storage, 60, 11), (network, 90, 2026)):
        source, target = family_clouds(
            family, servers=servers, seed=seed, by_metadata=0.5, defects=True
        )
        yield family.__name__, diff(family.__name__.rsplit(".", 1)[1], [source], target, DEMO_RULES)
    for name, rules in (("merger-folded", folds.RULES), ("merger-unfolded", folds.RENAMES)):
        yield name, diff(name, [folds.cloudwatt(), folds.numergy()], folds.ocb(cores=12), rules)
    yield (
        "golden",
        diff(
            "golden",
            [read_snapshot(str(GOLDEN / "source.json"))],
            read_snapshot(str(GOLDEN / "target.json")),
            (GOLDEN / "rules.yaml").read_text(),
        ),
    )
    source, target, rules = odd_cases()
    yield "odd-cases", diff("odd", [source], target, rules)


MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A CommonMark backslash escape of an ASCII punctuation character."""


def offences(text: str) -> list[str]:
    """Python notation and ids not beside a name in ``text``."""
    found = [m.group(0) for m in REPR.finditer(text)]
    allowed = {m.start(1) for m in BESIDE_A_NAME.finditer(text) if ID.fullmatch(m.group(1).strip())}
    found += [m.group(0) for m in ID.finditer(text) if m.start() not in allowed]
    return found


def test_every_finding_reads_without_reprs_or_bare_ids(tmp_path: Path) -> None:
    walked = 0
    for name, path in scenarios(tmp_path):
        doc: dict[str, Any] = json.loads(path.read_text())
        assert doc["findings"], f"{name}: a scenario without findings proves nothing"
        rendered = {fmt: cli("render", str(path), "-f", fmt) for fmt in FORMATS}
        # What a reader sees: entities decoded, and Markdown's backslash escapes (of the
        # brackets and pipes a message may hold) shown as the characters they escape.
        plain = {fmt: html.unescape(text) for fmt, text in rendered.items()}
        plain["markdown"] = MD_ESCAPE.sub(r"\1", plain["markdown"])
        for f in doc["findings"]:
            walked += 1
            lines = [f["message"]]
            for change in f.get("changes", []):
                source = change.get("source_text")
                target = change.get("target_text")
                lines += [s for s in (source, target) if s is not None]
            for line in lines:
                assert not offences(line), f"{name}: {offences(line)} in {line!r}"
            for fmt, text in plain.items():
                assert f["message"] in text, f"{name}: {fmt} lacks {f['message']!r}"
        for fmt, text in plain.items():
            bad = offences(text)
            assert not bad, f"{name}: {fmt} report shows {bad[:5]}"
    assert walked > 60


@pytest.mark.parametrize(
    "text",
    [
        "flavor: {'name': 'm1.small'} -> none",
        "access: ['1d8fb833973d58a5b0c2c0989629d310'] -> none",
        "volume_id: None -> 9f09cf56-1e57-5908-b7aa-875f2d357d83",
        "encrypted: True -> False",
        "server_id: 202af2cc-dc18-532c-9f48-a2b841ea9491 -> none",
    ],
)
def test_the_walk_catches_what_it_looks_for(text: str) -> None:
    assert offences(text)


def test_the_walk_lets_ids_beside_names_through() -> None:
    assert (
        offences("volumes: ocb-acme/ocb-data (6a18b82d-3159-5098-999e-a215985aba97) -> none") == []
    )
    assert offences("access: ocb-globex (1d8fb833973d58a5b0c2c0989629d310) -> none") == []


def test_missing_items_say_what_was_looked_for(tmp_path: Path) -> None:
    """Names and natural keys, never a bare id: what an operator searches the target for."""
    source, target, rules = odd_cases()
    (tmp_path / "s.json").write_text(source.dumps())
    (tmp_path / "t.json").write_text(target.dumps())
    (tmp_path / "r.yaml").write_text(rules)
    out = cli(
        "diff",
        str(tmp_path / "s.json"),
        str(tmp_path / "t.json"),
        "--rules",
        str(tmp_path / "r.yaml"),
        "-f",
        "json",
    )
    messages = {
        (f["kind"], f["collection"], f["source"]["id"]): f["message"]
        for f in json.loads(out)["findings"]
    }
    assert messages[("missing", "subnets", "0d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a")] == (
        "subnet cw-acme/10.0.0.0/24 on network cw-net (0d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a)"
        " has no counterpart in the target (looked for a subnet 10.0.0.0/24 on network"
        " ocb-acme/ocb-net); restore it or record its fate."
    )
    assert messages[("missing", "volumes", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d")] == (
        "volume cw-acme/(no name) (9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d) has no counterpart in the"
        " target (it has no name to look for); restore it or record its fate."
    )
    assert messages[("missing", "floating_ips", "fip-1")] == (
        "floating ip cw-acme/198.51.100.7 has no counterpart in the target (looked for"
        " ocb-acme/198.51.100.7, then a floating IP on the counterpart of server cw-acme/cw-web);"
        " restore it or record its fate."
    )
    assert messages[("changed", "servers", "s-2")] == (
        "server ocb-acme/ocb-db has flavor m1.large, expected ocb-large (the same size)."
    )
