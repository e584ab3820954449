"""How steady the held mood of a live session is, and how fast it follows a real change, per smoother.

    python -m benchmarks.live_smoothing [--faces 60] [--length 20] [--seed 0]

Capture sequences are built from the FER2013 validation faces (``../shared/data/fer2013/val/<emotion>/``,
48×48 gray) and read by the served classifier (``emotion.vision.classifier`` with the shipped model card,
or ``EMOTION_MODEL_PATH``). A live session sees one person many times with small differences, so each
face is turned into a few webcam-like frames (a shift of up to 2 px, a turn of up to 4°, brightness and
contrast ±15%, sensor noise); their probabilities are computed once and cached (``--cache``).

- **steady, one face**: ``--length`` frames of one face; a *flip* is any change of the held mood after
  the first reading. Reported as flips per 100 readings and the share of sequences with any flip.
- **steady, one emotion**: ``--length`` frames, each of another face with the same label (a harsher
  test: different people, one emotion).
- **change**: 10 frames of one face, then 10 of a face with another label; only faces whose own frames
  the classifier reads as their label at least half the time (a change the model can see). *Follow* is
  how many readings after the change the held mood first becomes the new emotion (1 = at once);
  sequences where it never does within 10 are counted apart.
"""

import argparse
import os
import statistics
from pathlib import Path

import cv2
import numpy as np

from emotion.vision import smoothing
from emotion.vision.labels import EMOTIONS

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "fer2013" / "val"
SHIPPED = Path(__file__).resolve().parents[1] / "emotion" / "vision" / "models" / "emotion.tflite"
FRAMES_PER_FACE = 8
CHANGE_HALF = 10


def jitter(face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One webcam-like frame of ``face``: a small shift and turn, another exposure, sensor noise."""
    size = face.shape[0]
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), rng.uniform(-4, 4), 1.0)
    matrix[:, 2] += rng.uniform(-2, 2, 2)
    moved = cv2.warpAffine(face, matrix, (size, size), borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    exposed = (moved - 128) * rng.uniform(.85, 1.15) + 128 + rng.uniform(-20, 20)
    return np.clip(exposed + rng.normal(0, 4, exposed.shape), 0, 255).astype(np.uint8)


def load_probabilities(faces: int, seed: int, cache: Path) -> dict[str, np.ndarray]:
    """Per emotion, an array (faces, FRAMES_PER_FACE, 7) of the served classifier's probabilities."""
    from emotion.vision.classifier import EmotionClassifier
    from emotion.vision.preprocess import faces_to_batch

    classifier = EmotionClassifier(os.environ.get("EMOTION_MODEL_PATH", str(SHIPPED)))
    key = f"{classifier.version}-{faces}-{seed}-{FRAMES_PER_FACE}"
    if cache.exists():
        stored = np.load(cache, allow_pickle=False)
        if str(stored["key"]) == key:
            return {e: stored[e] for e in EMOTIONS}
    rng = np.random.default_rng(seed)
    out = {}
    for emotion in EMOTIONS:
        paths = sorted((DATA / emotion).glob("*.png"))
        chosen = rng.choice(len(paths), size=min(faces, len(paths)), replace=False)
        frames = [jitter(cv2.imread(str(paths[i]), cv2.IMREAD_GRAYSCALE), rng)
                  for i in chosen for _ in range(FRAMES_PER_FACE)]
        out[emotion] = classifier.predict(faces_to_batch(frames)).reshape(len(chosen), FRAMES_PER_FACE, -1)
    np.savez(cache, key=key, **out)
    print(f"classified {sum(len(v) for v in out.values())} faces × {FRAMES_PER_FACE} frames with {classifier.version}")
    return out


def as_reading(vector: np.ndarray) -> dict[str, float]:
    return {e: float(p) for e, p in zip(EMOTIONS, vector, strict=True)}


def run(smoother, readings: list[np.ndarray]) -> list[str]:
    return smoothing.held_sequence(smoother, map(as_reading, readings))


def flips(held: list[str]) -> int:
    return sum(a != b for a, b in zip(held, held[1:], strict=False))


def steady_sequences(probs, length, rng, one_face: bool):
    for emotion, faces in probs.items():
        for f in range(len(faces)):
            if one_face:
                frames = [faces[f, rng.integers(FRAMES_PER_FACE)] for _ in range(length)]
            else:
                frames = [faces[rng.integers(len(faces)), rng.integers(FRAMES_PER_FACE)] for _ in range(length)]
            yield emotion, frames


def readable(probs) -> dict[str, list[int]]:
    """Faces whose own frames are read as their label at least half the time."""
    index = {e: i for i, e in enumerate(EMOTIONS)}
    return {e: [f for f in range(len(faces)) if (faces[f].argmax(1) == index[e]).mean() >= .5]
            for e, faces in probs.items()}


def change_sequences(probs, rng, pairs: int):
    seeable = readable(probs)
    kinds = [e for e in EMOTIONS if seeable[e]]
    for _ in range(pairs):
        a, b = rng.choice(kinds, 2, replace=False)
        fa, fb = rng.choice(seeable[a]), rng.choice(seeable[b])
        frames = ([probs[a][fa, rng.integers(FRAMES_PER_FACE)] for _ in range(CHANGE_HALF)]
                  + [probs[b][fb, rng.integers(FRAMES_PER_FACE)] for _ in range(CHANGE_HALF)])
        yield str(b), frames


def follow_delay(held: list[str], new: str) -> int | None:
    after = held[CHANGE_HALF:]
    return next((i + 1 for i, h in enumerate(after) if h == new), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=int, default=60, help="validation faces per emotion")
    parser.add_argument("--length", type=int, default=20, help="readings per steady sequence")
    parser.add_argument("--pairs", type=int, default=600, help="change sequences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/moodmusic-live-smoothing.npz"))
    args = parser.parse_args()

    probs = load_probabilities(args.faces, args.seed, args.cache)
    print(f"{sum(len(v) for v in readable(probs).values())} faces readable as their label (change sequences)")
    header = (f"{'smoother':32} {'flips/100 one face':>19} {'seq. w/ flip':>13} {'flips/100 one emotion':>22}"
              f" {'follow median':>14} {'follow mean':>12} {'not in 10':>10}")
    print(header)
    for smoother in smoothing.CANDIDATES:
        row = []
        for one_face in (True, False):
            rng = np.random.default_rng(args.seed + 1)
            seqs = [run(smoother, frames) for _, frames in steady_sequences(probs, args.length, rng, one_face)]
            total = sum(flips(h) for h in seqs)
            row.append(100 * total / (len(seqs) * (args.length - 1)))
            if one_face:
                row.append(100 * sum(flips(h) > 0 for h in seqs) / len(seqs))
        rng = np.random.default_rng(args.seed + 2)
        delays = [follow_delay(run(smoother, frames), new) for new, frames in change_sequences(probs, rng, args.pairs)]
        followed = [d for d in delays if d is not None]
        served = " (served)" if smoother == smoothing.SERVED else ""
        print(f"{smoother.name + served:32} {row[0]:19.1f} {row[1]:12.0f}% {row[2]:22.1f}"
              f" {statistics.median(followed):14.1f} {statistics.mean(followed):12.2f}"
              f" {100 * (len(delays) - len(followed)) / len(delays):9.1f}%")


if __name__ == "__main__":
    main()
