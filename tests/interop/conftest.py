import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no requests counted (the test cache lives as long as the process)."""
    cache.clear()
