"""mkdocs hook: repository files the pages link to (``../clouds.yaml.example``)
are published with the site, under ``repo/``, and the links point there.

The pages are also read on GitHub-like viewers from docs/, where ``../`` links
are right; on the site they would otherwise be broken (and fail --strict). A
link to a repository file that does not exist is left as it is, so the build
still reports it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(\.\./([^)#\s]+)\)")
PUBLISHED = "repo"


def _exists(target: str) -> bool:
    path = (REPO / target).resolve()
    return path.is_file() and REPO in path.parents


def on_files(files: Files, config: Any) -> Files:
    for page in sorted(Path(config["docs_dir"]).glob("*.md")):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            uri = f"{PUBLISHED}/{target}"
            if _exists(target) and files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(REPO / target)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    return LINK.sub(
        lambda m: f"]({PUBLISHED}/{m.group(1)})" if _exists(m.group(1)) else m.group(0), markdown
    )
