import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _korean():
    """Requests in other tests leave their language active on the thread; these tests read Korean labels."""
    with translation.override("ko"):
        yield
