"""The process-wide vision pipeline, built lazily from settings.

Workers build it once per process after the fork (``worker_process_init``); the web
process never touches it unless Celery runs tasks in-process (the embedded default).
"""

import functools
import threading
from pathlib import Path

from django.conf import settings

from emotion.vision.card import ModelCard
from emotion.vision.detector import YuNetDetector, detector_model
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


@functools.cache
def device_model_version() -> str:
    """The version a reading made in the browser (private mode) carries: the served emotion model
    (same card, blend, decision and flip setting) behind YuNet, read from the files without loading
    either network, so the web process can check what a page sends."""
    card = ModelCard.read(settings.EMOTION_MODEL_PATH)
    return f"{card.version(settings.EMOTION_MODEL_PATH, settings.EMOTION_FLIP_TTA)}+{YuNetDetector.name}"


def is_loaded() -> bool:
    return _pipeline is not None


def reset() -> None:
    """Forget the pipeline so the next call rebuilds it from current settings (tests)."""
    global _pipeline
    with _lock:
        _pipeline = None
    device_model_version.cache_clear()
