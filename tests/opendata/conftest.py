import pytest
from django.core.cache import cache

from tests.opendata.city import build_city


@pytest.fixture(autouse=True)
def _fresh_api_cache():
    """API answers are cached by URL: each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    return build_city()
