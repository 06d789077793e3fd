"""Every test gets the shared kit (everytouch/testing): cast, clients, workers, mail, browser."""

import pytest
from hypothesis import settings

# The kit's helpers assert (client_for logs in); rewrite them for readable failures.
pytest.register_assert_rewrite("everytouch.testing")

pytest_plugins = ["everytouch.testing.plugin"]

# Hypothesis's per-example deadline is a timing assertion, and tests never assert on time: on
# a loaded CI machine a correct example can take longer than 200 ms and fail the run.
settings.register_profile("everytouch", deadline=None)
settings.load_profile("everytouch")
