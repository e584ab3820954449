"""Calibration: expected calibration error and temperature scaling of probabilities.

Temperature scaling (Guo et al. 2017) divides the logits by one scalar ``T`` before the softmax:
``softmax(log(p) / T)`` gives the same result from the probabilities (the log of a softmax is the
logits up to a constant), so it also applies to an averaged ensemble's output. ``T`` is fitted by
minimising the negative log-likelihood on labelled validation images; the top-1 prediction never
changes, only how confident it is.
"""

import numpy as np

from emotion.vision.decision import Decision

ECE_BINS = 15
_EPS = 1e-12


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE over ``bins`` equal-width confidence bins: sum over bins of |accuracy - confidence| × share."""
    if len(labels) == 0:
        return 0.0
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    # Bin i holds confidences in (i/bins, (i+1)/bins]; a confidence of exactly 0 goes to the first bin.
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            ece += abs(correct[in_bin].mean() - confidence[in_bin].mean()) * in_bin.mean()
    return float(ece)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log(p) / T)``, row by row: serving's decision step with no offsets."""
    return Decision(temperature=temperature).apply(probabilities)


def nll(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.log(np.maximum(probabilities[np.arange(len(labels)), labels], _EPS)).mean())


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray, low: float = 0.05, high: float = 20.0) -> float:
    """The temperature minimising the negative log-likelihood of ``labels`` (a 1-D search over log T).

    The NLL is convex in 1/T, so a coarse grid followed by a golden-section refinement finds its minimum.
    """
    if len(labels) == 0:
        return 1.0

    def loss(log_t: float) -> float:
        return nll(apply_temperature(probabilities, float(np.exp(log_t))), labels)

    grid = np.linspace(np.log(low), np.log(high), 41)
    best = int(np.argmin([loss(t) for t in grid]))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(40):
        if loss(c) < loss(d):
            b = d
        else:
            a = c
        c, d = b - ratio * (b - a), a + ratio * (b - a)
    return round(float(np.exp((a + b) / 2)), 4)


def crossfit_ece(probabilities: np.ndarray, labels: np.ndarray, folds: int = 2, seed: int = 0) -> float:
    """ECE after temperature scaling where each fold's T is fitted on the other folds only
    (an honest estimate: fitting and measuring on the same images flatters the result)."""
    order = np.random.default_rng(seed).permutation(len(labels))
    scaled = np.empty_like(probabilities, dtype=np.float32)
    for part in np.array_split(order, folds):
        rest = np.setdiff1d(order, part)
        scaled[part] = apply_temperature(probabilities[part], fit_temperature(probabilities[rest], labels[rest]))
    return expected_calibration_error(scaled, labels)
