"""Load FER2013-layout folders into arrays, cached as .npz.

A data folder holds either ``labels.csv`` (columns ``path,label`` and optionally ``usage``
and the FER+ vote columns) or ``<label>/*.png`` sub-folders. Labels outside the seven
emotions are skipped and counted.
"""

import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from emotion.vision.labels import EMOTIONS, FERPLUS_COLUMNS, INDEX, NUM_CLASSES

# FER+ columns outside the seven emotions: an image whose majority is one of these is not one of ours.
FERPLUS_OTHER_COLUMNS = ("contempt", "unknown", "NF")


def default_cache_dir() -> Path:
    """The per-user cache folder (``$XDG_CACHE_HOME/moodmusic-training``), never inside the checkout."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "moodmusic-training"


DEFAULT_CACHE = default_cache_dir()


@dataclass
class Split:
    images: np.ndarray  # (N, H, W) uint8, gray
    labels: np.ndarray  # (N,) int, index into EMOTIONS
    votes: np.ndarray  # (N, 7) float32 FER+ vote counts; all zero where absent
    paths: list[str]
    skipped: int = 0
    # (N, 3) votes for contempt, unknown and not-a-face; all zero where absent
    other_votes: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.other_votes is None:
            self.other_votes = np.zeros((len(self.labels), len(FERPLUS_OTHER_COLUMNS)), np.float32)

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, keep: np.ndarray) -> "Split":
        """The images where boolean ``keep`` is true (or at the given indices)."""
        index = np.flatnonzero(keep) if keep.dtype == bool else keep
        return Split(self.images[index], self.labels[index], self.votes[index], [self.paths[i] for i in index],
                     self.skipped, self.other_votes[index])

    def ferplus_majority(self) -> tuple[np.ndarray, np.ndarray]:
        """FER+ majority labels and a mask of the images that have one.

        Over all ten vote columns, the image keeps its majority label only when one emotion of the
        seven has strictly more votes than every other column: ties, contempt, unknown and
        not-a-face majorities (and images without votes) are masked out, as in FER+'s own scoring.
        """
        all_votes = np.concatenate([self.votes, self.other_votes], axis=1)
        top = all_votes.max(axis=1)
        unique_top = (all_votes == top[:, None]).sum(axis=1) == 1
        winner = all_votes.argmax(axis=1)
        mask = (top > 0) & unique_top & (winner < NUM_CLASSES)
        return np.where(mask, winner, -1), mask

    def ferplus_usable(self) -> np.ndarray:
        """Images worth training on with FER+ targets: votes present, and the seven emotions
        hold at least as many votes as contempt, unknown or not-a-face alone."""
        emotion_top = self.votes.max(axis=1)
        return (self.votes.sum(axis=1) > 0) & (emotion_top >= self.other_votes.max(axis=1))

    def clear_expressions(self, min_votes: int = 7) -> tuple[np.ndarray, np.ndarray]:
        """The emotion and a mask of the *clear* faces: at least ``min_votes`` annotators (of ten) agree on
        one emotion other than neutral. These are the strong expressions a reader must not call calm."""
        top = self.votes.argmax(axis=1)
        mask = (self.votes.max(axis=1) >= min_votes) & (top != INDEX["neutral"])
        return np.where(mask, top, -1), mask

    def folds(self, k: int, seed: int = 0) -> np.ndarray:
        """A fold number in ``0..k-1`` per image, stratified by the FER+ majority label (the FER2013 label
        where an image has none), the same for the same images, ``k`` and ``seed``: cross-validation on
        ``Training`` chooses epochs, weights and the decision step without looking at PublicTest."""
        if k < 2:
            raise ValueError("cross-validation needs at least 2 folds")
        majority, has_majority = self.ferplus_majority()
        strata = np.where(has_majority, majority, self.labels)
        rng = np.random.default_rng(seed)
        fold = np.empty(len(self), np.int64)
        for stratum in np.unique(strata):
            members = rng.permutation(np.flatnonzero(strata == stratum))
            fold[members] = (np.arange(len(members)) + rng.integers(k)) % k
        return fold

    def soft_targets(self, mode: str) -> np.ndarray:
        """Targets for training: ``fer`` (one-hot), ``ferplus-majority``, ``ferplus-soft`` or ``mixed``
        (the mean of the FER2013 one-hot and the FER+ vote distribution).

        FER+ modes fall back to the FER2013 label where an image has no usable votes.
        """
        onehot = np.eye(NUM_CLASSES, dtype=np.float32)[self.labels]
        if mode == "fer":
            return onehot
        totals = self.votes.sum(axis=1, keepdims=True)
        has_votes = totals[:, 0] > 0
        if mode in ("ferplus-soft", "mixed"):
            soft = np.divide(self.votes, totals, out=np.zeros_like(self.votes), where=totals > 0)
        elif mode == "ferplus-majority":
            soft = np.eye(NUM_CLASSES, dtype=np.float32)[self.votes.argmax(axis=1)]
        else:
            raise ValueError(f"unknown label mode {mode!r}")
        if mode == "mixed":
            soft = (soft + onehot) / 2
        return np.where(has_votes[:, None], soft, onehot)


def _rows_from_csv(folder: Path, usage: str | None) -> list[dict]:
    with open(folder / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if usage and rows and "usage" in rows[0]:
        rows = [r for r in rows if r["usage"] == usage]
    return rows


def _rows_from_folders(folder: Path) -> list[dict]:
    return [
        {"path": str(p.relative_to(folder)), "label": p.parent.name}
        for p in sorted(folder.glob("*/*.png"))
    ]


def _votes(row: dict) -> np.ndarray:
    values = [row.get(column) or "" for column in FERPLUS_COLUMNS]
    if not all(v.strip().isdigit() for v in values):
        return np.zeros(NUM_CLASSES, np.float32)
    votes = np.zeros(NUM_CLASSES, np.float32)
    for column, value in zip(FERPLUS_COLUMNS, values, strict=True):
        votes[INDEX[FERPLUS_COLUMNS[column]]] = float(value)
    return votes


def _to_face_size(image: np.ndarray) -> np.ndarray:
    """Resize one crop to 48x48 before stacking, so folders of mixed-size crops load."""
    if image.shape[:2] == (48, 48):
        return image
    interpolation = cv2.INTER_AREA if min(image.shape[:2]) > 48 else cv2.INTER_LINEAR
    return cv2.resize(image, (48, 48), interpolation=interpolation)


def _other_votes(row: dict) -> np.ndarray:
    values = [(row.get(column) or "").strip() for column in FERPLUS_OTHER_COLUMNS]
    return np.array([float(v) if v.isdigit() else 0.0 for v in values], np.float32)


def list_rows(folder: Path) -> list[dict]:
    """The ``path``/``label`` rows of a data folder: from labels.csv, else from ``<label>/*.png``."""
    folder = Path(folder)
    return _rows_from_csv(folder, None) if (folder / "labels.csv").exists() else _rows_from_folders(folder)


def read_split(folder: Path, usage: str | None = None, subfolder: str | None = None) -> Split:
    """Read images and labels from ``folder`` (optionally only one ``usage`` or ``subfolder``)."""
    folder = Path(folder)
    if (folder / "labels.csv").exists():
        rows = _rows_from_csv(folder, usage)
        if subfolder:
            rows = [r for r in rows if r["path"].startswith(subfolder.rstrip("/") + "/")]
    else:
        rows = _rows_from_folders(folder / subfolder if subfolder else folder)
        if subfolder:
            rows = [dict(r, path=f"{subfolder}/{r['path']}") for r in rows]
    kept = [r for r in rows if r["label"] in INDEX]
    images = [cv2.imread(str(folder / r["path"]), cv2.IMREAD_GRAYSCALE) for r in kept]
    missing = [r["path"] for r, img in zip(kept, images, strict=True) if img is None]
    if missing:
        raise FileNotFoundError(f"{len(missing)} images unreadable, first: {missing[0]}")
    return Split(
        images=np.stack([_to_face_size(img) for img in images]) if images else np.zeros((0, 48, 48), np.uint8),
        labels=np.array([INDEX[r["label"]] for r in kept], np.int64),
        votes=np.stack([_votes(r) for r in kept]) if kept else np.zeros((0, NUM_CLASSES), np.float32),
        paths=[r["path"] for r in kept],
        skipped=len(rows) - len(kept),
        other_votes=(np.stack([_other_votes(r) for r in kept]) if kept
                     else np.zeros((0, len(FERPLUS_OTHER_COLUMNS)), np.float32)),
    )


def load_split(
    folder: Path, usage: str | None = None, subfolder: str | None = None, cache_dir: Path | None = DEFAULT_CACHE
) -> Split:
    """Like :func:`read_split`, cached as .npz keyed by the folder, selection and labels file."""
    folder = Path(folder).resolve()
    if cache_dir is None:
        return read_split(folder, usage, subfolder)
    stamp = folder / "labels.csv"
    key_src = f"v2|{folder}|{usage}|{subfolder}|{stamp.stat().st_mtime_ns if stamp.exists() else ''}"
    cache = Path(cache_dir) / f"{hashlib.sha1(key_src.encode()).hexdigest()[:16]}.npz"
    if cache.exists():
        z = np.load(cache, allow_pickle=False)
        return Split(z["images"], z["labels"], z["votes"], list(z["paths"]), int(z["skipped"]), z["other_votes"])
    split = read_split(folder, usage, subfolder)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, images=split.images, labels=split.labels, votes=split.votes,
             paths=np.array(split.paths), skipped=split.skipped, other_votes=split.other_votes)
    return split


def class_counts(labels: np.ndarray) -> dict[str, int]:
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    return {name: int(counts[i]) for i, name in enumerate(EMOTIONS)}


def run_name(run: Path) -> str:
    """How a card names a cross-validation run it was fitted on: ``<cross-validation>/<fold>``."""
    run = run.resolve()
    return f"{run.parent.name}/{run.name}"


def load_out_of_fold(runs: list[Path], train: Split, flip_tta: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The out-of-fold probabilities of ``training.train --folds`` runs, in the order of ``train``'s images,
    and a mask of the images they cover (each image in at most one fold)."""
    position = {path: i for i, path in enumerate(train.paths)}
    probabilities = np.zeros((len(train), NUM_CLASSES), np.float32)
    covered = np.zeros(len(train), bool)
    for run in runs:
        oof = np.load(run / "oof.npz")
        probs = (oof["probabilities"] + oof["mirrored"]) / 2 if flip_tta else oof["probabilities"]
        index = np.array([position[str(path)] for path in oof["paths"]], np.int64)
        if covered[index].any():
            raise ValueError(f"{run}: an image is held out by two runs; give the folds of one cross-validation")
        probabilities[index], covered[index] = probs, True
    return probabilities, covered
