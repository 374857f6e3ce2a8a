import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _korean():
    """A request in English leaves its language active on the thread; these tests read Korean text."""
    with translation.override("ko"):
        yield
