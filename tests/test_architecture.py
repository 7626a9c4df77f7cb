"""The package's shape, read from its source with ``ast`` (nothing is imported or run).

- **I/O only in the application layer.** Below ``auditor/app/`` no module opens a
  file, prints, reads or writes the environment, exits, installs a signal handler,
  starts a process or listens on a socket: the app reads and writes, the layers
  below take text and values and give documents back.
- **Layers.** A module imports only from its own layer or lower ones
  (DESIGN-catalog.md section 3); the application layer reaches the collection layer
  through :mod:`auditor.audit` only; the tools (sandbox, demo) stand on the model.
- **No import cycle between the top-level parts** of the package.
- **No private name** (``_name``) imported from another top-level part.
- **No module over 400 lines**, with no exception.

Each exception to the other rules is listed with its reason; a listed exception
that no longer happens fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "auditor"

MAX_LINES = 400

# -- the layers -----------------------------------------------------------------------

TOOL = 9
"""The tools (sandbox, demo): built on the model, never on the layers that walk or diff."""

LAYERS = {
    # L0: documents, declarations, and the leaf helpers everything may use.
    "__init__": 0,
    "errors": 0,
    "defaults": 0,
    "textsafe": 0,
    "secrets": 0,
    "gcpause": 0,
    "logsetup": 0,
    "model": 0,
    "catalog": 0,
    "records": 0,  # track B derives it from the catalog, then removes it
    # L1: validated inputs: text in, objects out.
    "schemas": 1,
    "yamldoc": 1,
    "regexcheck": 1,
    "shapecheck": 1,
    "rules": 1,
    "ruleparts": 1,  # the parts of a Rules (rewrites, item globs, folds)
    "waivers": 1,
    # L2: HTTP walking through an adapter, and pairing.
    "hostguard": 2,
    "profilecheck": 2,
    "connect": 2,
    "clouds": 2,  # the cloud, profile and retry policy an audit is asked for
    "authn": 2,
    "collect": 2,
    "folds": 2,
    "match": 2,
    # L3: pure functions of what L0-L2 give.
    "diff": 3,
    "idmap": 3,
    "history": 3,
    "filters": 3,
    "render": 3,
    "metrics": 3,
    "export": 3,
    "hints": 3,
    # L4: the use cases (options in, documents out).
    "audit": 4,
    "evidence": 4,
    # L5: the application layer, the only one with I/O.
    "app": 5,
    "cli": 5,
    "__main__": 5,
    # Tools.
    "sandbox": TOOL,
    "demo": TOOL,
}

TOOL_MAY_IMPORT = {0, 1, TOOL}
"""The tools stand on the documents and validated inputs, and on each other."""

TOOL_EXTRA = {"demo": {"audit"}}
"""DESIGN-catalog.md section 3: the demo may use the audit use case."""

COLLECTION_LAYER = {name for name, layer in LAYERS.items() if layer == 2}
"""What the application layer reaches through auditor.audit only."""

# -- what counts as I/O ------------------------------------------------------------------

IO_BUILTINS = {"open", "print", "input", "exit", "quit", "breakpoint"}
IO_ATTRIBUTES = {
    "os": {
        "environ", "environb", "getenv", "getenvb", "putenv", "unsetenv", "open", "fdopen",
        "listdir", "scandir", "walk", "replace", "rename", "remove", "unlink", "mkdir",
        "makedirs", "rmdir", "removedirs", "chmod", "fchmod", "chown", "fsync", "system",
        "popen", "kill", "_exit", "chdir",
    },
    "sys": {"exit", "stdout", "stderr", "stdin", "__stdout__", "__stderr__", "__stdin__"},
    "io": {"open"},
}  # fmt: skip
IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "iterdir", "touch"}
"""pathlib's file methods, whatever the object is called."""
IO_MODULES = {
    "signal", "subprocess", "shutil", "tempfile", "fcntl", "socket", "socketserver",
    "http.server", "pty", "termios", "multiprocessing",
}  # fmt: skip

IO_ALLOWED = {
    ("sandbox/server.py", "import socket"): "the sandbox's HTTP server listens on a loopback"
    " socket: serving is what it is for",
    ("sandbox/server.py", "import http.server"): "the sandbox's HTTP server (the standard"
    " library's ThreadingHTTPServer)",
    ("schemas/__init__.py", ".read_text()"): "the package's own JSON Schemas, package data"
    " read through importlib.resources, never a user's file",
}
"""(module, what) -> why it may do that below the application layer."""

# -- reading the package ---------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    path: Path
    """The file."""
    name: str
    """Its path under auditor/, as ``collect/pager.py``."""
    dotted: str
    """``auditor.collect.pager``."""
    part: str
    """Its top-level part: ``collect``, ``model``, ``cli``..."""
    text: str
    tree: ast.Module

    @property
    def in_app(self) -> bool:
        return LAYERS.get(self.part) == 5


def read_module(path: Path, text: str | None = None) -> Module:
    text = path.read_text(encoding="utf-8") if text is None else text
    relative = path.relative_to(PACKAGE)
    parts = relative.with_suffix("").parts
    dotted_parts = parts[:-1] if parts[-1] == "__init__" else parts
    return Module(
        path=path,
        name=relative.as_posix(),
        dotted=".".join((PACKAGE.name, *dotted_parts)),
        part=parts[0],
        text=text,
        tree=ast.parse(text, str(path)),
    )


@functools.cache
def modules() -> tuple[Module, ...]:
    """Every module of the package, parsed."""
    return tuple(read_module(p) for p in sorted(PACKAGE.rglob("*.py")))


@dataclass(frozen=True)
class Import:
    module: str
    """The imported module, absolute (``auditor.collect.pager``)."""
    names: tuple[str, ...]
    """The names a ``from`` import takes (empty for ``import x``)."""
    line: int


def imports(module: Module) -> Iterator[Import]:
    """Every import of ``module``, wherever it is (functions' lazy imports included)."""
    package = module.dotted.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            yield Import(target, names, node.lineno)
            # ``from auditor import history``: the part imported is the name.
            if target == PACKAGE.name:
                for name in names:
                    yield Import(f"{target}.{name}", (), node.lineno)


def part_of(dotted: str) -> str | None:
    """The top-level part of the package a module is in, None outside the package."""
    pieces = dotted.split(".")
    if pieces[0] != PACKAGE.name:
        return None
    return pieces[1] if len(pieces) > 1 else "__init__"


# -- I/O ---------------------------------------------------------------------------------------


def io_uses(module: Module) -> Iterator[tuple[int, str]]:
    """(line, what) for each file, console, environment, process, signal or socket use."""
    aliases: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name
                if alias.name in IO_MODULES:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module in IO_MODULES:
                yield node.lineno, f"import {node.module}"
            for alias in node.names:
                if alias.name in IO_ATTRIBUTES.get(node.module, ()):
                    yield node.lineno, f"{node.module}.{alias.name}"
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in IO_BUILTINS:
                yield node.lineno, f"{node.func.id}()"
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                owner = aliases.get(node.value.id)
                if owner is not None and node.attr in IO_ATTRIBUTES.get(owner, ()):
                    yield node.lineno, f"{owner}.{node.attr}"
            if node.attr in IO_METHODS:
                yield node.lineno, f".{node.attr}()"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "SystemExit":
                yield node.lineno, "raise SystemExit"


def io_violations(mods: Sequence[Module] | None = None) -> list[str]:
    found = []
    for module in mods or modules():
        if module.in_app:
            continue
        for line, what in io_uses(module):
            if (module.name, what) not in IO_ALLOWED:
                found.append(f"auditor/{module.name}:{line}: {what}")
    return found


def test_nothing_below_the_application_layer_does_io() -> None:
    found = io_violations()
    assert found == [], (
        "file, console, environment, process or signal I/O below auditor/app/ (read and"
        " write in auditor/app/, hand text and values down):\n" + "\n".join(found)
    )


def test_every_io_exception_is_still_needed() -> None:
    seen = {
        (module.name, what)
        for module in modules()
        if not module.in_app
        for _line, what in io_uses(module)
    }
    stale = sorted(f"{name}: {what}" for name, what in IO_ALLOWED if (name, what) not in seen)
    assert stale == [], "IO_ALLOWED entries no longer needed, remove them:\n" + "\n".join(stale)


# -- layers, cycles, private names --------------------------------------------------------------


def test_every_part_of_the_package_has_a_layer() -> None:
    unknown = sorted({m.part.removesuffix(".py") for m in modules()} - set(LAYERS))
    assert unknown == [], f"give these parts of auditor/ a layer in LAYERS: {unknown}"


def layer_violations(mods: Sequence[Module] | None = None) -> list[str]:
    found = []
    for module in mods or modules():
        mine = module.part.removesuffix(".py")
        layer = LAYERS.get(mine)
        if layer is None:
            continue
        for imp in imports(module):
            theirs = part_of(imp.module)
            if theirs is None or theirs == mine or theirs not in LAYERS:
                continue
            other = LAYERS[theirs]
            where = f"auditor/{module.name}:{imp.line}: {mine} (L{layer}) imports {imp.module}"
            if layer == TOOL:
                if other not in TOOL_MAY_IMPORT and theirs not in TOOL_EXTRA.get(mine, ()):
                    found.append(f"{where} (a tool stands on the model and validated inputs)")
            elif other == TOOL:
                if layer != 5:
                    found.append(f"{where} (only the application layer runs the tools)")
            elif other > layer:
                found.append(f"{where} (L{other}: a higher layer)")
            elif layer == 5 and theirs in COLLECTION_LAYER:
                found.append(f"{where} (the application layer goes through auditor.audit)")
    return found


def test_imports_point_down_the_layers() -> None:
    found = layer_violations()
    assert found == [], "imports against the layers:\n" + "\n".join(found)


def part_graph(mods: Sequence[Module] | None = None) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in mods or modules():
        mine = module.part.removesuffix(".py")
        for imp in imports(module):
            theirs = part_of(imp.module)
            if theirs is not None and theirs != mine:
                graph.setdefault(mine, set()).add(theirs)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles between parts (one per strongly connected group, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_parts_of_the_package() -> None:
    assert cycles(part_graph()) == []


def private_imports(mods: Sequence[Module] | None = None) -> list[str]:
    found = []
    for module in mods or modules():
        mine = module.part.removesuffix(".py")
        for imp in imports(module):
            theirs = part_of(imp.module)
            if theirs is None or theirs == mine:
                continue
            private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
            last = imp.module.rsplit(".", 1)[-1]
            if last.startswith("_") and not last.startswith("__"):
                private.append(imp.module)
            found += [f"auditor/{module.name}:{imp.line}: {name}" for name in private]
    return found


def test_no_private_name_is_imported_from_another_part() -> None:
    assert private_imports() == []


# -- size -----------------------------------------------------------------------------------


def long_modules(mods: Sequence[Module] | None = None) -> dict[str, int]:
    """Module -> lines, for those over the limit."""
    lines = {m.name: m.text.count("\n") for m in mods or modules()}
    return {name: n for name, n in lines.items() if n > MAX_LINES}


def test_no_module_is_over_400_lines() -> None:
    assert long_modules() == {}, f"modules over {MAX_LINES} lines: split them"


# -- the checks catch what they are for ----------------------------------------------------------


def planted(name: str, text: str) -> tuple[Module, ...]:
    """The package's modules with ``text`` appended to module ``name`` (nothing written)."""
    changed = [m for m in modules() if m.name == name]
    assert changed, f"no module {name}"
    (old,) = changed
    new = read_module(old.path, old.text + text)
    return tuple(new if m is old else m for m in modules())


PRINT = "\n\ndef _shout() -> None:\n    print('x')\n"
IO_PLANTS = {
    "print-in-diff": ("diff/engine.py", PRINT, "print()"),
    "environ": ("rules.py", "\nimport os\n\nNAME = os.environ.get('X')\n", "os.environ"),
    "from-os-getenv": ("connect.py", "\nfrom os import getenv\n", "os.getenv"),
    "sys-exit": ("collect/pager.py", "\nimport sys\n\nSTOP = sys.exit\n", "sys.exit"),
    "signal": ("history.py", "\nimport signal\n", "import signal"),
    "pathlib": (
        "model/snapshot.py",
        "\n\ndef _read(p):\n    return p.read_text()\n",
        ".read_text()",
    ),
    "open": ("waivers.py", "\n\ndef _read(p):\n    return open(p)\n", "open()"),
    "system-exit": ("idmap.py", "\n\ndef _stop():\n    raise SystemExit(3)\n", "raise SystemExit"),
}
"""Planted I/O: (module, text appended, what the check must name)."""


@pytest.mark.parametrize(("module", "text", "expected"), IO_PLANTS.values(), ids=IO_PLANTS.keys())
def test_io_below_the_app_is_caught(module: str, text: str, expected: str) -> None:
    found = io_violations(planted(module, text))
    assert any(f"auditor/{module}:" in line and expected in line for line in found), found


def test_io_in_the_app_is_allowed() -> None:
    assert io_violations(planted("app/console.py", PRINT)) == []


LAYER_PLANTS = {
    "model-up-to-rules": ("model/enums.py", "auditor.rules", "model (L0) imports auditor.rules"),
    "diff-up-to-audit": ("diff/scope.py", "auditor.audit", "diff (L3) imports auditor.audit"),
    "app-into-collect": ("app/commands/inventory.py", "auditor.collect", "through auditor.audit"),
    "tool-into-diff": ("sandbox/paging.py", "auditor.diff", "a tool stands on the model"),
    "tool-from-below": ("rules.py", "auditor.demo", "only the application layer runs the tools"),
}
"""Planted imports: (module, what it imports, what the check must say)."""


@pytest.mark.parametrize(
    ("module", "imported", "expected"), LAYER_PLANTS.values(), ids=LAYER_PLANTS.keys()
)
def test_imports_against_the_layers_are_caught(module: str, imported: str, expected: str) -> None:
    found = layer_violations(planted(module, f"\nimport {imported}\n"))
    assert any(expected in line for line in found), found


def test_a_cycle_and_a_private_import_are_caught() -> None:
    mods = planted("model/ids.py", "\nfrom auditor.diff.compare import _unused\n")
    assert any({"diff", "model"} <= set(group) for group in cycles(part_graph(mods)))
    assert any("_unused" in line for line in private_imports(mods))


def test_a_long_module_is_caught() -> None:
    assert "history.py" in long_modules(planted("history.py", "\n" * MAX_LINES))
