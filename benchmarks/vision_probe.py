"""One fresh worker-like process for ``manage.py bench_vision``: it loads one pipeline and measures it.

    python -m benchmarks.vision_probe --kind ours|fer --model M.tflite --capture C.jpg --started-at EPOCH

Prints one JSON line: cold start, memory, classifier and end-to-end latencies. Only the standard
library is imported at the top, so the cold-start clock (started by the parent just before it
spawned this interpreter) covers Django, the worker's modules, OpenCV, LiteRT and the model load.
"""

import argparse
import importlib
import importlib.util
import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

# What a Celery worker process has imported before its first task (see worker/celery.py).
WORKER_MODULES = ("worker.celery", "emotion.tasks", "playlists.tasks")
AFTER_START_CAPTURES = 5
CLASSIFIER_BATCH = 8


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kind", choices=("ours", "fer"), required=True)
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--capture", type=Path, required=True, help="the JPEG capture to analyse")
    p.add_argument("--started-at", type=float, required=True, help="time.time() just before this process started")
    p.add_argument("--detector-model", type=Path, help="YuNet ONNX model; the Haar cascade without it")
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--one-core", action="store_true", help="pin this process to a single CPU")
    p.add_argument("--flip-tta", action="store_true", help="also classify each face mirrored (EMOTION_FLIP_TTA)")
    return p.parse_args(argv)


def import_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodmusic.settings")
    import django

    django.setup()
    for name in WORKER_MODULES:
        if importlib.util.find_spec(name):
            importlib.import_module(name)


def build_pipeline(args: argparse.Namespace):
    from emotion.vision.classifier import EmotionClassifier
    from emotion.vision.detector import make_detector
    from emotion.vision.pipeline import Pipeline

    pipeline_class = Pipeline
    if args.kind == "fer":
        from benchmarks.fer_baseline import FerPipeline as pipeline_class
    return pipeline_class(make_detector(args.detector_model),
                          EmotionClassifier(args.model, num_threads=args.threads, flip_tta=args.flip_tta))


def memory_mb() -> dict[str, float]:
    """Resident memory now and at its peak, from /proc (Linux) and getrusage."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    except OSError:
        return {"vm_rss": maxrss, "vm_hwm": maxrss, "maxrss": maxrss}
    kib = {key: int(status[key].split()[0]) for key in ("VmRSS", "VmHWM")}
    return {"vm_rss": kib["VmRSS"] / 1024, "vm_hwm": kib["VmHWM"] / 1024, "maxrss": maxrss}


def timed_ms(fn: Callable[[], object], iterations: int) -> list[float]:
    for _ in range(max(3, iterations // 10)):
        fn()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q))


def face_batches(pipeline, args: argparse.Namespace, image) -> tuple:
    """Model input for the capture's first face (its centre if none is found): batch 1 and batch 8."""
    import numpy as np

    from emotion.vision.preprocess import crop_face, to_gray

    if args.kind == "fer":
        from benchmarks.fer_baseline import faces_to_batch
    else:
        from emotion.vision.preprocess import faces_to_batch
    gray = to_gray(image)
    boxes = pipeline.detector.detect(image)
    h, w = gray.shape
    box = boxes[0].as_tuple() if boxes else (w // 3, h // 3, w // 3, h // 3)
    one = faces_to_batch([crop_face(gray, box)])
    return one, np.repeat(one, CLASSIFIER_BATCH, axis=0)


def classifier_ms(pipeline, args: argparse.Namespace, image) -> dict[str, float]:
    one, many = face_batches(pipeline, args, image)
    predict = pipeline.classifier.predict
    batch1 = timed_ms(lambda: predict(one), args.iterations)
    batch8 = [t / CLASSIFIER_BATCH for t in timed_ms(lambda: predict(many), args.iterations)]
    return {
        "batch1_p50": percentile(batch1, 50), "batch1_p90": percentile(batch1, 90),
        "batch8_per_face_p50": percentile(batch8, 50), "batch8_per_face_p90": percentile(batch8, 90),
    }


def capture_ms(pipeline, args: argparse.Namespace, data: bytes) -> tuple[dict[str, float], int]:
    stages: dict[str, list[float]] = {"decode": [], "detect": [], "classify": []}

    def analyse():
        analysis = pipeline.analyse_bytes(data)
        for stage, values in stages.items():
            values.append(analysis.timings_ms[stage])
        return analysis

    totals = timed_ms(analyse, args.iterations)
    figures = {"p50": percentile(totals, 50), "p90": percentile(totals, 90), "mean": sum(totals) / len(totals)}
    figures.update({f"{stage}_p50": percentile(values, 50) for stage, values in stages.items()})
    return figures, len(pipeline.analyse_bytes(data).faces)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    data = args.capture.read_bytes()
    import_worker()
    imported = time.time() - args.started_at
    pipeline = build_pipeline(args)
    ready = time.time() - args.started_at
    pipeline.analyse_bytes(data)
    first_result = time.time() - args.started_at
    for _ in range(AFTER_START_CAPTURES):
        pipeline.analyse_bytes(data)
    memory = memory_mb()

    from emotion.vision.pipeline import decode

    classifier = classifier_ms(pipeline, args, decode(data))
    capture, faces = capture_ms(pipeline, args, data)
    result = {
        "version": pipeline.version,
        "faces_in_capture": faces,
        "classifier_ms": classifier,
        "capture_ms": capture,
        "captures_per_s": 1000 / capture["mean"],
        "memory_mb": memory,
        "cold_start_s": {"imports": imported, "ready": ready, "first_result": first_result},
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
