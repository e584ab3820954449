"""training.evaluate and training.calibration: FER+ majority scoring, calm→negative, ECE, mixed-size
folders, the cache outside the data folder, the serving detector for --faces, temperature scaling."""

import json
import shutil

import cv2
import numpy as np
import pytest

from emotion.vision.labels import INDEX, NUM_CLASSES

pytestmark = pytest.mark.training

VOTE_HEADER = "path,usage,label,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n"


class FixedPredictor:
    """Returns the given probabilities whatever the faces (the evaluator's predict() interface)."""

    def __init__(self, probabilities):
        self.probabilities = np.asarray(probabilities, np.float32)

    def predict(self, batch):
        assert batch.shape[1:] == (48, 48, 1) and batch.dtype == np.float32
        return self.probabilities[: len(batch)]


def onehot(names, confidence=0.9):
    probs = np.full((len(names), NUM_CLASSES), (1 - confidence) / (NUM_CLASSES - 1), np.float32)
    probs[np.arange(len(names)), [INDEX[n] for n in names]] = confidence
    return probs


def test_calm_to_negative_counts_neutral_faces_read_as_angry_disgust_fear_or_sad():
    from training.evaluate import metrics

    labels = np.array([INDEX["neutral"]] * 8 + [INDEX["sad"]] * 2)
    predicted = ["neutral", "neutral", "neutral", "happy", "sad", "angry", "fear", "disgust", "sad", "neutral"]
    result = metrics(labels, np.array([INDEX[p] for p in predicted]))
    assert result["calm_to_negative"] == 0.5  # 4 of 8 neutral faces (happy does not count)
    assert result["per_class_recall"]["neutral"] == pytest.approx(3 / 8, abs=1e-4)
    assert "ece" not in result
    assert metrics(np.array([INDEX["sad"]]), np.array([INDEX["angry"]]))["calm_to_negative"] == 0.0


def test_ece_uses_fifteen_equal_width_bins():
    from training.calibration import expected_calibration_error

    labels = np.zeros(10, int)
    calibrated = onehot(["angry"] * 9 + ["happy"], confidence=0.9)  # 90% sure, 90% right
    assert expected_calibration_error(calibrated, labels) == pytest.approx(0.0, abs=1e-6)
    overconfident = onehot(["angry"] * 5 + ["happy"] * 5, confidence=1.0)  # always sure, half right
    assert expected_calibration_error(overconfident, labels) == pytest.approx(0.5)
    # two bins, equal weight: 0.95 sure and right (gap 0.05), 0.5 sure and wrong (gap 0.5)
    mixed = np.vstack([onehot(["angry"], 0.95), onehot(["happy"], 0.5)])
    assert expected_calibration_error(mixed, np.zeros(2, int)) == pytest.approx((0.05 + 0.5) / 2, abs=1e-6)
    assert expected_calibration_error(np.zeros((0, 7)), np.zeros(0, int)) == 0.0


@pytest.fixture
def voted(tmp_path):
    """Five crops with FER+ votes: a clear neutral (FER2013 says sad), a clear happy, a tie,
    a contempt majority and a not-a-face majority."""
    folder = tmp_path / "voted"
    (folder / "val").mkdir(parents=True)
    for i in range(5):
        cv2.imwrite(str(folder / "val" / f"{i}.png"), np.full((48, 48), 40 * i, np.uint8))
    (folder / "labels.csv").write_text(
        VOTE_HEADER
        + "val/0.png,PublicTest,sad,8,0,0,2,0,0,0,0,0,0\n"
        + "val/1.png,PublicTest,happy,0,10,0,0,0,0,0,0,0,0\n"
        + "val/2.png,PublicTest,angry,0,0,0,5,5,0,0,0,0,0\n"
        + "val/3.png,PublicTest,angry,2,0,0,0,2,0,0,6,0,0\n"
        + "val/4.png,PublicTest,fear,0,0,0,0,0,0,1,0,0,9\n"
    )
    return folder


def test_evaluate_scores_ferplus_majority_and_reports_fer_beside_it(voted, tmp_path):
    from training import data, evaluate

    split = data.load_split(voted, subfolder="val", cache_dir=tmp_path / "cache")
    probs = onehot(["sad", "happy", "angry", "angry", "fear"])  # FER2013 labels all right
    result = evaluate.evaluate_crops(FixedPredictor(probs), split)
    assert result["labels"] == "ferplus-majority"
    assert result["n"] == 2 and result["masked"] == 3  # tie, contempt and not-a-face are skipped
    assert result["accuracy"] == 0.5 and result["calm_to_negative"] == 1.0  # the neutral face read as sad
    assert result["ece"] == pytest.approx(abs(0.5 - 0.9), abs=1e-4)
    assert result["fer"]["n"] == 5 and result["fer"]["accuracy"] == 1.0 and result["fer"]["masked"] == 0
    assert "ferplus" not in result

    swapped = evaluate.evaluate_crops(FixedPredictor(probs), split, labels="fer")
    assert swapped["labels"] == "fer" and swapped["accuracy"] == 1.0 and swapped["ferplus"]["n"] == 2
    assert "fer" not in swapped


def test_evaluate_without_votes_reports_fer_labels_and_refuses_ferplus(tmp_path):
    from training import data, evaluate

    (tmp_path / "happy").mkdir()
    cv2.imwrite(str(tmp_path / "happy" / "a.png"), np.zeros((48, 48), np.uint8))
    split = data.read_split(tmp_path)
    result = evaluate.evaluate_crops(FixedPredictor(onehot(["happy"])), split)
    assert result["labels"] == "fer" and result["accuracy"] == 1.0 and "ferplus" not in result
    with pytest.raises(SystemExit, match="no FER\\+ votes"):
        evaluate.evaluate_crops(FixedPredictor(onehot(["happy"])), split, labels="ferplus-majority")


def test_a_folder_of_mixed_size_crops_evaluates_with_the_cache_in_cache_dir(tmp_path, settings, capsys):
    from training import evaluate

    photos = tmp_path / "crops"
    rng = np.random.default_rng(0)
    sizes = {"happy": [(48, 48), (120, 120)], "neutral": [(64, 80), (30, 30)], "sad": [(200, 150)]}
    for emotion, shapes in sizes.items():
        (photos / emotion).mkdir(parents=True)
        for i, shape in enumerate(shapes):
            image = rng.integers(0, 255, (*shape, 3), np.uint8)  # colour too: read as gray
            cv2.imwrite(str(photos / emotion / f"{i}.png"), image)
    cache = tmp_path / "cache"
    result = evaluate.main(["--data", str(photos), "--model", str(settings.EMOTION_MODEL_PATH),
                            "--cache-dir", str(cache)])
    assert result["n"] == 5 and np.array(result["confusion_matrix"]).sum() == 5
    assert 0.0 <= result["ece"] <= 1.0 and 0.0 <= result["calm_to_negative"] <= 1.0
    assert len(list(cache.glob("*.npz"))) == 1
    assert not list(photos.rglob("*.npz"))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["n"] == 5


def test_the_default_cache_is_a_user_cache_dir_outside_the_checkout(monkeypatch, tmp_path):
    from django.conf import settings

    from training import data, evaluate

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.default_cache_dir() == tmp_path / "moodmusic-training"
    args_default = evaluate.data.DEFAULT_CACHE
    assert not str(args_default.resolve()).startswith(str(settings.BASE_DIR.resolve()) + "/")


def test_evaluate_faces_detects_like_serving_by_default(tmp_path, settings, monkeypatch):
    from tests.images import FIXTURES
    from training import evaluate

    monkeypatch.delenv("FACE_DETECTOR", raising=False)
    monkeypatch.delenv("FACE_DETECTOR_MODEL_PATH", raising=False)
    (tmp_path / "happy").mkdir()
    (tmp_path / "neutral").mkdir()
    shutil.copy(FIXTURES / "astronaut.png", tmp_path / "happy" / "astronaut.png")
    shutil.copy(FIXTURES / "camera.png", tmp_path / "neutral" / "camera.png")  # a turned face Haar misses
    model = str(settings.EMOTION_MODEL_PATH)
    result = evaluate.main(["--data", str(tmp_path), "--faces", "--model", model])
    assert evaluate.serving_detector_model() == settings.SHIPPED_FACE_DETECTOR_MODEL
    assert result["detector"] == "yunet" and result["faces_missed"] == 0 and result["n"] == 2
    assert 0.0 <= result["ece"] <= 1.0

    monkeypatch.setenv("FACE_DETECTOR", "haar")
    haar = evaluate.main(["--data", str(tmp_path), "--faces", "--model", model])
    assert haar["detector"] == "haar" and haar["faces_missed"] == 1
    explicit = evaluate.main(["--data", str(tmp_path), "--faces", "--model", model,
                              "--detector-model", str(settings.SHIPPED_FACE_DETECTOR_MODEL), "--detector", "yunet"])
    assert explicit["detector"] == "yunet"
    with pytest.raises(SystemExit):
        evaluate.main(["--data", str(tmp_path), "--faces", "--model", model, "--detector", "yunet",
                       "--detector-model", str(tmp_path / "missing.onnx")])


def test_temperature_scaling_lowers_the_ece_of_an_overconfident_model():
    from training.calibration import apply_temperature, crossfit_ece, expected_calibration_error, fit_temperature

    rng = np.random.default_rng(0)
    n = 4000
    labels = rng.integers(0, NUM_CLASSES, n)
    # features x ~ N(0, 1) with the right class shifted by 1.5: the true posterior is softmax(1.5 x), and
    # the model reports softmax(3 x), twice too sharp, so the fitted temperature should be about 2
    logits = rng.normal(0, 1, (n, NUM_CLASSES))
    logits[np.arange(n), labels] += 1.5
    sharp = np.exp(3 * logits)
    sharp /= sharp.sum(1, keepdims=True)
    temperature = fit_temperature(sharp, labels)
    assert 1.8 < temperature < 2.2
    calibrated = apply_temperature(sharp, temperature)
    before, after = expected_calibration_error(sharp, labels), expected_calibration_error(calibrated, labels)
    assert after < before / 3 and after < 0.03
    assert np.array_equal(calibrated.argmax(1), sharp.argmax(1))  # the top-1 never changes
    assert np.allclose(calibrated.sum(1), 1, atol=1e-5)
    assert crossfit_ece(sharp, labels) < before / 3
    assert apply_temperature(sharp, 1.0) == pytest.approx(sharp, abs=1e-5)


def test_export_bakes_a_fitted_temperature_into_the_model_and_keeps_agreement(tmp_path):
    """An overconfident network (its logits scaled up 30x) is calibrated at export: T > 1, lower ECE,
    the LiteRT output equals softmax(log(p) / T) of the Keras one and the top-1 is unchanged."""
    import keras

    from training import export, models
    from training.calibration import apply_temperature

    keras.utils.set_random_seed(0)
    model = models.build("compact", width=8)
    kernel, bias = model.get_layer("logits").get_weights()
    model.get_layer("logits").set_weights([kernel * 30, bias])
    checkpoint = tmp_path / "overconfident.keras"
    model.save(checkpoint)

    folder = tmp_path / "data"
    (folder / "val").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(60):
        cv2.imwrite(str(folder / "val" / f"{i}.png"), rng.integers(0, 255, (48, 48), np.uint8))
        votes = np.zeros(10, int)
        votes[rng.integers(0, 7)] = 8
        votes[rng.integers(0, 7)] += 2
        # column order of VOTE_HEADER: neutral, happiness, surprise, sadness, anger, disgust, fear, ...
        rows.append(f"val/{i}.png,PublicTest,happy," + ",".join(map(str, votes)))
    (folder / "labels.csv").write_text(VOTE_HEADER + "\n".join(rows) + "\n")

    out = tmp_path / "calibrated.tflite"
    card = export.main(["--model", str(checkpoint), "--data", str(folder), "--out", str(out),
                        "--quantize", "float32", "--cache-dir", str(tmp_path / "cache")])
    calibration = card["calibration"]
    assert calibration["labels"] == "ferplus-majority" and calibration["n"] == 60
    assert calibration["temperature"] > 1.5
    assert calibration["ece_after"] < calibration["ece_before"] / 2
    assert calibration["nll_after"] < calibration["nll_before"]
    assert card["agreement_with_keras"]["top1_agreement"] >= 0.99
    assert card["agreement_with_keras"]["max_abs_diff"] < 1e-3
    assert json.loads(out.with_suffix(".json").read_text())["calibration"]["temperature"] == calibration["temperature"]
    assert "val_accuracy_ferplus_majority" in card

    from emotion.vision.classifier import EmotionClassifier
    from emotion.vision.preprocess import faces_to_batch
    from training import data

    x = faces_to_batch(data.read_split(folder, subfolder="val").images)
    raw = model.predict(x, verbose=0)
    served = EmotionClassifier(out).predict(x)
    assert np.array_equal(served.argmax(1), raw.argmax(1))
    assert served == pytest.approx(apply_temperature(raw, calibration["temperature"]), abs=1e-3)

    plain = export.main(["--model", str(checkpoint), "--data", str(folder), "--out", str(tmp_path / "plain.tflite"),
                         "--quantize", "float32", "--no-calibrate", "--cache-dir", str(tmp_path / "cache")])
    assert plain["calibration"]["temperature"] == 1.0
    assert plain["calibration"]["ece_after"] == pytest.approx(plain["calibration"]["ece_before"], abs=0.01)


def test_evaluate_faces_scores_ferplus_votes_from_labels_csv(tmp_path, settings):
    from tests.images import FIXTURES
    from training import evaluate

    shutil.copy(FIXTURES / "astronaut.png", tmp_path / "astronaut.png")
    shutil.copy(FIXTURES / "camera.png", tmp_path / "camera.png")
    shutil.copy(FIXTURES / "coffee.png", tmp_path / "coffee.png")
    (tmp_path / "labels.csv").write_text(
        VOTE_HEADER
        + "astronaut.png,PublicTest,happy,1,9,0,0,0,0,0,0,0,0\n"
        + "camera.png,PublicTest,neutral,5,0,0,0,0,0,0,5,0,0\n"  # tie with contempt: masked for FER+
        + "coffee.png,PublicTest,neutral,10,0,0,0,0,0,0,0,0,0\n"  # no face found
    )
    result = evaluate.main(["--data", str(tmp_path), "--faces", "--model", str(settings.EMOTION_MODEL_PATH),
                            "--detector", "yunet", "--detector-model", str(settings.SHIPPED_FACE_DETECTOR_MODEL)])
    assert result["labels"] == "ferplus-majority" and result["images"] == 3 and result["faces_missed"] == 1
    assert result["n"] == 1 and result["masked"] == 1 and result["accuracy"] == 1.0  # the astronaut smiles
    assert result["fer"]["n"] == 2


def test_rendered_crops_go_through_the_serving_pipeline_beside_the_crop_path(tmp_path):
    """--faces --render: each crop becomes a frame, the detector finds (or misses) it, and the figures of the
    pipeline sit beside the crop path's on the same faces."""
    from emotion.vision.classifier import EmotionClassifier
    from tests.images import FER2013, YUNET
    from training import data
    from training.evaluate import evaluate_rendered, render_frame
    from training.export import DEFAULT_OUT

    folder = tmp_path / "fer"
    for emotion in ("happy", "surprise", "neutral"):
        (folder / "val" / emotion).mkdir(parents=True)
        for src in sorted((FER2013 / "val" / emotion).glob("*.png"))[:4]:
            shutil.copy(src, folder / "val" / emotion / src.name)
    split = data.read_split(folder, subfolder="val")
    frame = render_frame(split.images[0])
    assert frame.shape == (48 * 4 * 3, 48 * 4 * 3, 3)
    result = evaluate_rendered(EmotionClassifier(DEFAULT_OUT), split, YUNET)
    assert result["images"] == 12 and result["detector"] == "yunet"
    assert result["n"] + result["faces_missed"] == 12
    assert result["n"] >= 8  # YuNet finds most enlarged FER2013 faces
    assert result["crop_path_on_found"]["n"] == result["n"]
    assert 0.5 <= result["same_emotion_as_crop_path"] <= 1.0
