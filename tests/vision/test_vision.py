"""The Django-free vision package: detectors, preprocessing and the pipeline on real photos."""

import numpy as np
import pytest
from django.conf import settings

from emotion import engine
from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import HaarDetector, YuNetDetector, detector_model, make_detector
from emotion.vision.labels import EMOTIONS
from emotion.vision.pipeline import ImageDecodeError, Pipeline, decode
from emotion.vision.preprocess import crop_face, face_to_input, faces_to_batch
from tests.images import FIXTURES, YUNET, fixture_bytes


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(HaarDetector(), EmotionClassifier(settings.EMOTION_MODEL_PATH))


def test_labels_are_the_fer2013_order():
    assert EMOTIONS == ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def test_face_to_input_resizes_and_scales():
    x = face_to_input(np.full((100, 100), 255, np.uint8))
    assert x.shape == (48, 48, 1) and x.dtype == np.float32 and np.allclose(x, 1.0)
    assert faces_to_batch([]).shape == (0, 48, 48, 1)


def test_crop_face_pads_at_the_border_and_stays_square():
    gray = np.arange(100 * 80, dtype=np.uint32).reshape(80, 100).astype(np.uint8)
    crop = crop_face(gray, (-10, -5, 40, 30))
    assert crop.shape == (48, 48)  # 40 px widened by 10% each side


def test_haar_finds_the_astronaut_and_nothing_in_coffee():
    image = decode(fixture_bytes("astronaut.png"))
    boxes = HaarDetector().detect(image)
    assert len(boxes) == 1
    x, y, w, h = boxes[0].as_tuple()
    assert 150 < x + w / 2 < 300 and 50 < y + h / 2 < 200  # her face, upper middle
    assert HaarDetector().detect(decode(fixture_bytes("coffee.png"))) == []


def test_haar_finds_a_second_smaller_face_largest_first():
    from tests.e2e.images import two_faces_png

    boxes = HaarDetector().detect(decode(two_faces_png()))
    assert len(boxes) == 2
    assert boxes[0].area > boxes[1].area and boxes[0].x < 512 <= boxes[1].x


def test_yunet_finds_the_small_turned_face_haar_misses():
    image = decode(fixture_bytes("camera.png"))
    assert HaarDetector().detect(image) == []
    assert len(YuNetDetector(YUNET).detect(image)) == 1
    assert YuNetDetector(YUNET).detect(decode(fixture_bytes("chelsea.png"))) == []
    assert YuNetDetector(YUNET).detect(decode(fixture_bytes("coffee.png"))) == []


def test_yunet_finds_both_faces_largest_first():
    from tests.e2e.images import two_faces_png

    boxes = YuNetDetector(YUNET).detect(decode(two_faces_png()))
    assert len(boxes) == 2
    assert boxes[0].area > boxes[1].area and boxes[0].x < 512 <= boxes[1].x


def test_detector_choice_auto_takes_yunet_only_when_its_model_exists(tmp_path):
    assert detector_model("auto", YUNET) == YUNET
    assert detector_model("auto", tmp_path / "missing.onnx") is None
    assert detector_model("auto", "") is None
    assert detector_model("haar", YUNET) is None
    assert detector_model("yunet", YUNET) == YUNET
    with pytest.raises(ValueError, match="needs a model path"):
        detector_model("yunet", "")
    with pytest.raises(ValueError, match="unknown face detector 'dlib'"):
        detector_model("dlib", YUNET)
    with pytest.raises(ValueError, match="needs its model file; there is none at"):
        detector_model("yunet", tmp_path / "missing.onnx")
    with pytest.raises(FileNotFoundError, match="YuNet model not found"):
        make_detector(tmp_path / "missing.onnx")


def test_the_platform_uses_yunet_when_the_workspace_model_is_there(settings):
    assert settings.FACE_DETECTOR == "auto" and YUNET.is_file()
    assert engine.configured_detector_model() == YUNET
    settings.FACE_DETECTOR = "haar"
    assert engine.configured_detector_model() is None


def test_the_pipeline_reads_a_happy_astronaut(pipeline):
    analysis = pipeline.analyse_bytes((FIXTURES / "astronaut.png").read_bytes())
    assert (analysis.width, analysis.height) == (512, 512)
    (face,) = analysis.faces
    assert face.emotion == "happy"
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-4)


def test_all_faces_are_classified_in_one_batch_and_match_single_runs(pipeline):
    gray = decode(fixture_bytes("astronaut.png"))[:, :, 0]
    boxes = HaarDetector().detect(gray)
    together = pipeline.classify_faces(gray, boxes * 3)
    alone = pipeline.classify_faces(gray, boxes)
    assert len(together) == 3
    for face in together:
        assert face.probabilities == pytest.approx(alone[0].probabilities, abs=1e-5)


def test_flip_tta_averages_the_mirrored_face():
    plain = EmotionClassifier(settings.EMOTION_MODEL_PATH)
    tta = EmotionClassifier(settings.EMOTION_MODEL_PATH, flip_tta=True)
    x = np.random.default_rng(1).random((2, 48, 48, 1), np.float32)
    expected = (plain.predict(x) + plain.predict(x[:, :, ::-1])) / 2
    assert np.allclose(tta.predict(x), expected, atol=1e-5)


def test_undecodable_bytes_raise_a_decode_error():
    with pytest.raises(ImageDecodeError):
        decode(b"not an image")
