"""The analysis package stays pure Python: the identity extractors import no Django."""

from __future__ import annotations

import subprocess
import sys


def test_it_imports_no_django() -> None:
    code = (
        "import sys\n"
        "import everytouch.analysis.contacts, everytouch.analysis.asks\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
