"""Locust users for ``python -m benchmarks.load``: each posts a 640x480 webcam frame and polls for its result.

Environment (set by benchmarks/load.py): LOAD_TOKENS (a file with one API token a line), LOAD_RESULT (where
the per-capture figures go as JSON), LOAD_PACING (seconds between one user's captures; 0 = as fast as it can).
The poll backs off as the capture page does (static/js/capture.js): 150 ms, then 1.5 times longer, at most 2 s.
"""

import itertools
import json
import os
import threading
import time
from pathlib import Path

import cv2
from locust import HttpUser, between, constant_pacing, events, task

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "images" / "astronaut.png"
POLL_FIRST, POLL_FACTOR, POLL_MAX = 0.15, 1.5, 2.0
RESULT_TIMEOUT = 60.0


def webcam_frame() -> bytes:
    """The astronaut photo framed like a 640x480 webcam still, JPEG quality 85 (what the page sends)."""
    face = cv2.imread(str(FIXTURE), cv2.IMREAD_COLOR)
    frame = cv2.copyMakeBorder(cv2.resize(face, (360, 360)), 60, 60, 140, 140, cv2.BORDER_REPLICATE)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok and frame.shape[:2] == (480, 640)
    return buf.tobytes()


FRAME = webcam_frame()
TOKENS = itertools.cycle(Path(os.environ["LOAD_TOKENS"]).read_text().split()) if "LOAD_TOKENS" in os.environ else None
PACING = float(os.environ.get("LOAD_PACING", "2"))
_lock = threading.Lock()
RESULTS: list[dict] = []


def record(**row) -> None:
    with _lock:
        RESULTS.append(row)


class Capturer(HttpUser):
    wait_time = constant_pacing(PACING) if PACING else between(0, 0.01)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Token {next(TOKENS)}", "X-Forwarded-Proto": "https"}

    @task
    def capture_and_wait(self) -> None:
        started = time.monotonic()
        with self.client.post("/api/captures/", files={"image": ("frame.jpg", FRAME, "image/jpeg")},
                              headers=self.headers, name="POST /api/captures/", catch_response=True) as r:
            if r.status_code != 202:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                record(id=None, ok=False, status=r.status_code, seconds=time.monotonic() - started)
                return
            capture_id = r.json()["id"]
        self.wait_for_result(capture_id, started)

    def wait_for_result(self, capture_id: int, started: float) -> None:
        delay = POLL_FIRST
        while True:
            time.sleep(delay)
            delay = min(delay * POLL_FACTOR, POLL_MAX)
            r = self.client.get(f"/api/captures/{capture_id}/", headers=self.headers, name="GET /api/captures/{id}/")
            status = r.json().get("status") if r.status_code == 200 else None
            if status in ("done", "failed") or time.monotonic() - started > RESULT_TIMEOUT:
                record(id=capture_id, ok=status == "done", status=status, seconds=time.monotonic() - started)
                return


@events.quitting.add_listener
def write_results(environment, **kwargs) -> None:
    if "LOAD_RESULT" in os.environ:
        with _lock:
            Path(os.environ["LOAD_RESULT"]).write_text(json.dumps(RESULTS))
