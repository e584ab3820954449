"""Fit the decision step of an exported model: per-emotion offsets, then a temperature.

    python -m training.operating_point --data ../shared/data/fer2013 \\
        --recall-floor angry=0.787 disgust=0.419 fear=0.826 happy=0.901 sad=0.656 surprise=0.761 neutral=0.80 \\
        --max-calm-to-negative 0.12

A network trained on the FER+ vote distribution names rare emotions (fear, disgust: 2-4% of the votes)
too seldom. Adding an offset to each emotion's log-probability before the arg-max moves the operating
point; the offsets are chosen on validation (FER+ majority labels) to meet a recall floor per emotion
and a ceiling on the share of calm faces read as angry, disgust, fear or sad, and among the offsets
that meet them, to keep the highest accuracy. A temperature is then refitted on the adjusted
probabilities so the confidence stays calibrated. Both go into the model's card (``emotion.json``)
under ``"decision"``, which ``emotion.vision.classifier`` applies (``emotion.vision.card``).

``--blend OTHER.tflite [...]`` first averages the model with other networks (one trained on other labels
reads faces differently, and the average reads more of them right); their weights are chosen from
``--blend-weights`` the same way, and go into the card under ``"blend"``.

Offsets fitted and scored on one set flatter themselves, most for the rarest classes (31 disgust
faces in PublicTest), so the card also records out-of-fold figures: offsets fitted on one half of
validation, scored on the other, both ways round.

Choosing the targets themselves is a judgment on what each costs. ``--compare-floors`` (with ``--oof``)
prints that table and writes nothing: for each set of recall floors (beside the clear and calm targets
given), the decision cross-fitted on the out-of-fold predictions, each half scored by the decision
fitted on the other; validation is not read::

    python -m training.operating_point --data ../shared/data/fer2013 --oof RUNS... --flip-tta \
        --max-calm-to-negative 0.10 --min-clear-recall 0.93 --max-clear-to-neutral 0.04 \
        --compare-floors none fear=0.5,disgust=0.4 fear=0.6,disgust=0.5

The search: neutral is the reference (offset 0: only differences matter); coordinate descent over
the other six offsets on a 0.05 grid from -3 to 3, each coordinate solved exactly over the grid,
from the zero start and from seeded random starts. Deterministic for a given ``--seed``.
"""

import argparse
import itertools
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from emotion.vision.classifier import EmotionClassifier
from emotion.vision.decision import Decision
from emotion.vision.labels import EMOTIONS, INDEX, NUM_CLASSES
from emotion.vision.preprocess import faces_to_batch
from training import data
from training.calibration import expected_calibration_error, fit_temperature
from training.evaluate import NEGATIVE, metrics
from training.export import DEFAULT_OUT

GRID = np.round(np.arange(-3.0, 3.0001, 0.05), 2)
REFERENCE = INDEX["neutral"]
_EPS = 1e-12


@dataclass(frozen=True)
class Targets:
    recall_floors: dict[int, float] = field(default_factory=dict)  # class index -> minimum recall
    max_calm_to_negative: float | None = None
    min_clear_recall: float | None = None  # on clear faces (``clear`` mask): share named right
    max_clear_to_neutral: float | None = None  # on clear faces: share read as neutral

    def shortfall(self, predictions: np.ndarray, labels: np.ndarray, clear: np.ndarray | None = None) -> np.ndarray:
        """How far predictions (N,) or (N, G) fall short of the targets: the sum of each recall's
        deficit under its floor, of calm→negative's excess over its ceiling and, given the mask of the
        clear faces, of their recall's deficit and their read-as-neutral excess (0 when all are met)."""
        predictions = predictions.reshape(len(labels), -1)
        total = np.zeros(predictions.shape[1])
        if clear is not None and clear.any():
            on_clear = predictions[clear]
            if self.min_clear_recall is not None:
                total += np.maximum(self.min_clear_recall - (on_clear == labels[clear][:, None]).mean(axis=0), 0.0)
            if self.max_clear_to_neutral is not None:
                total += np.maximum((on_clear == REFERENCE).mean(axis=0) - self.max_clear_to_neutral, 0.0)
        for k, floor in self.recall_floors.items():
            of_k = labels == k
            if of_k.any():
                recall = (predictions[of_k] == k).mean(axis=0)
                total += np.maximum(floor - recall, 0.0)
        calm = labels == REFERENCE
        if self.max_calm_to_negative is not None and calm.any():
            negative = np.isin(predictions[calm], NEGATIVE).mean(axis=0)
            total += np.maximum(negative - self.max_calm_to_negative, 0.0)
        return total


def _log(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(probabilities.astype(np.float64), _EPS))


def _best_value(log_probs: np.ndarray, labels: np.ndarray, targets: Targets, offsets: np.ndarray,
                c: int, clear: np.ndarray | None = None) -> tuple[float, tuple[float, float]]:
    """The grid value of offset ``c`` (the others fixed) with the least shortfall, then the best accuracy."""
    scores = log_probs + offsets
    scores[:, c] = -np.inf
    runner_up, runner_up_score = scores.argmax(axis=1), scores.max(axis=1)
    wins = (log_probs[:, c, None] + GRID[None, :]) > runner_up_score[:, None]
    predictions = np.where(wins, c, runner_up[:, None])
    short = np.round(targets.shortfall(predictions, labels, clear), 9)
    accuracy = (predictions == labels[:, None]).mean(axis=0)
    best = np.lexsort((-accuracy, short))[0]
    return float(GRID[best]), (float(short[best]), -float(accuracy[best]))


def _key(predictions: np.ndarray, labels: np.ndarray, targets: Targets,
         clear: np.ndarray | None = None) -> tuple[float, float]:
    """What the searches minimise: the shortfall first, then minus the accuracy."""
    return (float(np.round(targets.shortfall(predictions, labels, clear)[0], 9)),
            -float((predictions == labels).mean()))


def _descend(log_probs: np.ndarray, labels: np.ndarray, targets: Targets, start: np.ndarray,
             sweeps: int = 10, clear: np.ndarray | None = None) -> tuple[np.ndarray, tuple[float, float]]:
    offsets, key = start.copy(), _key((log_probs + start).argmax(axis=1), labels, targets, clear)
    for _ in range(sweeps):
        moved = False
        for c in range(NUM_CLASSES):
            if c == REFERENCE:
                continue
            value, candidate = _best_value(log_probs, labels, targets, offsets, c, clear)
            if candidate < key:
                offsets[c], key, moved = value, candidate, True
        if not moved:
            break
    return offsets, key


def fit_offsets(probabilities: np.ndarray, labels: np.ndarray, targets: Targets, restarts: int = 16,
                seed: int = 0, clear: np.ndarray | None = None) -> np.ndarray:
    """Offsets (7,) that meet ``targets`` on (probabilities, labels) with the highest accuracy found,
    or, where no start meets them, the ones that fall least short."""
    log_probs = _log(probabilities)
    rng = np.random.default_rng(seed)
    starts = [np.zeros(NUM_CLASSES)] + [np.where(np.arange(NUM_CLASSES) == REFERENCE, 0.0,
                                                 np.round(rng.normal(0.0, 1.0, NUM_CLASSES), 2))
                                        for _ in range(restarts)]
    best, best_key = None, (np.inf, 0.0)
    for start in starts:
        offsets, key = _descend(log_probs, labels, targets, start, clear=clear)
        if key < best_key:
            best, best_key = offsets, key
    return best


def fit_decision(probabilities: np.ndarray, labels: np.ndarray, targets: Targets, seed: int = 0,
                 clear: np.ndarray | None = None) -> Decision:
    """Offsets for ``targets``, then the temperature that calibrates the adjusted probabilities."""
    offsets = fit_offsets(probabilities, labels, targets, seed=seed, clear=clear)
    shifted = Decision(tuple(offsets)).apply(probabilities)
    return Decision(tuple(offsets), fit_temperature(shifted, labels, low=0.1, high=10.0))


def crossfit_probabilities(probabilities: np.ndarray, labels: np.ndarray, targets: Targets, folds: int = 2,
                           seed: int = 0, clear: np.ndarray | None = None) -> np.ndarray:
    """Each fold's probabilities through the decision fitted on the other folds only."""
    order = np.random.default_rng(seed).permutation(len(labels))
    adjusted = np.empty_like(probabilities, dtype=np.float32)
    for part in np.array_split(order, folds):
        rest = np.setdiff1d(order, part)
        adjusted[part] = fit_decision(probabilities[rest], labels[rest], targets, seed,
                                     None if clear is None else clear[rest]).apply(probabilities[part])
    return adjusted


def summary(probabilities: np.ndarray, labels: np.ndarray, targets: Targets, clear: np.ndarray | None = None) -> dict:
    predictions = probabilities.argmax(axis=1)
    scored = metrics(labels, predictions, probabilities)
    figures = {key: scored[key] for key in ("n", "accuracy", "calm_to_negative", "ece", "per_class_recall")}
    if clear is not None and clear.any():
        figures["clear"] = {"n": int(clear.sum()),
                            "recall": round(float((predictions[clear] == labels[clear]).mean()), 4),
                            "read_as_neutral": round(float((predictions[clear] == REFERENCE).mean()), 4)}
    return figures | {"targets_met": bool(targets.shortfall(predictions, labels, clear)[0] == 0)}


def parse_floors(items: list[str]) -> dict[int, float]:
    floors = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in INDEX or not value:
            raise argparse.ArgumentTypeError(f"--recall-floor {item!r}: expected EMOTION=RECALL, "
                                             f"EMOTION one of {', '.join(EMOTIONS)}")
        floors[INDEX[name]] = float(value)
    return floors


def choose_blend(main: np.ndarray, others: list[np.ndarray], labels: np.ndarray, targets: Targets,
                 weights: list[float], seed: int = 0,
                 clear: np.ndarray | None = None) -> tuple[tuple[float, ...], dict[str, float]]:
    """The weights of ``others`` (each from ``weights``, the model keeping the rest, at least 0.4) whose
    blend's fitted decision falls least short of ``targets`` and then reads most faces right, and the
    accuracy after its decision of each combination tried."""
    tried, best, best_key = {}, (), (np.inf, 0.0)
    for combination in itertools.product(weights, repeat=len(others)):
        if sum(combination) > 0.6 + 1e-9:
            continue
        blended = (1 - sum(combination)) * main + sum(w * o for w, o in zip(combination, others, strict=True))
        # The decision's temperature never changes the arg-max: the offsets alone decide the key.
        predictions = (_log(blended) + fit_offsets(blended, labels, targets, seed=seed, clear=clear)).argmax(axis=1)
        key = _key(predictions, labels, targets, clear)
        tried[",".join(f"{w:g}" for w in combination)] = round(-key[1], 4)
        if key < best_key:
            best, best_key = combination, key
    return best, tried


def out_of_fold_fit(folder: Path, runs: list[Path], flip_tta: bool,
                    cache_dir: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a decision is fitted on out of fold: the runs' held-out probabilities of the training faces with a
    FER+ majority, their labels and the mask of the clear faces among them."""
    train = data.load_split(folder, subfolder="train", cache_dir=cache_dir)
    oof, covered = data.load_out_of_fold(runs, train, flip_tta)
    labels, has_majority = train.ferplus_majority()
    use = covered & has_majority
    return oof[use], labels[use], train.clear_expressions()[1][use]


def compare_floors(floor_sets: list[str], base: Targets, probabilities: np.ndarray, labels: np.ndarray,
                   clear: np.ndarray, seed: int = 0) -> list[dict]:
    """For each set of recall floors (``"fear=0.5,disgust=0.4"``, or ``"none"``) added to ``base``'s clear and
    calm targets: the cross-fitted figures of the decision fitted for it (each half scored by the decision
    fitted on the other), as one row each."""
    rows = []
    for floor_set in floor_sets:
        items = [] if floor_set == "none" else floor_set.split(",")
        targets = replace(base, recall_floors=parse_floors(items))
        scored = summary(crossfit_probabilities(probabilities, labels, targets, seed=seed, clear=clear),
                         labels, targets, clear)
        rows.append({"floors": floor_set, **scored})
    return rows


def print_comparison(rows: list[dict]) -> None:
    """The rows of ``compare_floors`` as a Markdown table, then one JSON line."""
    print("| floors | accuracy | calm→negative | clear: recall / read as neutral | "
          + " | ".join(EMOTIONS) + " |")
    print("|---" * (4 + NUM_CLASSES) + "|")
    for row in rows:
        clear = row.get("clear", {})
        recalls = " | ".join(f"{row['per_class_recall'][e]:.3f}" for e in EMOTIONS)
        print(f"| {row['floors']} | {row['accuracy']:.2%} | {row['calm_to_negative']:.1%} | "
              f"{clear.get('recall', float('nan')):.3f} / {clear.get('read_as_neutral', float('nan')):.1%} | "
              f"{recalls} |")
    print(json.dumps(rows))


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="folder in the fer2013 layout, with FER+ votes")
    p.add_argument("--split", default="val")
    p.add_argument("--model", type=Path, default=DEFAULT_OUT, help="exported .tflite; its card gets the decision")
    p.add_argument("--blend", type=Path, nargs="+", default=[],
                   help="other exported .tflite files in the model's folder, averaged with the model at the "
                        "weights (of --blend-weights) whose decision meets the targets best")
    p.add_argument("--blend-weights", default="0.1,0.15,0.2,0.25,0.3,0.35,0.4",
                   help="comma-separated weights to try for each --blend network")
    p.add_argument("--recall-floor", nargs="*", default=[], metavar="EMOTION=RECALL")
    p.add_argument("--max-calm-to-negative", type=float, default=None)
    p.add_argument("--min-clear-recall", type=float, default=None,
                   help="floor on the recall of clear faces (at least 7 of 10 votes on one non-neutral emotion)")
    p.add_argument("--max-clear-to-neutral", type=float, default=None,
                   help="ceiling on the share of clear faces read as neutral")
    p.add_argument("--oof", type=Path, nargs="+", default=[], metavar="RUN",
                   help="fit on the out-of-fold predictions of these `training.train --folds` runs (the training "
                        "split) instead of on --split, which is then only reported, once, after the fit")
    p.add_argument("--flip-tta", action="store_true",
                   help="fit on the average of each face's and its mirror image's probabilities (the runs' plain and "
                        "mirrored out-of-fold predictions), score --split the same way, and write into the card "
                        "that the decision holds for them only: serving then always averages the two")
    p.add_argument("--compare-floors", nargs="+", default=[], metavar="SET",
                   help="with --oof: print the cross-fitted figures of the decision for each set of recall floors "
                        "(EMOTION=RECALL,... or none) beside the clear and calm targets, and write nothing")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE)
    args = p.parse_args(argv)
    try:
        targets = Targets(parse_floors(args.recall_floor), args.max_calm_to_negative, args.min_clear_recall,
                          args.max_clear_to_neutral)
        for floor_set in args.compare_floors:
            parse_floors([] if floor_set == "none" else floor_set.split(","))
    except argparse.ArgumentTypeError as error:
        p.error(str(error))
    if args.compare_floors:
        if not args.oof:
            p.error("--compare-floors compares targets on out-of-fold predictions: give --oof RUN ...")
        fit = out_of_fold_fit(args.data, args.oof, args.flip_tta, args.cache_dir)
        rows = compare_floors(args.compare_floors, targets, *fit, args.seed)
        print_comparison(rows)
        return {"compared": rows, "n": len(fit[1]), "runs": len(args.oof)}

    card_path = args.model.with_suffix(".json")
    if not card_path.exists():
        p.error(f"{card_path} not found: export the model first (python -m training.export)")
    if args.oof and args.blend:
        p.error("--oof fits the decision of one cross-validated network family: export the folds as one model")
    if any(other.resolve().parent != args.model.resolve().parent for other in args.blend):
        p.error("--blend: the other networks must sit in the model's folder (the card names them by file name)")
    val = data.load_split(args.data, subfolder=args.split, cache_dir=args.cache_dir)
    labels, mask = val.ferplus_majority()
    if not mask.any():
        p.error("the validation data has no FER+ majority labels (labels.csv vote columns)")
    x = faces_to_batch(val.images)
    alone = EmotionClassifier(args.model, use_card=False, flip_tta=args.flip_tta).predict(x)
    raw, blend = alone, None
    if args.blend:
        others = [EmotionClassifier(other, use_card=False, flip_tta=args.flip_tta).predict(x) for other in args.blend]
        weights = [float(w) for w in args.blend_weights.split(",")]
        chosen, tried = choose_blend(alone[mask], [o[mask] for o in others], labels[mask], targets, weights,
                                     args.seed)
        raw = (1 - sum(chosen)) * alone + sum(w * o for w, o in zip(chosen, others, strict=True))
        names = [args.model.name] + [other.name for other in args.blend]
        blend = {"members": [{"model": name, "weight": round(w, 4)}
                             for name, w in zip(names, [1 - sum(chosen), *chosen], strict=True)],
                 "accuracy_by_weight": tried}
    probs, labels, clear = raw[mask], labels[mask], val.clear_expressions()[1][mask]

    if args.oof:
        fit = out_of_fold_fit(args.data, args.oof, args.flip_tta, args.cache_dir)
        fitted_on = f"out-of-fold predictions on train ({len(args.oof)} runs, {len(fit[1])} faces), FER+ majority"
        oof_runs = [data.run_name(run) for run in args.oof]
    else:
        fit, fitted_on, oof_runs = (probs, labels, clear), f"{args.split}, FER+ majority labels", None
    decision = replace(fit_decision(*fit[:2], targets, args.seed, clear=fit[2]), flip_tta=args.flip_tta)
    adjusted = decision.apply(probs)
    record = {
        **decision.as_card(),
        "fitted_on": fitted_on,
        **({"oof_runs": oof_runs} if oof_runs else {}),
        "targets": {"recall_floors": {EMOTIONS[k]: v for k, v in targets.recall_floors.items()},
                    "max_calm_to_negative": targets.max_calm_to_negative,
                    "min_clear_recall": targets.min_clear_recall,
                    "max_clear_to_neutral": targets.max_clear_to_neutral},
        "before": summary(alone[mask], labels, targets, clear),
        "after": summary(adjusted, labels, targets, clear),
        "after_crossfit": summary(crossfit_probabilities(*fit[:2], targets, seed=args.seed, clear=fit[2]),
                                  *fit[1:2], targets, fit[2]),
        "fer2013_accuracy": {
            "before": round(float((alone.argmax(1) == val.labels).mean()), 4),
            "after": round(float((decision.apply(raw).argmax(1) == val.labels).mean()), 4)},
        "ece_shifted_before_temperature": round(expected_calibration_error(
            Decision(decision.offsets).apply(probs), labels), 4),
        "note": "before: the model file alone on --split; after: blended (where a blend is given) and decided, "
                "scored on --split (fitted on it too, unless fitted_on names out-of-fold training predictions: "
                "then --split is seen once, after every choice); after_crossfit: on the images the decision was "
                "fitted on, each half scored by the decision fitted on the other (the blend weight as chosen)",
    }
    card = json.loads(card_path.read_text())
    card["decision"] = record
    card.pop("blend", None)
    if blend:
        card["blend"] = blend
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps({**record, **({"blend": blend} if blend else {})}))
    return {**record, **({"blend": blend} if blend else {})}


if __name__ == "__main__":
    main()
