"""PostgreSQL connections cut (pg_terminate_backend) again and again while captures are posted and analysed.

Real processes: the web side is Django's live server (a thread of this process, its own connections), two
Celery workers with the beat sweeper keep their connections (DB_CONN_MAX_AGE=60, health-checked), PostgreSQL.
Every answer is a 202 or a 503 with Retry-After (posted again after it); every capture ends done, once.
"""

import threading
import time

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from emotion.models import Capture
from tests.faults.test_capture_faults import PHOTO, all_done, assert_each_analysed_once
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.fault]


class BackendKiller(threading.Thread):
    """Terminates every backend of the test database but the test's own, every ``interval`` seconds."""

    def __init__(self, spare_pid: int, interval: float = 0.15) -> None:
        super().__init__(daemon=True)
        self.spare_pid, self.interval, self.killed, self.stop = spare_pid, interval, 0, threading.Event()

    def run(self) -> None:
        db = settings.DATABASES["default"]
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                             password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as conn:
            while not self.stop.wait(self.interval):
                rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                    "AND pid <> pg_backend_pid() AND pid <> %s", (db["NAME"], self.spare_pid))
                self.killed += sum(1 for (done,) in rows if done)


def test_captures_survive_database_connections_terminated_mid_burst(workers, live_server, alice, settings):
    # The posts a 503 asks to repeat are counted by the capture throttle too: out of the way here.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"captures": "1000/min"}}
    workers.env = {"DB_CONN_MAX_AGE": "60"}
    workers.start()
    workers.start()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=alice).key}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        killer = BackendKiller(spare_pid=cursor.fetchone()[0])

    statuses, ids = [], []
    killer.start()
    try:
        for i in range(20):
            for _attempt in range(20):
                response = session.post(f"{live_server.url}/api/captures/",
                                        files={"image": (f"{i}.jpg", PHOTO, "image/jpeg")}, timeout=30)
                statuses.append(response.status_code)
                assert response.status_code in (202, 503), response.content
                assert response.headers["Content-Type"].startswith("application/json")
                if response.status_code == 202:
                    ids.append(response.json()["id"])
                    break
                assert int(response.headers["Retry-After"]) > 0
                time.sleep(0.05)  # a client honouring Retry-After would wait longer; the test need not
            else:
                pytest.fail(f"capture {i} answered 503 twenty times: {statuses}")
        time.sleep(1)  # keep cutting while the workers analyse (the burst is over, nothing is waited for)
    finally:
        killer.stop.set()
        killer.join(timeout=10)

    assert killer.killed > 0
    wait_for(lambda: all_done(ids), timeout=120)
    assert_each_analysed_once(ids)
    assert Capture.objects.filter(owner=alice).exclude(pk__in=ids).filter(status="failed").count() == 0
    retried = sum(log.read_text().count("interrupted by the database") for log in workers.logdir.glob("worker-*.log"))
    print(f"20 captures: {len(statuses)} answers ({statuses.count(503)} x 503, {statuses.count(202)} x 202), "
          f"{killer.killed} backends terminated, {retried} analyses retried by the workers")
