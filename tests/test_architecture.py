"""The direction of imports: the core decides and knows nothing of the screens or the command line;
nothing in the package imports in a circle (counting imports inside functions: they run too)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tracker_desktop"
FORBIDDEN_IN_CORE = ("tracker_desktop.commands", "tracker_desktop.cli", "tracker_desktop.gui", "tkinter", "argparse",
                     "tkinterdnd2", "tksheet", "sv_ttk")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """Every module `name` imports (at the top, in a function, or under a condition), with its line."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from its own package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                child = f"{module}.{alias.name}"
                found.append((child if child in known else module, node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {target for target, _ in _imports(name, path, known) if target in known and target != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions():
    graph = _graph()
    # commands.prepare imports the TEP command only when a TEP return is asked for
    assert "tracker_desktop.commands.tep" in graph["tracker_desktop.commands.prepare"]
    assert "tracker_desktop.core.values.text" in graph["tracker_desktop.core.returns.definitions"]


def test_core_never_imports_the_command_line_or_the_screens():
    modules = _modules()
    known = set(modules)
    wrong = []
    for name, path in modules.items():
        if not name.startswith("tracker_desktop.core"):
            continue
        for target, line in _imports(name, path, known):
            if any(target == f or target.startswith(f + ".") for f in FORBIDDEN_IN_CORE):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_in_the_package():
    cycles = _cycles(_graph())
    assert not cycles, "modules that import each other (directly or round a circle): " + "; ".join(
        " <-> ".join(c) for c in cycles)


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _prints(path: Path) -> list[int]:
    """Lines calling print( (the builtin, by that name) in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]


def test_core_never_prints():
    """The core returns results; only commands/ (and the app) say things to the user. A print in
    core would reach the terminal behind the command's back, or nowhere in the packaged app."""
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}" for name, path in _modules().items()
             if name.startswith("tracker_desktop.core") for line in _prints(path)]
    assert not wrong, "print( in core: " + ", ".join(wrong)


def test_the_print_check_would_find_one(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    if True:\n        print('x')\n", encoding="utf-8")
    assert _prints(module) == [3]


def test_the_templates_are_rebuilt_by_the_developer_entry(tmp_path, capsys):
    from tracker_desktop.commands.templates import main
    from tracker_desktop.core.returns.definitions import all_definitions

    assert main([str(tmp_path)]) == 0
    written = capsys.readouterr().out.splitlines()
    assert sorted(written) == sorted(f"wrote {tmp_path / d.template}" for d in all_definitions())
    assert all((tmp_path / d.template).stat().st_size > 0 for d in all_definitions())
