"""Pictures for the browser journeys, made at test time from the shared fixture images."""

from pathlib import Path

import cv2
import numpy as np

from tests.images import FIXTURES as FIXTURE_IMAGES

FRAME_SIZE = (640, 480)


def write_y4m(image_path: Path, target: Path, frames: int = 5) -> Path:
    """Letterbox ``image_path`` into a 640x480 YUV4MPEG2 (I420) clip of a few identical frames."""
    bgr = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    assert bgr is not None, f"cannot read {image_path}"
    width, height = FRAME_SIZE
    scale = min(width / bgr.shape[1], height / bgr.shape[0])
    resized = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    frame = np.zeros((height, width, 3), np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    frame[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
    with target.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)
    return target


def two_faces_png() -> bytes:
    """The astronaut twice, the second smaller: two faces, the larger one on the left."""
    face = cv2.imread(str(FIXTURE_IMAGES / "astronaut.png"), cv2.IMREAD_COLOR)
    small = cv2.resize(face, (320, 320), interpolation=cv2.INTER_AREA)
    canvas = np.full((face.shape[0], face.shape[1] + 320, 3), 255, np.uint8)
    canvas[:, :face.shape[1]] = face
    canvas[96:416, face.shape[1]:] = small
    ok, png = cv2.imencode(".png", canvas)
    assert ok
    return png.tobytes()
