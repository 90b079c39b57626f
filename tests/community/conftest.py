import pytest

from civil_affairs.models import Role


@pytest.fixture
def worker(users):
    """The community worker of 金沙社区."""
    return users[Role.COMMUNITY_WORKER]


@pytest.fixture
def today(settings):
    settings.MINZHENG_TODAY = "2026-06-01"
    import datetime as dt

    return dt.date(2026, 6, 1)
