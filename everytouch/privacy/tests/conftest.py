from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

AccessLog = Callable[[], list[str]]


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Iterator[AccessLog]:
    """The lines written so far to the access log (which does not propagate to the root)."""
    logger = logging.getLogger("everytouch.access")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="everytouch.access")
    try:
        yield lambda: [r.getMessage() for r in caplog.records if r.name == "everytouch.access"]
    finally:
        logger.removeHandler(caplog.handler)
