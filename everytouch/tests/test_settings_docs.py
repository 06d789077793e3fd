"""Every environment variable settings.py reads is documented in docs/deploy.md and .env.example,
and neither documents one that settings.py no longer reads.

The variables are found by parsing settings.py for calls to the ``env_*`` helpers, so the source
is the list; a direct ``os.environ`` read would slip past that, and is refused too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "everytouch" / "settings.py"
# A row of the variables table: | `NAME` | default | accepted | meaning |
DEPLOY_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)
# A commented-out (or set) assignment: # NAME=value
EXAMPLE_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _tree() -> ast.Module:
    return ast.parse(SETTINGS.read_text(encoding="utf-8"))


def _helper_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) and func.id.startswith("env_") else None


def settings_variables() -> set[str]:
    names = set()
    for node in ast.walk(_tree()):
        if isinstance(node, ast.Call) and _helper_name(node):
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"settings.py line {node.lineno}: name the variable with a string literal"
            )
            names.add(first.value)
    return names


def test_settings_read_the_environment_only_through_the_helpers() -> None:
    direct = [
        node.lineno
        for node in ast.walk(_tree())
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"})
        or (isinstance(node, ast.alias) and node.name in {"os", "environ", "getenv"})
    ]
    assert not direct, f"settings.py reads the environment directly on lines {direct}"


def test_the_parse_finds_the_variables() -> None:
    # Guards the guard: a parse that found nothing would make the checks below pass vacuously.
    assert {"SECRET_KEY", "DATABASE_URL", "EVERYTOUCH_PHONE_REGION"} <= settings_variables()


def test_every_variable_is_in_the_deploy_guide() -> None:
    documented = set(DEPLOY_ROW.findall((ROOT / "docs" / "deploy.md").read_text("utf-8")))
    read = settings_variables()
    assert sorted(read - documented) == [], "add these to the table in docs/deploy.md"
    assert sorted(documented - read) == [], "settings.py no longer reads these"


def test_every_variable_is_in_the_env_example() -> None:
    listed = EXAMPLE_LINE.findall((ROOT / ".env.example").read_text("utf-8"))
    read = settings_variables()
    assert sorted(read - set(listed)) == [], "add these to .env.example"
    assert sorted(set(listed) - read) == [], "settings.py no longer reads these"
    assert len(listed) == len(set(listed)), "a variable is listed twice in .env.example"
