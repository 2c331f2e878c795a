"""The import layers of the runtime package, read from the source (function-local imports included): every
module of lib_posefill belongs to one layer and imports only from its own layer or those below; no two modules
import each other, directly or round a loop; the runtime never imports the development package (posefill_dev),
which may import the runtime, and no package of posefill_dev imports a package that imports it back."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import REPO

LAYERS = [
    ("base", {"errors", "limits", "memory", "resources", "version", "files", "skeleton", "jsontext", "options"}),
    ("pose", {"document", "baselines", "noise", "shaping", "features", "hands", "anatomy"}),
    ("model", {"filler", "model", "suspicion_model", "suspicious"}),
    ("pipeline", {"framing", "completion", "render", "decode", "sequence", "api"}),
    ("http and comfyui", {"http", "comfyui"}),
    ("tab", {"ui"}),
    ("webui and cli", {"hosts", "cli"}),
    ("entry points", {"__init__", "__main__"}),
]
"""Each top-level module or sub-package of lib_posefill, lowest layer first."""
RANK = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if path.name == "__init__.py" else parts)


def imports(path: Path) -> set[str]:
    """The modules ``path`` imports anywhere in it, as absolute names (``from X import name`` counts as
    ``X.name`` when that is a module, else as ``X``)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            for alias in node.names:
                as_module = f"{target}.{alias.name}"
                found.add(as_module if is_module(as_module) else target)
    return found


def is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (itself left out)."""
    edges = {}
    for path in sorted((REPO / package).rglob("*.py")):
        name = module_name(path)
        edges[name] = {m for m in imports(path) if m.split(".")[0] == package and m != name}
    return edges


def unit(module: str) -> str:
    """The top-level module or sub-package of lib_posefill a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def collapsed(edges: dict[str, set[str]], key) -> dict[str, set[str]]:
    out = defaultdict(set)
    for a, targets in edges.items():
        out[key(a)] |= {key(b) for b in targets if key(b) != key(a)}
    return out


RUNTIME = graph("lib_posefill")
DEV = graph("posefill_dev")


def test_every_runtime_module_has_a_layer():
    units = {unit(m) for m in RUNTIME}
    assert units == set(RANK), f"not in LAYERS: {sorted(units - set(RANK))}; gone: {sorted(set(RANK) - units)}"


def test_nothing_in_the_runtime_imports_from_a_higher_layer():
    upward = sorted(
        f"{a} -> {b} ({LAYERS[RANK[unit(a)]][0]} -> {LAYERS[RANK[unit(b)]][0]})"
        for a, targets in RUNTIME.items()
        for b in targets
        if RANK[unit(b)] > RANK[unit(a)]
    )
    assert not upward


@pytest.mark.parametrize("level", ["module", "package"])
def test_no_import_cycles_in_the_runtime(level):
    edges = RUNTIME if level == "module" else collapsed(RUNTIME, unit)
    assert not cycles(edges)


def test_the_runtime_never_imports_the_development_package():
    found = sorted(
        f"{module_name(p)} -> {m}"
        for p in (REPO / "lib_posefill").rglob("*.py")
        for m in imports(p)
        if m.split(".")[0] == "posefill_dev"
    )
    assert not found


def test_no_import_cycles_in_the_development_package():
    assert not cycles(DEV)
    assert not cycles(collapsed(DEV, lambda m: ".".join(m.split(".")[:2])))


def test_the_walk_sees_function_local_and_relative_imports(tmp_path):
    """The checks above would pass vacuously if the walk missed imports: it finds the ones it must."""
    assert "lib_posefill.ui.blocks" in RUNTIME["lib_posefill.hosts.tab"]  # function-local, relative
    assert "lib_posefill.http.routes" in RUNTIME["lib_posefill.ui.blocks"]  # function-local
    assert "lib_posefill.api" in RUNTIME["lib_posefill"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
