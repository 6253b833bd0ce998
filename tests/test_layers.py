from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORBIDDEN_IN_DOMAIN = ("strawberry", "starlette", "uvicorn", "graphql", "schema", "api")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_knows_nothing_of_graphql_or_the_web():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN_IN_DOMAIN))
        for path in (ROOT / "domain").rglob("*.py")
    }

    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_schema_layer_does_not_reach_up_into_the_process_edge():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "schema").rglob("*.py") if "api" in _imports(p)]

    assert offenders == []


def test_package_init_files_stay_empty():
    non_empty = [
        str(path.relative_to(ROOT))
        for folder in ("api", "schema", "domain")
        for path in (ROOT / folder).rglob("__init__.py")
        if path.read_text().strip()
    ]

    assert non_empty == []
