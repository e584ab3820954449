"""Real processes for the fault tests: a Redis server of the test's own, and Celery workers with beat.

Nothing here touches the shared Redis on 6379: each test starts ``redis-server`` on a free port, so it may
kill and restart it at will.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.integration.conftest import _forget_producers, _wait_until_ready, database_url, wait_for
from tests.objectstore import _free_port
from worker.celery import app as celery_app

# Short limits so a dead worker's capture is recovered within seconds: hard limit 3 + 5 s, re-sent 2 s later.
FAULT_ENV = {"CAPTURE_TIME_LIMIT": "3", "CAPTURE_REQUEUE_AFTER": "2", "CAPTURE_SWEEP_INTERVAL": "1",
             "CELERY_VISIBILITY_TIMEOUT": "3600", "DB_CONN_MAX_AGE": "0"}


class RedisServer:
    """A throw-away redis-server (no persistence, like a crash that loses the queue)."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir, self.process = _free_port(), workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, timeout=20, interval=0.1)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False


class Workers:
    """Start Celery workers (each with an embedded beat, so the sweeper runs) against one broker."""

    def __init__(self, broker_url: str, media: Path, logdir: Path) -> None:
        self.broker_url, self.media, self.logdir, self.started = broker_url, media, logdir, []
        self.env: dict[str, str] = {}  # more environment for the next workers started

    def start(self) -> subprocess.Popen:
        n = len(self.started)
        log_path = self.logdir / f"worker-{n}.log"
        env = {**os.environ, **FAULT_ENV, "DATABASE_URL": database_url(), "REDIS_URL": self.broker_url,
               "MEDIA_ROOT": str(self.media), "DJANGO_DEBUG": "1", "PYTHONUNBUFFERED": "1", **self.env}
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "moodmusic", "worker", "-B", "-P", "prefork", "-c", "1",
             "-l", "info", "-n", f"fault{n}@%h", "--schedule", str(self.logdir / f"beat-{n}"),
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        self.started.append(proc)
        _wait_until_ready(proc, log_path)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    old = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    celery_app.conf.update(broker_url=server.url, task_always_eager=False)
    _forget_producers()
    yield server
    celery_app.conf.update(**old)
    _forget_producers()
    server.kill()


@pytest.fixture
def workers(own_redis, transactional_db, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    pool = Workers(own_redis.url, media, tmp_path)
    yield pool
    pool.stop_all()
