"""Shared fixtures: the two personas every endpoint is tried with, and API clients for them."""

import os
import socket
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


def pytest_sessionstart(session) -> None:
    """Under REQUIRE_ALL (CI), a missing browser, PostgreSQL or Redis fails the run instead of skipping."""
    if not os.environ.get("REQUIRE_ALL"):
        return
    missing = []
    if not Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists():
        missing.append("Chromium")
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                missing.append(name)
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        missing.append("DATABASE_URL pointing at PostgreSQL")
    if missing:
        pytest.exit(f"REQUIRE_ALL is set but these are missing: {', '.join(missing)}", returncode=1)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.com")


@pytest.fixture
def alice_api(alice) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def bob_api(bob) -> APIClient:
    client = APIClient()
    client.force_authenticate(bob)
    return client
