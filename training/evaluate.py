"""Evaluate the emotion classifier on a folder in the fer2013 layout.

    python -m training.evaluate --data ../shared/data/fer2013 --split val
    python -m training.evaluate --data photos/ --faces        # full serving pipeline on photos

Reports accuracy, macro-F1, per-class recall and a confusion matrix (PNG + JSON in --out).
The model is the shipped LiteRT artefact unless --model names another (.tflite or .keras).
The last line printed is one JSON object with at least ``accuracy``, ``macro_f1`` and ``n``.
"""

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import make_detector
from emotion.vision.labels import EMOTIONS, INDEX, NUM_CLASSES
from emotion.vision.pipeline import Pipeline
from emotion.vision.preprocess import faces_to_batch
from training import data
from training.export import DEFAULT_OUT


def confusion(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def metrics(labels: np.ndarray, predictions: np.ndarray) -> dict:
    """Accuracy, macro-F1 over the classes present, per-class recall/precision and the confusion matrix."""
    matrix = confusion(labels, predictions)
    true, predicted, hits = matrix.sum(1), matrix.sum(0), np.diag(matrix)
    recall = np.divide(hits, true, out=np.zeros(NUM_CLASSES), where=true > 0)
    precision = np.divide(hits, predicted, out=np.zeros(NUM_CLASSES), where=predicted > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(NUM_CLASSES),
                   where=(precision + recall) > 0)
    present = true > 0
    return {
        "n": int(len(labels)),
        "accuracy": round(float((labels == predictions).mean()) if len(labels) else 0.0, 4),
        "macro_f1": round(float(f1[present].mean()) if present.any() else 0.0, 4),
        "per_class_recall": {e: round(float(recall[i]), 4) for i, e in enumerate(EMOTIONS)},
        "per_class_precision": {e: round(float(precision[i]), 4) for i, e in enumerate(EMOTIONS)},
        "confusion_matrix": matrix.tolist(),
    }


class KerasPredictor:
    """Wraps a .keras checkpoint in the classifier's predict() interface (evaluation only)."""

    def __init__(self, path: Path, flip_tta: bool) -> None:
        import keras

        self.model, self.flip_tta = keras.models.load_model(path, compile=False), flip_tta

    def predict(self, batch: np.ndarray) -> np.ndarray:
        probs = self.model.predict(batch, batch_size=256, verbose=0)
        if self.flip_tta:
            probs = (probs + self.model.predict(batch[:, :, ::-1], batch_size=256, verbose=0)) / 2
        return probs


def load_predictor(path: Path, flip_tta: bool):
    if path.suffix == ".keras":
        return KerasPredictor(path, flip_tta)
    return EmotionClassifier(path, flip_tta=flip_tta)


def evaluate_crops(predictor, split: data.Split) -> dict:
    predictions = predictor.predict(faces_to_batch(split.images)).argmax(1) if len(split) else np.zeros(0, int)
    return {**metrics(split.labels, predictions), "skipped_labels": split.skipped}


def evaluate_photos(classifier: EmotionClassifier, folder: Path, detector_model: str | None) -> dict:
    """Run detector + crop + classifier on full-size photos; the largest face is the prediction."""
    pipeline = Pipeline(make_detector(detector_model), classifier)
    rows = data.list_rows(folder)
    kept = [r for r in rows if r["label"] in INDEX]
    labels, predictions, missed = [], [], 0
    for row in kept:
        image = cv2.imread(str(folder / row["path"]), cv2.IMREAD_COLOR)
        faces = pipeline.analyse(image).faces if image is not None else []
        if not faces:
            missed += 1
            continue
        labels.append(INDEX[row["label"]])
        predictions.append(INDEX[faces[0].emotion])
    result = metrics(np.array(labels, int), np.array(predictions, int))
    return {**result, "images": len(kept), "faces_missed": missed, "skipped_labels": len(rows) - len(kept)}


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default=None, help="sub-folder (e.g. val); default: the whole folder")
    p.add_argument("--model", type=Path, default=DEFAULT_OUT, help=".tflite (default: shipped) or .keras")
    p.add_argument("--flip-tta", action="store_true", help="average with the mirrored face")
    p.add_argument("--faces", action="store_true", help="full photos through detector + crop + classifier")
    p.add_argument("--detector-model", default=None, help="YuNet ONNX for --faces (default: Haar cascade)")
    p.add_argument("--out", type=Path, default=None, help="folder for confusion.png and metrics.json")
    args = p.parse_args(argv)

    if args.faces:
        if args.model.suffix == ".keras":
            p.error("--faces runs the serving pipeline: give a .tflite model")
        folder = args.data / args.split if args.split else args.data
        result = evaluate_photos(EmotionClassifier(args.model, flip_tta=args.flip_tta), folder, args.detector_model)
    else:
        split = data.load_split(args.data, subfolder=args.split)
        result = evaluate_crops(load_predictor(args.model, args.flip_tta), split)
    result = {"model": str(args.model), "flip_tta": args.flip_tta, **result}
    if args.out:
        from training.plots import plot_confusion

        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
        plot_confusion(np.array(result["confusion_matrix"]), list(EMOTIONS), args.out / "confusion.png")
    for emotion, recall in result["per_class_recall"].items():
        print(f"{emotion:>9}: recall {recall:.3f}", file=sys.stderr)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
