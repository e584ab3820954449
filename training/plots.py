"""Learning-curve and confusion-matrix figures (PNG, matplotlib's Agg backend)."""

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_history(history_csv: Path, out: Path) -> None:
    """Plot loss and accuracy per epoch, training against validation."""
    with open(history_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return
    epochs = [int(r["epoch"]) + 1 for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, ["loss", "accuracy"], strict=True):
        ax.plot(epochs, [float(r[metric]) for r in rows], label="train")
        if rows[0].get(f"val_{metric}", "NA") != "NA":  # a final fit (--val-split none) has no validation curve
            ax.plot(epochs, [float(r[f"val_{metric}"]) for r in rows], label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, labels: list[str], out: Path) -> None:
    """Row-normalised confusion matrix (rows: true label) with counts in each cell."""
    norm = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center",
                    color="white" if norm[i, j] > 0.5 else "black", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
