"""Settings for the test suite: the project's, plus a tiny policy area
(tests/sample_area) that proves an area plugs in without editing the core."""

from civil_affairs.settings import *  # noqa: F401,F403
from civil_affairs.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sample_area"]
