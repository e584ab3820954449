"""Load the vision pipeline once per worker process, after the fork."""

import logging
import time

from celery.signals import worker_process_init

log = logging.getLogger(__name__)


@worker_process_init.connect
def warm_up_pipeline(**kwargs) -> None:
    from emotion import engine

    t0 = time.perf_counter()
    pipeline = engine.get_pipeline()
    log.info("vision pipeline ready in %.0f ms: model %s, detector %s", (time.perf_counter() - t0) * 1000,
             pipeline.classifier.version, pipeline.detector.name)
