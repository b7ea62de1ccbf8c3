"""Imports point down: the config at the bottom, then data, nets, the game and the variants, then the runs,
the drivers and the commands. Read from the source, so an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import advnets

PACKAGE = Path(advnets.__file__).parent
UPPER = ("advnets.runs", "advnets.cli", "advnets.reporting", "advnets.lab")


def advnets_imports(source: str, package: str) -> set[str]:
    """The advnets modules a file of `package` imports, anywhere in its `source` (functions and
    TYPE_CHECKING blocks included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` folders up
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            names.add(base)
            # `from advnets import runs` imports the module advnets.runs
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name == "advnets" or name.startswith("advnets.")}


def imports_of(path: Path) -> set[str]:
    folder = path.parent.relative_to(PACKAGE.parent)
    return advnets_imports(path.read_text(), ".".join(folder.parts))


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _is_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("folder", ["nets", "game", "variants", "data"])
def test_the_lower_layers_import_nothing_of_runs_commands_drivers_or_the_lab(folder: str) -> None:
    assert modules_under(folder)
    upward = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules_under(folder)
        for name in imports_of(path)
        if _is_under(name, UPPER)
    }
    assert not upward


def test_the_config_imports_only_itself_and_the_error_types() -> None:
    assert modules_under("config")
    allowed = ("advnets.config", "advnets.errors")
    outside = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules_under("config")
        for name in imports_of(path)
        if not _is_under(name, allowed)
    }
    assert not outside


def test_the_walk_sees_every_form_of_import() -> None:
    """The check itself: plain, from, relative and function-level imports are all found."""
    source = (
        "import advnets.runs.model\n"
        "from advnets import lab\n"
        "from . import losses\n"
        "from ..cli.app import app\n"
        "def f():\n"
        "    from advnets.reporting.figures import write_figures\n"
    )
    found = advnets_imports(source, "advnets.game")
    assert {"advnets.runs.model", "advnets.lab", "advnets.game.losses", "advnets.cli.app"} <= found
    assert "advnets.reporting.figures" in found
