"""The emotion classifier: the LiteRT network(s) its model card names, exported by ``training.export``,
blended and followed by the decision step (``emotion.vision.card``, ``emotion.vision.decision``)."""

import functools
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from emotion.vision.card import ModelCard
from emotion.vision.labels import NUM_CLASSES


class _Network:
    """One LiteRT interpreter, resized to each batch it is given."""

    def __init__(self, path: Path, num_threads: int) -> None:
        self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape = tuple(self._interpreter.get_input_details()[0]["shape"][1:])
        self._batch = 0
        self._resize(1)

    def _resize(self, batch: int) -> None:
        if batch != self._batch:
            self._interpreter.resize_tensor_input(self._input, [batch, *self._shape])
            self._interpreter.allocate_tensors()
            self._batch = batch

    def run(self, batch: np.ndarray) -> np.ndarray:
        self._resize(len(batch))
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


class EmotionClassifier:
    """Runs the model on batches of preprocessed faces (N, 48, 48, 1).

    One interpreter per network and process; ``num_threads=1`` because a worker process handles one
    capture at a time and scaling comes from more processes. The card beside the model (``emotion.json``
    for ``emotion.tflite``) may blend several networks and name a decision step; ``use_card=False``
    runs the model file alone (what export and fitting the decision need). With ``flip_tta`` (or a card whose
    decision was fitted that way) each face is also classified mirrored and the two probability vectors are
    averaged, before the decision step.
    """

    def __init__(self, model_path: str | Path, num_threads: int = 1, flip_tta: bool = False,
                 use_card: bool = True) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.exists():
            raise FileNotFoundError(f"emotion model not found at {self.model_path}")
        card = ModelCard.read(self.model_path) if use_card else ModelCard.plain(self.model_path)
        self.members, self.decision = card.members, card.decision
        self.flip_tta = card.flips(flip_tta)
        self._networks = [(_Network(path, num_threads), weight) for path, weight in self.members]

    @functools.cached_property
    def version(self) -> str:
        """The card's version of this model (``ModelCard.version``), hashed once."""
        return ModelCard(self.members, self.decision).version(self.model_path, self.flip_tta)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        if len(self._networks) == 1:
            return self._networks[0][0].run(batch)
        return sum(weight * network.run(batch) for network, weight in self._networks).astype(np.float32)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Return (N, 7) probabilities for a float32 batch from ``faces_to_batch``."""
        if len(batch) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if not self.flip_tta:
            return self.decision.apply(self._run(batch))
        both = self._run(np.concatenate([batch, batch[:, :, ::-1, :]]))
        return self.decision.apply((both[: len(batch)] + both[len(batch) :]) / 2)
