"""The emotion classifier: the LiteRT model exported by ``training.export``, then the decision step
its card names (``emotion.vision.decision``)."""

import functools
import hashlib
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from emotion.vision.decision import Decision
from emotion.vision.labels import NUM_CLASSES


class EmotionClassifier:
    """Runs the exported model on batches of preprocessed faces (N, 48, 48, 1).

    One interpreter per process; ``num_threads=1`` because a worker process handles one
    capture at a time and scaling comes from more processes. With ``flip_tta`` each face is
    also classified mirrored and the two probability vectors are averaged. The card beside the model
    (``emotion.json`` for ``emotion.tflite``) may name a decision step, applied after that average;
    ``decision`` overrides it (``Decision()``: the network's own probabilities).
    """

    def __init__(self, model_path: str | Path, num_threads: int = 1, flip_tta: bool = False,
                 decision: Decision | None = None) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.exists():
            raise FileNotFoundError(f"emotion model not found at {self.model_path}")
        self.flip_tta = flip_tta
        self.decision = decision or Decision.from_card(self.model_path.with_suffix(".json"))
        self._interpreter = Interpreter(model_path=str(self.model_path), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape = tuple(self._interpreter.get_input_details()[0]["shape"][1:])
        self._batch = 0
        self._resize(1)

    @functools.cached_property
    def version(self) -> str:
        """``<file stem>-<first 8 hex of its SHA-256>``, plus ``+flip`` with flip TTA (hashed once).

        The hash covers the decision step too, so moving the operating point is a new version."""
        content = self.model_path.read_bytes()
        if not self.decision.is_identity:
            content += repr(self.decision).encode()
        digest = hashlib.sha256(content).hexdigest()[:8]
        return f"{self.model_path.stem}-{digest}" + ("+flip" if self.flip_tta else "")

    def _resize(self, batch: int) -> None:
        if batch != self._batch:
            self._interpreter.resize_tensor_input(self._input, [batch, *self._shape])
            self._interpreter.allocate_tensors()
            self._batch = batch

    def _run(self, batch: np.ndarray) -> np.ndarray:
        self._resize(len(batch))
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Return (N, 7) probabilities for a float32 batch from ``faces_to_batch``."""
        if len(batch) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if not self.flip_tta:
            return self.decision.apply(self._run(batch))
        both = self._run(np.concatenate([batch, batch[:, :, ::-1, :]]))
        return self.decision.apply((both[: len(batch)] + both[len(batch) :]) / 2)
