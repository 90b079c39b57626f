"""Kept importable for existing imports: the core factories live in
tests/civil_affairs/factories.py (each app has its own factories module)."""

from tests.civil_affairs.factories import *  # noqa: F401,F403
