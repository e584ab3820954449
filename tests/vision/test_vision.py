"""The Django-free vision package: detectors, preprocessing and the pipeline on real photos."""

import io

import numpy as np
import pytest
from django.conf import settings
from PIL import Image, ImageOps

from emotion import engine
from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import HaarDetector, YuNetDetector, detector_model, make_detector
from emotion.vision.labels import EMOTIONS
from emotion.vision.pipeline import ANALYSIS_MAX_PIXELS, ImageDecodeError, Pipeline, decode, decode_frame
from emotion.vision.preprocess import crop_face, face_to_input, faces_to_batch
from tests.images import FIXTURES, YUNET, astronaut_scene, exif_rotated_jpeg, fixture_bytes, pil_bytes


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
    assert crop_face(gray, (-10, -5, 40, 30)).shape == (40, 40)  # the box's longer side
    assert crop_face(gray, (-10, -5, 40, 30), margin=0.1).shape == (48, 48)  # widened by 10% each side


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


def test_flip_tta_averages_the_mirrored_face_before_the_decision_step():
    plain = EmotionClassifier(settings.EMOTION_MODEL_PATH, use_card=False)
    x = np.random.default_rng(1).random((2, 48, 48, 1), np.float32)
    expected = (plain.predict(x) + plain.predict(x[:, :, ::-1])) / 2
    tta = EmotionClassifier(settings.EMOTION_MODEL_PATH, flip_tta=True, use_card=False)
    assert np.allclose(tta.predict(x), expected, atol=1e-5)

    served = EmotionClassifier(settings.EMOTION_MODEL_PATH)
    served_tta = EmotionClassifier(settings.EMOTION_MODEL_PATH, flip_tta=True)
    blended = served._run(x), served._run(np.ascontiguousarray(x[:, :, ::-1]))
    assert np.allclose(served_tta.predict(x), served.decision.apply((blended[0] + blended[1]) / 2), atol=1e-5)


def test_undecodable_bytes_raise_a_decode_error():
    with pytest.raises(ImageDecodeError):
        decode(b"not an image")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_decode_turns_every_exif_orientation_upright_as_pillow_does(orientation):
    stored = Image.fromarray(np.random.default_rng(orientation).integers(0, 255, (30, 40, 3), np.uint8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = pil_bytes(stored, "PNG", exif=exif)  # lossless, so the pixels can be compared exactly
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))[:, :, ::-1]

    assert np.array_equal(decode(data), upright)


def test_a_small_photo_is_decoded_whole():
    frame = decode_frame(fixture_bytes("astronaut.png"), ANALYSIS_MAX_PIXELS)
    assert frame.image.shape == (512, 512, 3) and (frame.width, frame.height) == (512, 512)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_24_megapixel_photo_is_decoded_to_at_most_2_megapixels(fmt):
    data = pil_bytes(astronaut_scene((6000, 4000), 2400, (1800, 800)), fmt)

    frame = decode_frame(data, ANALYSIS_MAX_PIXELS)

    assert frame.image.shape[0] * frame.image.shape[1] <= ANALYSIS_MAX_PIXELS
    assert frame.image.shape[:2] == (1000, 1500)  # a quarter of each side
    assert (frame.width, frame.height) == (6000, 4000)


def test_a_24_megapixel_photo_is_analysed_with_boxes_in_its_own_frame(pipeline):
    small = pipeline.analyse_bytes(fixture_bytes("astronaut.png")).faces[0].box
    data = pil_bytes(astronaut_scene((6000, 4000), 3600, (1200, 200)), "JPEG", quality=90)

    analysis = pipeline.analyse_bytes(data)

    assert (analysis.width, analysis.height) == (6000, 4000)
    (face,) = analysis.faces
    scale = 3600 / 512  # the same face, pasted 7.03 times larger at (1200, 200)
    expected = (1200 + small.x * scale, 200 + small.y * scale, small.w * scale, small.h * scale)
    assert face.box.as_tuple() == pytest.approx(expected, abs=0.1 * small.w * scale)


def test_a_sideways_stored_photo_is_analysed_upright(pipeline):
    data = exif_rotated_jpeg(astronaut_scene((800, 512)), orientation=8)

    analysis = pipeline.analyse_bytes(data)

    assert (analysis.width, analysis.height) == (800, 512)
    (face,) = analysis.faces
    assert 150 < face.box.x + face.box.w / 2 < 300 and 50 < face.box.y + face.box.h / 2 < 200
    assert face.emotion == "happy"  # upright, she is still smiling for the model
