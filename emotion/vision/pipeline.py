"""decode → detect → crop → preprocess → classify, with per-stage timings."""

import io
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import Box, Detector, make_detector
from emotion.vision.labels import EMOTIONS
from emotion.vision.preprocess import crop_face, faces_to_batch, to_gray


class ImageDecodeError(ValueError):
    """The bytes are not an image OpenCV can decode."""


@dataclass
class Face:
    box: Box
    probabilities: dict[str, float]

    @property
    def emotion(self) -> str:
        return max(self.probabilities, key=self.probabilities.get)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.emotion]

    def as_dict(self) -> dict:
        return {
            "box": {"x": self.box.x, "y": self.box.y, "w": self.box.w, "h": self.box.h},
            "detector_score": round(self.box.score, 4),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
        }


@dataclass
class Analysis:
    width: int
    height: int
    faces: list[Face] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


# Detection runs on a 320 px copy and the model on 48x48 crops, so about 2 MP is all an analysis
# needs; a 24 MP JPEG decoded at 1/4 scale costs a fraction of a full decode (docs/architecture.md).
ANALYSIS_MAX_PIXELS = 2_000_000
_REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}
_EXIF_ORIENTATION = 0x0112
# EXIF orientation -> the steps that make the stored pixels upright (as PIL's ImageOps.exif_transpose).
_UPRIGHT = {
    2: lambda im: cv2.flip(im, 1),
    3: lambda im: cv2.rotate(im, cv2.ROTATE_180),
    4: lambda im: cv2.flip(im, 0),
    5: cv2.transpose,
    6: lambda im: cv2.rotate(im, cv2.ROTATE_90_CLOCKWISE),
    7: lambda im: cv2.flip(cv2.transpose(im), -1),
    8: lambda im: cv2.rotate(im, cv2.ROTATE_90_COUNTERCLOCKWISE),
}


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) of an opened image; 1 (as stored) when absent or unreadable."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # Pillow would decode every pixel to look for an eXIf chunk after them
    try:
        value = int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1
    return value if value in _UPRIGHT else 1


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height of an opened image once its EXIF orientation is applied."""
    width, height = image.size
    return (height, width) if exif_orientation(image) in (5, 6, 7, 8) else (width, height)


@dataclass
class Frame:
    """A decoded, upright image and the size of the full upright frame it may be a reduction of."""

    image: np.ndarray
    width: int
    height: int

    def to_full(self, box: Box) -> Box:
        """``box`` in this reduced image's pixels -> the same box in the full frame's pixels."""
        sx, sy = self.width / self.image.shape[1], self.height / self.image.shape[0]
        x, y = min(round(box.x * sx), self.width), min(round(box.y * sy), self.height)
        return Box(x, y, min(round(box.w * sx), self.width - x), min(round(box.h * sy), self.height - y), box.score)


def _reduction(width: int, height: int, max_pixels: int | None) -> int:
    for factor in (1, 2, 4):
        if max_pixels is None or (width // factor) * (height // factor) <= max_pixels:
            return factor
    return 8


def decode_frame(data: bytes, max_pixels: int | None = None) -> Frame:
    """Decode JPEG/PNG bytes to an upright BGR image of at most ``max_pixels`` (about; None: full size).

    The reduction is by 2, 4 or 8, which a JPEG decoder does while decoding (never holding the full
    frame). EXIF orientation is read once, by Pillow, the same reading the upload check reports
    width and height by.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ImageDecodeError("the file could not be decoded as an image") from None
    orientation = exif_orientation(header)
    width, height = header.size
    flags = _REDUCED[_reduction(width, height, max_pixels)] | cv2.IMREAD_IGNORE_ORIENTATION
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise ImageDecodeError("the file could not be decoded as an image")
    if orientation in _UPRIGHT:
        image = _UPRIGHT[orientation](image)
    full_width, full_height = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    return Frame(image, full_width, full_height)


def decode(data: bytes, max_pixels: int | None = None) -> np.ndarray:
    """Decode JPEG/PNG bytes to an upright BGR image (EXIF orientation applied)."""
    return decode_frame(data, max_pixels).image


class Pipeline:
    """A detector and a classifier, loaded once and reused for every capture."""

    to_batch = staticmethod(faces_to_batch)  # crops → model input; a different model can bring its own
    max_pixels: int | None = ANALYSIS_MAX_PIXELS  # the most pixels analyse_bytes decodes an image to

    def __init__(self, detector: Detector, classifier: EmotionClassifier) -> None:
        self.detector = detector
        self.classifier = classifier

    @classmethod
    def from_paths(
        cls, model_path: str | Path, detector_model_path: str | Path | None = None, flip_tta: bool = False
    ) -> "Pipeline":
        return cls(make_detector(detector_model_path), EmotionClassifier(model_path, flip_tta=flip_tta))

    @property
    def version(self) -> str:
        return f"{self.classifier.version}+{self.detector.name}"

    def classify_faces(self, gray: np.ndarray, boxes: list[Box]) -> list[Face]:
        """Classify every box of one gray image in a single batch."""
        batch = self.to_batch([crop_face(gray, box.as_tuple()) for box in boxes])
        probabilities = self.classifier.predict(batch)
        return [
            Face(box, dict(zip(EMOTIONS, map(float, p), strict=True)))
            for box, p in zip(boxes, probabilities, strict=True)
        ]

    def analyse(self, image: np.ndarray) -> Analysis:
        """Find and classify every face in a decoded BGR (or gray) image, largest face first."""
        t0 = time.perf_counter()
        boxes = self.detector.detect(image)
        t1 = time.perf_counter()
        faces = self.classify_faces(to_gray(image), boxes) if boxes else []
        t2 = time.perf_counter()
        return Analysis(image.shape[1], image.shape[0], faces,
                        {"detect": round((t1 - t0) * 1000, 2), "classify": round((t2 - t1) * 1000, 2)})

    def analyse_bytes(self, data: bytes) -> Analysis:
        """Decode at most ``max_pixels`` and analyse; size and boxes are those of the full upright frame."""
        t0 = time.perf_counter()
        frame = decode_frame(data, self.max_pixels)
        decode_ms = round((time.perf_counter() - t0) * 1000, 2)
        analysis = self.analyse(frame.image)
        analysis.width, analysis.height = frame.width, frame.height
        analysis.faces = [replace(face, box=frame.to_full(face.box)) for face in analysis.faces]
        analysis.timings_ms = {"decode": decode_ms, **analysis.timings_ms}
        analysis.timings_ms["total"] = round(sum(analysis.timings_ms.values()), 2)
        return analysis
