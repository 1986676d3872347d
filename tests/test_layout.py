"""The test suite's own layout: helpers shared between test modules live in support modules."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(tree: ast.Module, package: str) -> list[str]:
    """Every module an import statement names, relative imports resolved against the package."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join(base) if node.level else ""
            if node.module:
                names.append(f"{module}.{node.module}" if module else node.module)
            else:  # `from . import test_x` names the modules themselves
                names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_no_test_module_imports_another_test_module():
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parent.parts)
        tree = ast.parse(path.read_text(), filename=str(path))
        offenders += [
            f"{path.relative_to(TESTS.parent)} imports {name}"
            for name in imported_modules(tree, package)
            if name.rsplit(".", 1)[-1].startswith("test_")
        ]

    assert offenders == []
