"""Turn face crops into model input. Training and serving both call these."""

from collections.abc import Sequence

import cv2
import numpy as np

FACE_SIZE = 48
# Extra context around a detector box, as a fraction of its size. FER2013's faces are framed like the
# square of a YuNet or Haar box with none: on training faces rendered as frames
# (``training.evaluate --faces --render``), margin 0 reads most faces as their crops do (92.7% the same
# emotion with YuNet; 89.8% at the 0.1 used before).
CROP_MARGIN = 0.0


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return a single-channel uint8 view of a BGR, BGRA or gray image."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def crop_face(gray: np.ndarray, box: tuple[int, int, int, int], margin: float = CROP_MARGIN) -> np.ndarray:
    """Cut a square crop around ``box`` (x, y, w, h), widened by ``margin``, padded at the edges."""
    x, y, w, h = box
    side = int(round(max(w, h) * (1 + 2 * margin)))
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    pad = max(0, -x0, -y0, x0 + side - gray.shape[1], y0 + side - gray.shape[0])
    if pad:
        gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, y0 = x0 + pad, y0 + pad
    return gray[y0 : y0 + side, x0 : x0 + side]


def eye_angle(eyes: tuple[tuple[float, float], tuple[float, float]]) -> float:
    """Degrees the eye line is tilted (image y grows downwards): positive when the eye on the image's
    right sits lower than the one on its left."""
    (x0, y0), (x1, y1) = eyes
    return float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))


def align_crop_face(
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    eyes: tuple[tuple[float, float], tuple[float, float]] | None,
    margin: float = CROP_MARGIN,
    min_angle: float = 0.0,
    gain: float = 1.0,
) -> np.ndarray:
    """Like :func:`crop_face`, but rotated about the box centre so that the eyes lie level.

    One ``warpAffine`` cuts the rotated square directly (edges replicated, as ``crop_face`` pads).
    Faces whose eye line tilts less than ``min_angle`` degrees (or over 60, or without landmarks) get
    the plain ``crop_face``; ``gain`` scales the rotation (YuNet's landmarks under-read a tilt).
    """
    angle = eye_angle(eyes) if eyes is not None else 0.0
    if abs(angle) < max(min_angle, 1e-3) or abs(angle) > 60:
        return crop_face(gray, box, margin)
    angle *= gain
    x, y, w, h = box
    side = int(round(max(w, h) * (1 + 2 * margin)))
    cx, cy = x + w / 2, y + h / 2
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[0, 2] += side / 2 - cx
    matrix[1, 2] += side / 2 - cy
    return cv2.warpAffine(gray, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def face_to_input(face: np.ndarray) -> np.ndarray:
    """Resize one gray uint8 face to FACE_SIZE and scale it to float32 in [0, 1], shape (48, 48, 1)."""
    if face.shape[:2] != (FACE_SIZE, FACE_SIZE):
        interpolation = cv2.INTER_AREA if face.shape[0] > FACE_SIZE else cv2.INTER_LINEAR
        face = cv2.resize(face, (FACE_SIZE, FACE_SIZE), interpolation=interpolation)
    return (face.astype(np.float32) / 255.0)[..., None]


def faces_to_batch(faces: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Stack gray faces into one model batch of shape (N, 48, 48, 1), float32."""
    if len(faces) == 0:
        return np.zeros((0, FACE_SIZE, FACE_SIZE, 1), np.float32)
    return np.stack([face_to_input(face) for face in faces])
