"""manage.py bench_vision: every figure for the shipped pipeline and the fer baseline. Timings are never asserted."""

import json
import sys
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from benchmarks import fer_baseline
from emotion.engine import configured_detector_model
from emotion.management.commands.bench_vision import DEFAULT_IMAGE, ROWS, Command, capture_jpeg
from emotion.vision.detector import HaarDetector
from emotion.vision.pipeline import decode

MODELS = ("shipped", "fer", "fer_quantized")


@pytest.fixture(scope="module")
def report() -> dict:
    out = StringIO()
    call_command("bench_vision", "--iterations", "5", "--json-only", stdout=out)
    (line,) = out.getvalue().strip().splitlines()
    return json.loads(line)


def test_the_capture_is_a_640x480_jpeg_with_one_face():
    data = capture_jpeg(DEFAULT_IMAGE)
    assert data[:2] == b"\xff\xd8"
    image = decode(data)
    assert image.shape == (480, 640, 3)
    assert len(HaarDetector().detect(image)) == 1


def test_fer_files_are_found_without_importing_fer():
    data = fer_baseline.data_dir()
    assert (data / fer_baseline.KERAS_FILE).is_file() and fer_baseline.quantized_model().is_file()
    assert "fer" not in sys.modules


def test_fer_preprocessing_is_64x64_scaled_to_minus_one_one():
    batch = fer_baseline.faces_to_batch([np.zeros((100, 100), np.uint8), np.full((30, 30), 255, np.uint8)])
    assert batch.shape == (2, 64, 64, 1) and batch.dtype == np.float32
    assert np.allclose(batch[0], -1.0) and np.allclose(batch[1], 1.0)


def test_it_reports_every_figure_for_the_shipped_model_and_both_baselines(report):
    assert set(report["models"]) == set(MODELS)
    for name in MODELS:
        result = report["models"][name]
        assert "error" not in result, result.get("error")
        assert result["faces_in_capture"] == 1
        for _, group, figure, _ in ROWS:
            value = result[group][figure] if figure else result[group]
            assert isinstance(value, float) and value > 0, (name, group, figure, value)
        assert result["memory_mb"]["maxrss"] > 0


def test_it_reports_the_machine_the_run_and_the_targets(report):
    machine, run = report["machine"], report["run"]
    assert machine["cores"] >= 1 and len(machine["load_avg"]) == 3 and isinstance(machine["busy"], bool)
    detector = "yunet" if configured_detector_model() else "haar"
    assert run == {"iterations": 5, "threads": 1, "one_core": True, "detector": detector,
                   "capture": "640x480 JPEG of astronaut.png"}
    assert report["targets"] == {"capture_ms.p50": 15.0, "memory_mb.vm_hwm": 300.0,
                                 "cold_start_s.ready": 2.0, "cold_start_s.first_result": 2.0}


def test_the_table_puts_each_target_beside_a_verdict(report):
    out = StringIO()
    command = Command(stdout=out)
    command.print_table(report)
    table = out.getvalue()
    row = next(line for line in table.splitlines() if line.startswith("640×480 capture p50"))
    assert "≤ 15" in row and row.count("✓") + row.count("✗") == len(MODELS)
    untargeted = next(line for line in table.splitlines() if line.startswith("classifier batch 1 p50"))
    assert "≤" not in untargeted and "✓" not in untargeted and "✗" not in untargeted
    assert report["machine"]["cpu"] in table


def test_insisting_on_a_missing_yunet_model_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="needs its model file; there is none at"):
        call_command("bench_vision", "--detector", "yunet", "--detector-model", str(tmp_path / "no.onnx"),
                     "--iterations", "1", "--json-only", stdout=StringIO())
