"""The analysis package stays pure Python: no module in it imports Django, directly or not."""

from __future__ import annotations

import subprocess
import sys

# Run in a fresh interpreter: this test process has Django loaded already. Every module is
# walked, not a chosen few, so a new module that imports Django fails here the day it lands.
_IMPORT_ALL = """
import importlib, pkgutil, sys
import everytouch.analysis as package
names = [
    info.name
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if "tests" not in info.name.split(".")
]
for name in names:
    importlib.import_module(name)
print(len(names))
print(sorted(m for m in sys.modules if m.split(".")[0] == "django"))
"""


def test_it_imports_no_django() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, check=True, timeout=120
    )
    count, django_modules = result.stdout.split("\n", 1)
    assert int(count) > 20, "the walk found too few modules to be the whole package"
    assert django_modules.strip() == "[]"
