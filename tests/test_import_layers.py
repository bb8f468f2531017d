"""Imports run one way (docs/architecture.md): read from the source, every import counted."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: each package may import only those before it (docs/architecture.md).
PACKAGES = ("connectors", "accounts", "auth_store", "builder", "config")
# What the engine and the connectors must not import: the web framework, the ORM, the queue.
FRAMEWORKS = {"django", "rest_framework", "drf_spectacular", "celery", "kombu", "psycopg"}
# The engine uses the connectors and the error base every app shares (plain Python), nothing else
# of ours: it runs without Django (tests/engine/).
ENGINE_MAY_IMPORT = ("builder.engine", "connectors", "accounts.errors")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(f"{prefix}.")


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every name the module imports, anywhere in it (in functions too), as a dotted path.

    `from a import b` counts as importing the module `a.b` when there is one, else `a`.
    """
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules() else base)
    return frozenset(found)


def dependencies(module: str) -> set[str]:
    """Our modules that importing this one executes: each imported module and its packages
    (importing a.b.c runs a/__init__.py and a/b/__init__.py first)."""
    found = set()
    for name in imports_of(module):
        parts = name.split(".")
        found.update(
            prefix
            for prefix in (".".join(parts[:end]) for end in range(1, len(parts) + 1))
            if prefix in modules() and prefix != module
        )
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                lowest[node] = min(lowest[node], lowest[target])
            elif target in stack:
                lowest[node] = min(lowest[node], index[target])
        if lowest[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for module in modules():
        source = module.split(".")[0]
        graph[source].update(
            target.split(".")[0]
            for target in dependencies(module)
            if target.split(".")[0] != source
        )
    return graph


def test_no_cycle_between_top_level_packages():
    assert cycles(package_graph()) == []


def test_each_top_level_package_imports_only_those_below_it():
    upward = {
        (package, target)
        for package, targets in package_graph().items()
        for target in targets
        if PACKAGES.index(target) > PACKAGES.index(package)
    }

    assert upward == set()


def test_no_cycle_among_the_modules_of_builder():
    graph = {
        module: {target for target in dependencies(module) if within(target, "builder")}
        for module in modules()
        if within(module, "builder")
    }

    assert cycles(graph) == []


def test_the_engine_imports_neither_django_nor_our_apps():
    refused = {
        (module, name)
        for module in modules()
        if within(module, "builder.engine")
        for name in imports_of(module)
        if name.split(".")[0] in FRAMEWORKS
        or (
            name.split(".")[0] in PACKAGES
            and not any(within(name, allowed) for allowed in ENGINE_MAY_IMPORT)
        )
    }

    assert refused == set()


def test_connectors_import_neither_django_nor_our_apps():
    refused = {
        (module, name)
        for module in modules()
        if within(module, "connectors")
        for name in imports_of(module)
        if name.split(".")[0] in FRAMEWORKS or name.split(".")[0] in set(PACKAGES) - {"connectors"}
    }

    assert refused == set()


def test_the_import_walk_counts_imports_inside_functions():
    # AppConfig.ready imports the signals module inside the method, to run once apps are loaded.
    assert "builder.signals" in imports_of("builder.apps")
