"""Evaluate the emotion classifier on a folder in the fer2013 layout.

    python -m training.evaluate --data ../shared/data/fer2013 --split val
    python -m training.evaluate --data photos/ --faces        # full serving pipeline on photos

Reports accuracy, macro-F1, per-class recall, recall on clear expressions (``clear``: at least 7 of 10
FER+ annotators agree on one emotion other than neutral; how many of them are read as neutral), FER2013-label
accuracy where the FER2013 label is the FER+ majority (``fer_agreement``), the share of calm (neutral)
faces read as angry, disgust, fear or sad (``calm_to_negative``), the expected calibration error (``ece``, 15 bins) and
a confusion matrix (PNG + JSON in --out). Where the folder's labels.csv carries FER+ votes, the
top-level figures are against the FER+ majority label (ties, contempt, unknown and not-a-face
images skipped, counted in ``masked``) and the FER2013 labels' figures sit in a ``fer`` sub-object;
``--labels fer`` swaps the two (FER+ figures then in ``ferplus``).
The model is the shipped LiteRT artefact unless --model names another (.tflite or .keras).
``--faces`` detects with the serving configuration (FACE_DETECTOR and FACE_DETECTOR_MODEL_PATH from
the environment, as the Django settings read them; default YuNet, shipped with the project).
``--oof RUN ...`` scores the model card's decision step on the stored out-of-fold predictions of
cross-validation runs instead of running a network: a fold trained after the decision was fitted is a
second set of faces it was never chosen on (the card's ``oof_runs``, which it was fitted on, are refused).
The last line printed is one JSON object with at least ``accuracy``, ``macro_f1`` and ``n``.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from emotion.vision.card import ModelCard
from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import DETECTOR_CHOICES, SHIPPED_YUNET_MODEL, detector_model, make_detector
from emotion.vision.labels import EMOTIONS, INDEX, NUM_CLASSES
from emotion.vision.pipeline import Pipeline
from emotion.vision.preprocess import faces_to_batch
from training import data
from training.calibration import expected_calibration_error
from training.export import DEFAULT_OUT

LABEL_SETS = ("fer", "ferplus-majority")
SUB_OBJECT = {"fer": "fer", "ferplus-majority": "ferplus"}
NEGATIVE = tuple(INDEX[e] for e in ("angry", "disgust", "fear", "sad"))


def confusion(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def calm_to_negative(matrix: np.ndarray) -> float:
    """Share of the faces labelled neutral that are predicted angry, disgust, fear or sad."""
    neutral = matrix[INDEX["neutral"]]
    return float(neutral[list(NEGATIVE)].sum() / neutral.sum()) if neutral.sum() else 0.0


def metrics(labels: np.ndarray, predictions: np.ndarray, probabilities: np.ndarray | None = None) -> dict:
    """Accuracy, macro-F1 over the classes present, calm→negative, per-class recall/precision, the
    confusion matrix and, given the probabilities, the expected calibration error."""
    matrix = confusion(labels, predictions)
    true, predicted, hits = matrix.sum(1), matrix.sum(0), np.diag(matrix)
    recall = np.divide(hits, true, out=np.zeros(NUM_CLASSES), where=true > 0)
    precision = np.divide(hits, predicted, out=np.zeros(NUM_CLASSES), where=predicted > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(NUM_CLASSES),
                   where=(precision + recall) > 0)
    present = true > 0
    result = {
        "n": int(len(labels)),
        "accuracy": round(float((labels == predictions).mean()) if len(labels) else 0.0, 4),
        "macro_f1": round(float(f1[present].mean()) if present.any() else 0.0, 4),
        "calm_to_negative": round(calm_to_negative(matrix), 4),
    }
    if probabilities is not None:
        result["ece"] = round(expected_calibration_error(probabilities, labels), 4)
    return {
        **result,
        "per_class_recall": {e: round(float(recall[i]), 4) for i, e in enumerate(EMOTIONS)},
        "per_class_precision": {e: round(float(precision[i]), 4) for i, e in enumerate(EMOTIONS)},
        "confusion_matrix": matrix.tolist(),
    }


def label_sets(split: data.Split) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Labels and a mask of the images that have one, per label set the split can score against."""
    sets = {"fer": (split.labels, np.ones(len(split), bool))}
    if len(split) and split.votes.sum() > 0:
        sets["ferplus-majority"] = split.ferplus_majority()
    return sets


def report(probabilities: np.ndarray, sets: dict, requested: str | None) -> dict:
    """Figures for the ``requested`` label set at the top level (default: FER+ majority where votes
    exist, else FER2013), and the other label set's figures in a sub-object."""
    requested = requested or ("ferplus-majority" if "ferplus-majority" in sets else "fer")
    if requested not in sets:
        raise SystemExit(f"--labels {requested}: the data has no FER+ votes (labels.csv vote columns)")

    def score(name: str) -> dict:
        labels, mask = sets[name]
        probs = probabilities[mask]
        return {**metrics(labels[mask], probs.argmax(1), probs), "masked": int((~mask).sum())}

    result = {"labels": requested, **score(requested)}
    for name in sets:
        if name != requested:
            result[SUB_OBJECT[name]] = score(name)
    return result


def clear_expression_figures(probabilities: np.ndarray, split: data.Split) -> dict:
    """How the reader does on *clear* faces (at least 7 of 10 annotators agree on one emotion other than
    neutral): the share it names right, the share it calls neutral, and the recall per emotion."""
    labels, mask = split.clear_expressions()
    if not mask.any():
        return {"n": 0}
    predicted, truth = probabilities[mask].argmax(1), labels[mask]
    per_class = {}
    for i, emotion in enumerate(EMOTIONS):
        of_class = truth == i
        if of_class.any():
            hits = float((predicted[of_class] == i).mean())
            per_class[emotion] = {"n": int(of_class.sum()), "recall": round(hits, 4)}
    return {"n": int(mask.sum()), "recall": round(float((predicted == truth).mean()), 4),
            "read_as_neutral": round(float((predicted == INDEX["neutral"]).mean()), 4), "per_class": per_class}


def agreement_accuracy(probabilities: np.ndarray, split: data.Split) -> dict:
    """FER2013-label accuracy on the images whose FER2013 label is also their FER+ majority label: where
    the two label sets agree the label is not in doubt, so a miss is the reader's."""
    majority, has_majority = split.ferplus_majority()
    agree = has_majority & (majority == split.labels)
    if not agree.any():
        return {"n": 0}
    hits = probabilities[agree].argmax(1) == split.labels[agree]
    return {"n": int(agree.sum()), "accuracy": round(float(hits.mean()), 4)}


def vote_figures(probabilities: np.ndarray, split: data.Split) -> dict:
    """The figures that need FER+ votes (empty where the data has none)."""
    if not len(split) or split.votes.sum() == 0:
        return {}
    return {"clear": clear_expression_figures(probabilities, split),
            "fer_agreement": agreement_accuracy(probabilities, split)}


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


def evaluate_crops(predictor, split: data.Split, labels: str | None = None) -> dict:
    if len(split):
        probabilities = predictor.predict(faces_to_batch(split.images))
    else:
        probabilities = np.zeros((0, NUM_CLASSES), np.float32)
    return {**report(probabilities, label_sets(split), labels), **vote_figures(probabilities, split),
            "skipped_labels": split.skipped}


def serving_detector_model(choice: str | None = None, model_path: str | None = None) -> Path | None:
    """The YuNet model (or None for Haar) that serving would use, read like the Django settings
    read it (FACE_DETECTOR, FACE_DETECTOR_MODEL_PATH; default: auto with the shipped YuNet model)
    without needing Django set up; explicit arguments win."""
    choice = choice or os.environ.get("FACE_DETECTOR") or "auto"
    model_path = model_path or os.environ.get("FACE_DETECTOR_MODEL_PATH") or str(SHIPPED_YUNET_MODEL)
    return detector_model(choice, model_path)


def evaluate_photos(classifier: EmotionClassifier, folder: Path, detector_path: str | Path | None,
                    labels: str | None = None) -> dict:
    """Run detector + crop + classifier on full-size photos; the largest face is the prediction."""
    pipeline = Pipeline(make_detector(detector_path), classifier)
    rows = data.list_rows(folder)
    kept = [r for r in rows if r["label"] in INDEX]
    found, probabilities, missed = [], [], 0
    for i, row in enumerate(kept):
        image = cv2.imread(str(folder / row["path"]), cv2.IMREAD_COLOR)
        faces = pipeline.analyse(image).faces if image is not None else []
        if not faces:
            missed += 1
            continue
        found.append(i)
        probabilities.append([faces[0].probabilities[e] for e in EMOTIONS])
    rows_found = [kept[i] for i in found]
    split = data.Split(
        images=np.zeros((len(found), 1, 1), np.uint8),  # not needed: only the labels and votes are scored
        labels=np.array([INDEX[r["label"]] for r in rows_found], np.int64),
        votes=np.array([data._votes(r) for r in rows_found], np.float32).reshape(-1, NUM_CLASSES),
        paths=[r["path"] for r in rows_found],
        other_votes=np.array([data._other_votes(r) for r in rows_found], np.float32).reshape(
            -1, len(data.FERPLUS_OTHER_COLUMNS)),
    )
    probs = np.array(probabilities, np.float32).reshape(-1, NUM_CLASSES)
    result = {**report(probs, label_sets(split), labels), **vote_figures(probs, split)}
    return {**result, "detector": pipeline.detector.name, "images": len(kept), "faces_missed": missed,
            "skipped_labels": len(rows) - len(kept)}


def render_frame(crop: np.ndarray, scale: int = 4, margin: float = 1.0) -> np.ndarray:
    """A 48×48 face crop as a camera-like BGR frame: enlarged ``scale`` times (bicubic) and set in a plain
    border ``margin`` face-widths wide on each side, the colour of the crop's own mean."""
    face = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    pad = int(face.shape[0] * margin)
    frame = cv2.copyMakeBorder(face, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=int(crop.mean()))
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def evaluate_rendered(classifier: EmotionClassifier, split: data.Split, detector_path: str | Path | None,
                      labels: str | None = None) -> dict:
    """The serving pipeline (detector → crop with margin → classifier) on every crop rendered as a frame,
    beside the crop path on the same faces: the figures the pipeline reaches, how many faces the detector
    misses, and how often the two paths name the same emotion."""
    pipeline = Pipeline(make_detector(detector_path), classifier)
    found, through_pipeline = [], []
    for i, crop in enumerate(split.images):
        faces = pipeline.analyse(render_frame(crop)).faces
        if faces:
            found.append(i)
            through_pipeline.append([faces[0].probabilities[e] for e in EMOTIONS])
    found_split = split.subset(np.array(found, np.int64))
    pipeline_probs = np.array(through_pipeline, np.float32).reshape(-1, NUM_CLASSES)
    crop_probs = classifier.predict(faces_to_batch(found_split.images)) if found else pipeline_probs
    sets = label_sets(found_split)
    return {**report(pipeline_probs, sets, labels), **vote_figures(pipeline_probs, found_split),
            "detector": pipeline.detector.name, "images": len(split), "faces_missed": len(split) - len(found),
            "crop_path_on_found": {k: v for k, v in report(crop_probs, sets, labels).items()
                                   if k in ("labels", "n", "accuracy", "macro_f1", "calm_to_negative")},
            "same_emotion_as_crop_path": round(float((pipeline_probs.argmax(1) == crop_probs.argmax(1)).mean())
                                               if found else 0.0, 4)}


def evaluate_out_of_fold(model: Path, runs: list[Path], split: data.Split, flip_tta: bool,
                         labels: str | None = None) -> tuple[dict, bool]:
    """The card's decision on the out-of-fold predictions of ``runs`` (mirrored too where the card flips),
    and whether faces were flip-averaged; runs the decision was fitted on are refused."""
    card = ModelCard.read(model)
    fitted_on = set(json.loads(model.with_suffix(".json").read_text()).get("decision", {}).get("oof_runs", []))
    named = {data.run_name(run) for run in runs}
    if overlap := sorted(fitted_on & named):
        raise SystemExit(f"--oof: the card's decision was fitted on {', '.join(overlap)}: score it on folds it "
                         "was not fitted on")
    flips = card.flips(flip_tta)
    probabilities, covered = data.load_out_of_fold(runs, split, flips)
    held_out = split.subset(covered)
    decided = card.decision.apply(probabilities[covered])
    return {**report(decided, label_sets(held_out), labels), **vote_figures(decided, held_out),
            "oof_runs": sorted(named)}, flips


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default=None, help="sub-folder (e.g. val); default: the whole folder")
    p.add_argument("--model", type=Path, default=DEFAULT_OUT, help=".tflite (default: shipped) or .keras")
    p.add_argument("--labels", default=None, choices=LABEL_SETS,
                   help="labels for the top-level figures (default: ferplus-majority where the data has "
                        "FER+ votes, else fer); the other set is reported in a sub-object")
    p.add_argument("--flip-tta", action="store_true", help="average with the mirrored face")
    p.add_argument("--faces", action="store_true", help="full photos through detector + crop + classifier")
    p.add_argument("--render", action="store_true",
                   help="with --faces on a crop folder: render each 48×48 crop as a frame, run the serving "
                        "pipeline on it and compare with the crop path on the faces the detector finds")
    p.add_argument("--detector", default=None, choices=DETECTOR_CHOICES,
                   help="face detector for --faces (default: $FACE_DETECTOR, else auto, as serving)")
    p.add_argument("--detector-model", default=None,
                   help="YuNet ONNX for --faces (default: $FACE_DETECTOR_MODEL_PATH, else the shipped model)")
    p.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE,
                   help=f"where loaded crops are cached as .npz (default {data.DEFAULT_CACHE})")
    p.add_argument("--no-cache", action="store_true", help="read the images without any cache")
    p.add_argument("--out", type=Path, default=None, help="folder for confusion.png and metrics.json")
    p.add_argument("--oof", type=Path, nargs="+", default=[], metavar="RUN",
                   help="score the card's decision on these `training.train --folds` runs' out-of-fold "
                        "predictions (of --split, default train) instead of running the network")
    args = p.parse_args(argv)

    if args.oof:
        if args.faces:
            p.error("--oof scores stored predictions: it runs no detector (drop --faces)")
        cache_dir = None if args.no_cache else args.cache_dir
        split = data.load_split(args.data, subfolder=args.split or "train", cache_dir=cache_dir)
        result, flipped = evaluate_out_of_fold(args.model, args.oof, split, args.flip_tta, args.labels)
    elif args.faces:
        if args.model.suffix == ".keras":
            p.error("--faces runs the serving pipeline: give a .tflite model")
        folder = args.data / args.split if args.split else args.data
        try:
            detector_path = serving_detector_model(args.detector, args.detector_model)
        except ValueError as error:
            p.error(str(error))
        classifier = EmotionClassifier(args.model, flip_tta=args.flip_tta)
        if args.render:
            cache_dir = None if args.no_cache else args.cache_dir
            split = data.load_split(args.data, subfolder=args.split, cache_dir=cache_dir)
            result = evaluate_rendered(classifier, split, detector_path, args.labels)
        else:
            result = evaluate_photos(classifier, folder, detector_path, args.labels)
        flipped = classifier.flip_tta
    else:
        cache_dir = None if args.no_cache else args.cache_dir
        split = data.load_split(args.data, subfolder=args.split, cache_dir=cache_dir)
        classifier = load_predictor(args.model, args.flip_tta)
        result = evaluate_crops(classifier, split, args.labels)
        flipped = classifier.flip_tta
    # What ran: a card whose decision was fitted on mirrored faces flips them whatever --flip-tta says.
    result = {"model": str(args.model), "flip_tta": flipped, **result}
    if args.out:
        from training.plots import plot_confusion

        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
        plot_confusion(np.array(result["confusion_matrix"]), list(EMOTIONS), args.out / "confusion.png")
    print(f"labels {result['labels']}: accuracy {result['accuracy']:.4f}, calm→negative "
          f"{result['calm_to_negative']:.4f}, ECE {result['ece']:.4f}", file=sys.stderr)
    for emotion, recall in result["per_class_recall"].items():
        print(f"{emotion:>9}: recall {recall:.3f}", file=sys.stderr)
    if result.get("clear", {}).get("n"):
        clear = result["clear"]
        print(f"clear expressions (n {clear['n']}): recall {clear['recall']:.4f}, read as neutral "
              f"{clear['read_as_neutral']:.4f}", file=sys.stderr)
    if result.get("fer_agreement", {}).get("n"):
        agreement = result["fer_agreement"]
        print(f"FER2013 labels where FER+ agrees (n {agreement['n']}): accuracy {agreement['accuracy']:.4f}",
              file=sys.stderr)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
