"""The floors of the house, read from the source: `apps/core` imports no app, `apps/` never
imports `workers/`, and no import circle joins the packages of `apps/` and `workers/`.

Every module is parsed with `ast`, imports inside functions included: an import hidden in a
function to dodge a circle is still an edge of the graph (docs/architecture.md, "Floors").
"""

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(source: str, module: str, *, is_package: bool = False) -> list[tuple[str, int]]:
    """(imported module, line) for every import statement of a module's source, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source, module)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append((target, node.lineno))
            # `from apps import hub` imports the package apps.hub
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*")
    return found


@functools.cache
def _graph() -> dict[str, list[tuple[str, int]]]:
    """Every module of apps/, workers/ and community/ with what it imports (read once per run)."""
    return {
        _module_name(path): _imports(path.read_text(), _module_name(path), is_package=path.name == "__init__.py")
        for top in ("apps", "workers", "community")
        for path in sorted((ROOT / top).rglob("*.py"))
    }


def _floor_package(module: str) -> str | None:
    """The node of the package graph a module belongs to: `apps.<app>` or `workers`."""
    parts = module.split(".")
    if parts[0] == "apps" and len(parts) > 1:
        return f"apps.{parts[1]}"
    if parts[0] == "workers":
        return "workers"
    return None


def _where(module: str, line: int) -> str:
    return f"{module.replace('.', '/')}.py:{line}"


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_ground_floor_imports_no_app_above_it():
    wrong = [
        f"{_where(module, line)} imports {target}"
        for module, imports in _graph().items() if _is_within(module, "apps.core")
        for target, line in imports
        if (_is_within(target, "apps") and target not in ("apps",) and not _is_within(target, "apps.core"))
        or _is_within(target, "workers") or _is_within(target, "community.celery")
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_of_apps_imports_workers():
    wrong = [
        f"{_where(module, line)} imports {target}"
        for module, imports in _graph().items() if _is_within(module, "apps")
        for target, line in imports if _is_within(target, "workers")
    ]
    assert not wrong, "\n".join(wrong)


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_joins_the_packages_of_apps_and_workers():
    edges: dict[str, set[str]] = {}
    evidence: dict[tuple[str, str], str] = {}
    for module, imports in _graph().items():
        source = _floor_package(module)
        for target, line in imports:
            destination = _floor_package(target)
            if source and destination and source != destination:
                edges.setdefault(source, set()).add(destination)
                evidence.setdefault((source, destination), _where(module, line))
    circles = [
        [f"{a} -> {b} ({evidence[a, b]})" for a in circle for b in circle if b in edges.get(a, ())]
        for circle in _circles(edges)
    ]
    assert not circles, "\n\n".join("\n".join(circle) for circle in circles)


def test_the_graph_sees_imports_hidden_in_functions_and_relative_ones():
    """The reader must not miss the imports this test exists for."""
    source = "def later():\n    from workers.hub import sync_owner\n    import apps.hub.services\nfrom ..hub import references\n"
    assert _imports(source, "apps.core.sample") == [
        ("apps.hub", 4), ("apps.hub.references", 4),
        ("workers.hub", 2), ("workers.hub.sync_owner", 2), ("apps.hub.services", 3),
    ]
