"""The documentation site builds with mkdocs --strict, and the rules reference
is the one generated from the rules schema."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.ops.conftest import REPO, need, timed, tool_env


def test_rules_reference_is_generated_from_the_schema() -> None:
    result, _ = timed([sys.executable, str(REPO / "docs" / "gen_rules_reference.py"), "--check"])
    assert result.returncode == 0, result.stderr


def test_collections_reference_is_generated_from_the_declarations() -> None:
    script = REPO / "docs" / "gen_collections_reference.py"
    result, _ = timed([sys.executable, str(script), "--check"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = need("mkdocs", "the documentation build")
    site = tmp_path / "site"
    result, seconds = timed(
        [mkdocs, "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        env=tool_env(),
        timeout=300,
    )
    print(f"mkdocs build: {seconds:.1f} s")
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("index", "usage", "rules", "report", "operations", "testing", "architecture"):
        assert (site / f"{page}.html").is_file(), page
    rules = (site / "rules.html").read_text()
    assert "rename.names[].pattern" in rules and "residue.patterns" in rules
    # The usage page's link to clouds.yaml.example is published with the site.
    assert (site / "repo" / "clouds.yaml.example").is_file()
    assert 'href="repo/clouds.yaml.example"' in (site / "usage.html").read_text()
