"""Shared pytest fixtures: each app keeps its own in `<app>/tests/fixtures.py`, registered here."""

pytest_plugins = [
    "sotong.core.tests.fixtures",
    "sotong.accounts.tests.fixtures",
    "sotong.messaging.tests.fixtures",
]
