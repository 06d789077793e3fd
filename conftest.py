"""Every test gets the shared kit (everytouch/testing): cast, clients, workers, mail, browser."""

import pytest

# The kit's helpers assert (client_for logs in); rewrite them for readable failures.
pytest.register_assert_rewrite("everytouch.testing")

pytest_plugins = ["everytouch.testing.plugin"]
