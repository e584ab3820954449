"""The decision step after the network: per-emotion offsets and a temperature, from the model card.

``softmax((log p + offsets) / T)``. The offsets move the operating point, how readily each emotion is
named (a network trained on crowd votes names the rare ones, fear and disgust, too seldom); the
temperature keeps the confidence calibrated after the move. ``training.operating_point`` fits both on
validation and writes them into the model's card (``emotion.json``, read by ``emotion.vision.card``)
under ``"decision"``. A model whose card has no decision passes its probabilities through unchanged.

A decision fitted on flip-averaged probabilities (each face and its mirror image, ``flip_tta``) holds only
for them: the card says so, and every reader of it (worker, private mode, benchmarks) then averages the two.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotion.vision.labels import EMOTIONS, NUM_CLASSES

_EPS = 1e-12


@dataclass(frozen=True)
class Decision:
    offsets: tuple[float, ...] = (0.0,) * NUM_CLASSES
    temperature: float = 1.0
    flip_tta: bool = False  # fitted on the average of each face and its mirror image: serve it that way

    def __post_init__(self) -> None:
        if len(self.offsets) != NUM_CLASSES:
            raise ValueError(f"a decision needs {NUM_CLASSES} offsets, got {len(self.offsets)}")
        if not self.temperature > 0:
            raise ValueError(f"the decision temperature must be positive, got {self.temperature}")

    @property
    def is_identity(self) -> bool:
        return self.temperature == 1.0 and not any(self.offsets)

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """The adjusted (N, 7) probabilities; the same array when this decision changes nothing."""
        if self.is_identity or len(probabilities) == 0:
            return probabilities
        logits = np.log(np.maximum(probabilities.astype(np.float64), _EPS)) + np.asarray(self.offsets)
        logits /= self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        scaled = np.exp(logits)
        return (scaled / scaled.sum(axis=1, keepdims=True)).astype(np.float32)

    def as_card(self) -> dict:
        card = {"offsets": dict(zip(EMOTIONS, (round(float(o), 4) for o in self.offsets), strict=True)),
                "temperature": round(float(self.temperature), 4)}
        return card | ({"flip_tta": True} if self.flip_tta else {})

    @classmethod
    def from_dict(cls, entry: dict | None, source: str | Path = "the model card") -> "Decision":
        """A card's ``"decision"`` entry (offsets by emotion name); identity for none."""
        if not entry:
            return cls()
        offsets = entry.get("offsets", {})
        unknown = set(offsets) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"{source}: decision offsets for unknown emotions {sorted(unknown)}")
        return cls(tuple(float(offsets.get(e, 0.0)) for e in EMOTIONS), float(entry.get("temperature", 1.0)),
                   bool(entry.get("flip_tta", False)))
