"""Face detectors: OpenCV's Haar cascade by default, YuNet (cv2.FaceDetectorYN) when given a model."""

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

# The YuNet model shipped with the project (settings.SHIPPED_FACE_DETECTOR_MODEL points at the same file).
SHIPPED_YUNET_MODEL = Path(__file__).resolve().parent / "models" / "yunet" / "yunet_n_320_320.onnx"


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int
    score: float = 1.0
    # YuNet's eye landmarks in image coordinates, (x, y) of the eye on the image's left then the one on its
    # right (the person's right eye, then left); None from detectors without landmarks (Haar).
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = field(default=None, compare=False)

    @property
    def area(self) -> int:
        return self.w * self.h

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.w, self.h


class Detector(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> list[Box]: ...


def _downscale(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """A copy no larger than ``max_side`` (longest side) and the scale applied; boxes are scaled back."""
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image, scale


def _rescale(boxes: list[Box], scale: float) -> list[Box]:
    if scale == 1.0:
        return boxes
    return [
        Box(round(b.x / scale), round(b.y / scale), round(b.w / scale), round(b.h / scale), b.score,
            None if b.eyes is None else tuple((x / scale, y / scale) for x, y in b.eyes))
        for b in boxes
    ]


def _in_frame(boxes: list[Box], width: int, height: int) -> list[Box]:
    """Only boxes a face can be: finite, not empty, centred inside the ``width`` x ``height`` frame and no
    larger than it. A detector fed a shape it was not made for (a 4000x200 strip) returns infinite or
    absurd boxes, which would otherwise break the crop. Eye landmarks that are not finite are dropped."""
    kept = []
    for box in boxes:
        if not (0 < box.w <= max(width, height) and 0 < box.h <= max(width, height)):
            continue
        if not (0 <= box.x + box.w / 2 < width and 0 <= box.y + box.h / 2 < height):
            continue
        if box.eyes is not None and not all(math.isfinite(v) for eye in box.eyes for v in eye):
            box = replace(box, eyes=None)
        kept.append(box)
    return kept


class HaarDetector:
    """Viola-Jones frontal-face cascade bundled with opencv-python (4.x)."""

    name = "haar"
    # Measured on the fixtures (benchmarks in docs/model-card.md): the "alt2" cascade on a 320 px
    # copy finds the same faces as the "default" cascade on 400 px (a 60 px second face included,
    # which "default" loses at 320 px) in about 70% of the time. YuNet is faster still and also
    # finds small, turned faces.
    cascade_file = "haarcascade_frontalface_alt2.xml"
    max_side = 320
    scale_factor = 1.2
    min_neighbors = 3
    min_size = 20

    def __init__(self) -> None:
        self._cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / self.cascade_file))
        if self._cascade.empty():
            raise RuntimeError(f"OpenCV's {self.cascade_file} could not be loaded")

    def detect(self, image: np.ndarray) -> list[Box]:
        """Return face boxes in ``image`` (BGR or gray) coordinates, largest first."""
        small, scale = _downscale(image, self.max_side)
        gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        gray = cv2.equalizeHist(gray)
        found = self._cascade.detectMultiScale(
            gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(self.min_size, self.min_size)
        )
        boxes = [Box(int(x), int(y), int(w), int(h)) for x, y, w, h in found]
        boxes = _in_frame(_rescale(boxes, scale), image.shape[1], image.shape[0])
        return sorted(boxes, key=lambda b: b.area, reverse=True)


class YuNetDetector:
    """YuNet CNN face detector through ``cv2.FaceDetectorYN``; better on turned and small faces."""

    name = "yunet"
    # A 320 px copy finds the same faces in the fixtures as 640 px (the small turned face and the
    # 60 px second face included) in about a quarter of the time.
    max_side = 320
    score_threshold = 0.7
    nms_threshold = 0.3

    def __init__(self, model_path: str | Path) -> None:
        if not Path(model_path).exists():
            raise FileNotFoundError(f"YuNet model not found at {model_path}")
        self._net = cv2.FaceDetectorYN.create(str(model_path), "", (320, 320), self.score_threshold, self.nms_threshold)

    def detect(self, image: np.ndarray) -> list[Box]:
        """Return face boxes in ``image`` coordinates, largest first."""
        small, scale = _downscale(image, self.max_side)
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        self._net.setInputSize((small.shape[1], small.shape[0]))
        _, faces = self._net.detect(small)
        boxes = [] if faces is None else [
            Box(int(f[0]), int(f[1]), int(f[2]), int(f[3]), float(f[14]),
                ((float(f[4]), float(f[5])), (float(f[6]), float(f[7]))))
            for f in faces
            if np.isfinite(f[:4]).all()  # int() of an infinite coordinate raises
        ]
        boxes = _in_frame(_rescale(boxes, scale), image.shape[1], image.shape[0])
        return sorted(boxes, key=lambda b: b.area, reverse=True)


DETECTOR_CHOICES = ("auto", "yunet", "haar")


def detector_model(choice: str, model_path: str | Path | None) -> Path | None:
    """The YuNet model to use for a ``FACE_DETECTOR`` choice, or None for the Haar cascade.

    ``auto`` takes YuNet when its model file exists and the Haar cascade otherwise; ``yunet``
    insists on the model, and a missing file is an error here, before any detector is built.
    """
    if choice not in DETECTOR_CHOICES:
        raise ValueError(f"unknown face detector {choice!r}; choose one of {', '.join(DETECTOR_CHOICES)}")
    if choice == "haar" or not model_path:
        if choice == "yunet":
            raise ValueError("the yunet face detector needs a model path (FACE_DETECTOR_MODEL_PATH)")
        return None
    path = Path(model_path)
    if choice == "yunet" and not path.is_file():
        raise ValueError(f"the yunet face detector needs its model file; there is none at {path}")
    return path if path.is_file() else None


def make_detector(model_path: str | Path | None = None) -> Detector:
    """YuNet when a model path is given, otherwise the Haar cascade."""
    return YuNetDetector(model_path) if model_path else HaarDetector()
