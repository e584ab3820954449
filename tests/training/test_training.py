"""training/: data loading, shared preprocessing, a tiny real training run, export agreement, evaluate."""

import json
import shutil

import cv2
import numpy as np
import pytest

from emotion.vision import preprocess
from emotion.vision.labels import EMOTIONS
from tests.images import FER2013

pytestmark = pytest.mark.training


@pytest.fixture(scope="module")
def tiny_fer(tmp_path_factory):
    """A few real FER2013 images per emotion in the ``<split>/<label>/*.png`` layout, plus an unknown label."""
    root = tmp_path_factory.mktemp("fer")
    for split, per_class in (("train", 12), ("val", 4)):
        for emotion in EMOTIONS:
            (root / split / emotion).mkdir(parents=True)
            for src in sorted((FER2013 / split / emotion).glob("*.png"))[:per_class]:
                shutil.copy(src, root / split / emotion / src.name)
    (root / "val" / "contempt").mkdir()
    shutil.copy(next((FER2013 / "val" / "happy").glob("*.png")), root / "val" / "contempt" / "x.png")
    return root


def test_folders_load_with_labels_and_unknown_labels_are_counted(tiny_fer):
    from training import data

    split = data.read_split(tiny_fer, subfolder="val")
    assert len(split) == 4 * 7 and split.skipped == 1
    assert split.images.shape == (28, 48, 48) and split.images.dtype == np.uint8
    assert data.class_counts(split.labels) == dict.fromkeys(EMOTIONS, 4)


def test_labels_csv_loads_usage_and_ferplus_votes(tmp_path):
    from training import data

    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((48, 48), np.uint8))
    cv2.imwrite(str(tmp_path / "b.png"), np.full((48, 48), 255, np.uint8))
    (tmp_path / "labels.csv").write_text(
        "path,usage,label,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n"
        "a.png,Training,happy,2,8,0,0,0,0,0,0,0,0\n"
        "b.png,Training,sad,,,,,,,,,,\n"
        "a.png,PublicTest,neutral,10,0,0,0,0,0,0,0,0,0\n"
    )
    split = data.read_split(tmp_path, usage="Training")
    assert [EMOTIONS[i] for i in split.labels] == ["happy", "sad"]
    soft = split.soft_targets("ferplus-soft")
    assert soft[0][EMOTIONS.index("happy")] == pytest.approx(0.8)
    assert soft[0][EMOTIONS.index("neutral")] == pytest.approx(0.2)
    assert soft[1][EMOTIONS.index("sad")] == 1.0  # no votes: falls back to the FER2013 label
    mixed = split.soft_targets("mixed")[0]
    assert mixed[EMOTIONS.index("happy")] == pytest.approx(0.9) and mixed.sum() == pytest.approx(1.0)
    assert split.soft_targets("ferplus-majority")[0][EMOTIONS.index("happy")] == 1.0


def test_the_cache_returns_the_same_arrays(tiny_fer, tmp_path):
    from training import data

    first = data.load_split(tiny_fer, subfolder="train", cache_dir=tmp_path)
    assert list(tmp_path.glob("*.npz"))
    second = data.load_split(tiny_fer, subfolder="train", cache_dir=tmp_path)
    assert np.array_equal(first.images, second.images) and first.paths == second.paths


def test_training_and_serving_share_one_preprocessing_function(tiny_fer):
    from training import data, evaluate, export, train

    assert train.faces_to_batch is preprocess.faces_to_batch
    assert evaluate.faces_to_batch is preprocess.faces_to_batch
    assert export.faces_to_batch is preprocess.faces_to_batch
    split = data.read_split(tiny_fer, subfolder="val")
    batch = preprocess.faces_to_batch(split.images)
    assert batch.shape == (28, 48, 48, 1)
    assert np.array_equal(batch[3], preprocess.face_to_input(split.images[3]))
    assert np.allclose(batch[3, :, :, 0] * 255, split.images[3])


def test_augmentation_keeps_shape_and_range():
    import tensorflow as tf

    from training import augment

    x = tf.random.uniform((8, 48, 48, 1))
    y = augment.random_erasing(augment.geometric()(x, training=True), probability=1.0)
    assert y.shape == (8, 48, 48, 1)
    assert float(tf.reduce_min(y)) >= 0.0 and float(tf.reduce_max(y)) <= 1.0
    assert not np.allclose(x.numpy(), y.numpy())


def test_a_tiny_training_run_exports_and_evaluates(tiny_fer, tmp_path, capsys):
    from training import evaluate, export, train

    run = tmp_path / "run"
    summary = train.main(["--data", str(tiny_fer), "--out", str(run), "--epochs", "2", "--batch", "16",
                          "--width", "8", "--blocks", "1,1,2", "--warmup", "1", "--precision", "float32",
                          "--no-progress"])
    assert {"config.json", "history.csv", "curves.png", "best.keras", "last.keras"} <= {p.name for p in run.iterdir()}
    assert 0.0 <= summary["best_val_accuracy"] <= 1.0 and summary["fit_minutes"] >= 0
    assert json.loads((run / "config.json").read_text())["blocks"] == "1,1,2"

    resumed = train.main(["--data", str(tiny_fer), "--out", str(run), "--epochs", "3", "--batch", "16",
                          "--width", "8", "--blocks", "1,1,2", "--precision", "float32", "--no-progress",
                          "--resume"])
    assert len((run / "history.csv").read_text().strip().splitlines()) == 1 + 3
    assert resumed["epochs"] == 3

    model_path = tmp_path / "emotion.tflite"
    card = export.main(["--model", str(run / "best.keras"), "--data", str(tiny_fer), "--out", str(model_path),
                        "--quantize", "float32"])
    assert card["agreement_with_keras"]["top1_agreement"] >= 0.99
    assert card["agreement_with_keras"]["max_abs_diff"] < 1e-4
    assert json.loads(model_path.with_suffix(".json").read_text())["labels"] == list(EMOTIONS)
    ensemble = export.main(["--model", str(run / "best.keras"), str(run / "last.keras"), "--data", str(tiny_fer),
                            "--out", str(tmp_path / "ensemble.tflite"), "--quantize", "dynamic",
                            "--max-disagreement", "1"])
    assert ensemble["source"] == [str(run / "best.keras"), str(run / "last.keras")]
    assert 0 <= ensemble["agreement_with_keras"]["top1_agreement"] <= 1 and ensemble["bytes"] > 0

    capsys.readouterr()
    result = evaluate.main(["--data", str(tiny_fer), "--split", "val", "--model", str(model_path),
                            "--out", str(tmp_path / "eval")])
    last_line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last_line == json.loads(json.dumps(result))
    assert last_line["n"] == 28 and last_line["skipped_labels"] == 1
    assert {"accuracy", "macro_f1", "per_class_recall", "confusion_matrix"} <= set(last_line)
    assert np.array(last_line["confusion_matrix"]).sum() == 28
    assert (tmp_path / "eval" / "confusion.png").stat().st_size > 1000


def test_evaluate_with_faces_runs_the_serving_pipeline_and_counts_misses(tmp_path, capsys, settings):
    from tests.images import FIXTURES
    from training import evaluate

    (tmp_path / "happy").mkdir()
    (tmp_path / "neutral").mkdir()
    shutil.copy(FIXTURES / "astronaut.png", tmp_path / "happy" / "astronaut.png")
    shutil.copy(FIXTURES / "coffee.png", tmp_path / "neutral" / "coffee.png")
    result = evaluate.main(["--data", str(tmp_path), "--faces", "--model", str(settings.EMOTION_MODEL_PATH)])
    assert result["images"] == 2 and result["faces_missed"] == 1 and result["n"] == 1
    assert result["accuracy"] == 1.0  # the astronaut smiles
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["faces_missed"] == 1


def test_the_reference_vgg16_and_the_compact_network_build_with_the_right_shapes():
    from training import models

    vgg = models.build("vgg16")
    assert 43e6 < vgg.count_params() < 46e6  # the original project's ~44M parameters
    assert sum(1 for layer in vgg.layers if layer.name.endswith("_conv")) == 13
    compact = models.build("compact", width=32)
    assert compact.output_shape == (None, 7) and compact.count_params() < 2e6
    deeper = models.build("compact", width=24, blocks=(1, 2, 2))
    convs = [layer.name for layer in deeper.layers if layer.name.endswith("_conv")]
    assert len(convs) == 2 + 2 * (1 + 2 + 2) and "stage3_2_b_conv" in convs and deeper.name == "compact_w24_b122"
    with pytest.raises(ValueError):
        models.build("compact", blocks=(1, 1))
    with pytest.raises(ValueError, match="unknown architecture"):
        models.build("resnet152")


def test_bfloat16_is_chosen_only_where_the_hardware_computes_in_it(tmp_path):
    from training.train import cpu_flags, resolve_precision

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx2 fma\n")
    avx2 = cpu_flags(cpuinfo)
    assert avx2 == {"fpu", "sse2", "avx2", "fma"}
    assert resolve_precision("auto", has_gpu=False, flags=avx2) == "float32"  # emulated bfloat16: 8x slower
    assert resolve_precision("auto", has_gpu=False, flags=avx2 | {"avx512_bf16"}) == "mixed_bfloat16"
    assert resolve_precision("auto", has_gpu=False, flags={"amx_bf16"}) == "mixed_bfloat16"
    assert resolve_precision("auto", has_gpu=True, flags=set()) == "mixed_bfloat16"
    assert resolve_precision("mixed_bfloat16", has_gpu=False, flags=avx2) == "mixed_bfloat16"  # asked for
    assert cpu_flags(tmp_path / "missing") == set()
