"""decode → detect → crop → preprocess → classify, with per-stage timings."""

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

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


def decode(data: bytes) -> np.ndarray:
    """Decode JPEG/PNG bytes to a BGR image (EXIF orientation applied)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageDecodeError("the file could not be decoded as an image")
    return image


class Pipeline:
    """A detector and a classifier, loaded once and reused for every capture."""

    to_batch = staticmethod(faces_to_batch)  # crops → model input; a different model can bring its own

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
        t0 = time.perf_counter()
        image = decode(data)
        decode_ms = round((time.perf_counter() - t0) * 1000, 2)
        analysis = self.analyse(image)
        analysis.timings_ms = {"decode": decode_ms, **analysis.timings_ms}
        analysis.timings_ms["total"] = round(sum(analysis.timings_ms.values()), 2)
        return analysis
