"""The models package reads in layers: no module imports, at any depth and at any place in its text
(a function's lazy import and a type checker's import too), a module that imports it back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports, anywhere in its text."""
    graph = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = found
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(m, path):
        state[m] = "open"
        for d in sorted(graph[m]):
            if state.get(d) == "open":
                found.append(path[path.index(d):] + [d])
            elif d not in state:
                visit(d, path + [d])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return found


def floors(graph: dict[str, set[str]]) -> int:
    """The longest chain of imports, counted in modules."""
    memo = {}

    def depth(m):
        if m not in memo:
            memo[m] = 1 + max((depth(d) for d in graph[m]), default=0)
        return memo[m]

    return max(depth(m) for m in graph)


def test_models_has_no_import_circles():
    graph = imports_of("models")
    assert cycles(graph) == []
    assert floors(graph) <= 12


def test_the_cells_import_nothing_but_numpy_and_each_other():
    graph = imports_of("models")
    for m, deps in graph.items():
        if m.startswith("models.cells"):
            assert all(d.startswith("models.cells") for d in deps), (m, deps)
