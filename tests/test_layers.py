"""The models package reads in layers: no module imports, at any depth and at any place in its text
(a function's lazy import and a type checker's import too), a module that imports it back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports, anywhere in its text."""
    graph = {(package + "/" + path).removesuffix(".py").replace("/", ".").removesuffix(".__init__"): found
             for path, found in imports_anywhere(ROOT / package).items()}
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
    assert floors(graph) <= 13  # Suggest settings (models.suggest) sits on the backtest, one floor up


def test_the_cells_import_nothing_but_numpy_and_each_other():
    graph = imports_of("models")
    for m, deps in graph.items():
        if m.startswith("models.cells"):
            assert all(d.startswith("models.cells") for d in deps), (m, deps)


def imports_anywhere(folder: Path) -> dict[str, set[str]]:
    """Module of ``folder`` -> every module it names in an import, anywhere in its text."""
    out = {}
    for path in sorted(folder.rglob("*.py")):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        out[str(path.relative_to(folder))] = found
    return out


BELOW = {"components/server": ("components.page", "components.notebooks"), "components/notebooks": ("components.page",),
         "models": ("components", "app", "cli"), "data": ("components", "models", "app", "cli")}


def wrong_arrows(root: Path) -> list[str]:
    out = []
    for folder, banned in BELOW.items():
        for module, names in imports_anywhere(root / folder).items():
            out += [f"{folder}/{module} imports {n}" for n in sorted(names)
                    if n in banned or n.startswith(tuple(b + "." for b in banned))]
    return out


def test_arrows_point_down_the_rooms():
    """The server never imports the page or the notebooks; models and data never import the web layer."""
    assert wrong_arrows(ROOT) == []


def test_the_layering_rule_sees_a_wrong_arrow(tmp_path):
    (tmp_path / "components" / "server").mkdir(parents=True)
    (tmp_path / "components" / "server" / "bad.py").write_text("def f():\n    from components.page import ids\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ok.py").write_text("import components_like\nfrom models import run\n")
    assert wrong_arrows(tmp_path) == ["components/server/bad.py imports components.page",
                                      "components/server/bad.py imports components.page.ids"]


def javascript_in_strings(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if ("function" in text or "=>" in text) and "{" in text and len(text.strip().splitlines()) > 2:
                    found.append(f"{path.relative_to(folder)}:{node.lineno}")
    return found


def test_no_python_string_in_components_holds_more_than_two_lines_of_javascript(tmp_path):
    """Clientside callbacks live in assets/gatelab.js, bound by name (``ClientsideFunction``)."""
    assert javascript_in_strings(ROOT / "components") == []
    (tmp_path / "bad.py").write_text('JS = """\nfunction(a) {\n    return a;\n}\n"""\n')
    assert javascript_in_strings(tmp_path) == ["bad.py:1"]
