"""A real Celery worker process on Redis, pointed at the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from worker.celery import app as celery_app


def redis_url() -> str:
    """The Redis the worker tests use: ``TEST_REDIS_URL`` as given (host, password, database), so two
    runs on one machine can be kept apart by giving each its own database number."""
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker integration tests need PostgreSQL (set DATABASE_URL)")
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the worker process; a test module overrides it (object storage, its own disk)."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path, worker_env):
    """Start ``celery worker`` as a subprocess; enqueue to it instead of running tasks in-process."""
    try:
        redis.Redis.from_url(redis_url()).flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis is not running")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url(), "MEDIA_ROOT": str(media),
           "DJANGO_DEBUG": "1", "PYTHONUNBUFFERED": "1", **worker_env}
    old = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "moodmusic", "worker", "-P", "prefork", "-c", "1", "-l", "info",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        celery_app.conf.update(broker_url=redis_url(), task_always_eager=False)
        _forget_producers()
        _wait_until_ready(proc, tmp_path / "worker.log")
        yield proc
    finally:
        celery_app.conf.update(broker_url=old["broker_url"], task_always_eager=old["task_always_eager"])
        _forget_producers()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _forget_producers() -> None:
    # Celery caches its producer pool per app; drop it so the next send uses the current broker_url.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait_until_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{log_path.read_text()}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.3)
    raise TimeoutError(f"celery worker not ready after {timeout}s:\n{log_path.read_text()}")


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
