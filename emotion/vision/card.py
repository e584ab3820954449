"""A served model's card (``emotion.json`` beside ``emotion.tflite``): which networks it blends and the
decision step after them.

    {"blend": {"members": [{"model": "emotion.tflite", "weight": 0.75},
                           {"model": "emotion-fer2013.tflite", "weight": 0.25}]},
     "decision": {"offsets": {"fear": 1.2, ...}, "temperature": 0.93}, ...}

Members are LiteRT files named relative to the card's folder; their probabilities are averaged with
the weights (which sum to 1), then the decision step applies. A card without ``blend`` serves the
model file alone; without ``decision``, its probabilities unchanged. ``training.export`` writes the
card, ``training.operating_point`` adds the blend and the decision.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from emotion.vision.decision import Decision


@dataclass(frozen=True)
class ModelCard:
    members: tuple[tuple[Path, float], ...]
    decision: Decision = Decision()

    @classmethod
    def plain(cls, model_path: str | Path) -> "ModelCard":
        """The model file alone, whatever its card says."""
        return cls(((Path(model_path), 1.0),))

    @classmethod
    def read(cls, model_path: str | Path) -> "ModelCard":
        model_path = Path(model_path)
        card_path = model_path.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else {}
        decision = Decision.from_dict(card.get("decision"), card_path)
        entries = (card.get("blend") or {}).get("members")
        if not entries:
            return cls(((model_path, 1.0),), decision)
        members = tuple((model_path.parent / entry["model"], float(entry["weight"])) for entry in entries)
        if any(weight <= 0 for _, weight in members) or abs(sum(w for _, w in members) - 1) > 1e-3:
            raise ValueError(f"{card_path}: blend weights must be positive and sum to 1")
        missing = [str(path) for path, _ in members if not path.exists()]
        if missing:
            raise FileNotFoundError(f"{card_path}: blend member not found: {', '.join(missing)}")
        return cls(members, decision)

    def flips(self, requested: bool = False) -> bool:
        """Whether faces are classified with their mirror image too: when asked (``EMOTION_FLIP_TTA``), and
        always when the decision step was fitted on flip-averaged probabilities."""
        return requested or self.decision.flip_tta

    def version(self, model_path: str | Path, flip_tta: bool = False) -> str:
        """``<file stem>-<first 8 hex of a SHA-256>``, plus ``+flip`` with flip TTA.

        The hash covers the model file, and where the card blends or decides, every member, its
        weight and the decision step: moving the operating point is a new version. Reads the files,
        never loads a network, so the web process can name the served version too."""
        model_path = Path(model_path)
        if self.members == ((model_path, 1.0),) and self.decision.is_identity:
            content = model_path.read_bytes()
        else:
            content = b"".join(path.read_bytes() + repr(weight).encode() for path, weight in self.members)
            content += repr(self.decision).encode()
        digest = hashlib.sha256(content).hexdigest()[:8]
        return f"{model_path.stem}-{digest}" + ("+flip" if self.flips(flip_tta) else "")
