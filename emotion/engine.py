"""The process-wide vision pipeline, built lazily from settings.

Workers build it once per process after the fork (``worker_process_init``); the web
process never touches it unless Celery runs tasks in-process (the embedded default).
"""

import threading
from pathlib import Path

from django.conf import settings

from emotion.vision.detector import detector_model
from emotion.vision.pipeline import Pipeline

_lock = threading.Lock()
_pipeline: Pipeline | None = None


def get_pipeline() -> Pipeline:
    global _pipeline
    if _pipeline is None:
        with _lock:
            if _pipeline is None:
                _pipeline = Pipeline.from_paths(settings.EMOTION_MODEL_PATH, configured_detector_model(),
                                                flip_tta=settings.EMOTION_FLIP_TTA)
    return _pipeline


def configured_detector_model() -> Path | None:
    """The YuNet model the settings ask for, or None for the Haar cascade."""
    return detector_model(settings.FACE_DETECTOR, settings.FACE_DETECTOR_MODEL_PATH)


def is_loaded() -> bool:
    return _pipeline is not None


def reset() -> None:
    """Forget the pipeline so the next call rebuilds it from current settings (tests)."""
    global _pipeline
    with _lock:
        _pipeline = None
