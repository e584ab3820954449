"""Turn face crops into model input. Training and serving both call these."""

from collections.abc import Sequence

import cv2
import numpy as np

FACE_SIZE = 48
# Extra context around a detector box, as a fraction of its size, so crops resemble
# FER2013's framing (whole face, a little forehead and chin).
CROP_MARGIN = 0.1


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
