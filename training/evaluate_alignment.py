"""Does aligning faces upright from YuNet's eye landmarks help? Measured on validation crops.

    python -m training.evaluate_alignment --data ../shared/data/fer2013 --split val

Each validation face (48×48, FER+ majority label) is enlarged and placed on a larger canvas so
that YuNet can detect it, then rotated by each ``--angles`` (default 0, -15 and +15 degrees). The
serving detector finds the face, and the crop is cut twice from the same detection: plainly
(``crop_face``, as served today) and rotated upright from the eye landmarks (``align_crop_face``).
Both crops go through the same classifier; accuracy, calm→negative and ECE are scored against the
FER+ majority labels on the faces detected at that angle (the same faces for both crops). The last
line printed is one JSON object. ``--variants`` compares several aligned crops at once (a rotation
gain and a minimum tilt below which the plain crop is kept); choose them on training faces
(``--split train --limit 2000``) and report them on validation.

A model chosen by cross-validation is measured without reading validation: give a fold's network
(exported) and ``--split train --held-out-of RUN``, and only the faces that run held out (its
``oof.npz``), which that network never trained on, are read; ``--flip-tta`` reads each crop with its
mirror image, as a card fitted that way is served.

Measured with the model shipped at f731369 (FER+ majority labels; accuracy on the faces YuNet found;
logs of these runs are not kept in the repository):

    angle   faces   plain crop   aligned (gain 1, min 0°)   aligned (gain 1, min 5°, chosen on train)
      0°    3008      68.15%        67.55%                     67.75%
    -15°    2783      65.90%        67.77%                     67.59%
    +15°    2588      68.20%        68.93%                     68.93%

Alignment helps rotated faces (+0.7 to +1.9 points) but costs 0.4 to 0.6 points on upright ones,
so it fails the rule "better rotated, no worse upright" and serving does not align (the classifier
learnt from unaligned faces; YuNet's landmarks also read only about 9-11° of a 15° tilt). Re-run
this for a new model before changing that.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from emotion.vision.classifier import EmotionClassifier
from emotion.vision.detector import SHIPPED_YUNET_MODEL, YuNetDetector
from emotion.vision.preprocess import align_crop_face, crop_face, eye_angle, faces_to_batch
from training import data
from training.evaluate import metrics
from training.export import DEFAULT_OUT

SCALE = 3  # 48 px faces become 144 px: well inside YuNet's range
PAD = 72  # canvas border on every side, so the detector sees a face with surroundings


def canvas(face: np.ndarray, angle: float) -> np.ndarray:
    """The 48×48 face enlarged, on a padded canvas, rotated ``angle`` degrees (counter-clockwise)."""
    big = cv2.resize(face, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
    image = cv2.copyMakeBorder(big, PAD, PAD, PAD, PAD, cv2.BORDER_REPLICATE)
    if angle:
        centre = (image.shape[1] / 2, image.shape[0] / 2)
        image = cv2.warpAffine(image, cv2.getRotationMatrix2D(centre, angle, 1.0), image.shape[::-1],
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return image


def central_face(boxes, size: int):
    """The detection nearest the canvas centre (the face we placed), or None."""
    if not boxes:
        return None
    return min(boxes, key=lambda b: (b.x + b.w / 2 - size / 2) ** 2 + (b.y + b.h / 2 - size / 2) ** 2)


def measure(split: data.Split, labels: np.ndarray, classifier, detector, angles: list[float],
            variants: list[tuple[float, float]] = ((1.0, 0.0),)) -> dict:
    """Per angle: the plain crop against each aligned variant ``(gain, min_angle)``."""
    results = {}
    for angle in angles:
        plain, aligned, kept, tilts = [], [], [], []
        started = time.monotonic()
        for i, face in enumerate(split.images):
            image = canvas(face, angle)
            box = central_face(detector.detect(image), image.shape[0])
            if box is None:
                continue
            kept.append(i)
            plain.append(crop_face(image, box.as_tuple()))
            aligned.append([align_crop_face(image, box.as_tuple(), box.eyes, min_angle=m, gain=g) for g, m in variants])
            tilts.append(eye_angle(box.eyes) if box.eyes else 0.0)
        kept_labels = labels[kept]
        entry = {"detected": len(kept), "of": len(split), "seconds": round(time.monotonic() - started, 1),
                 "eye_angle_median": round(float(np.median(tilts)), 2) if tilts else None}
        # the original 48×48 crops of the same faces, upright: what the classifier scores without a detector
        named = [("original_crop", list(split.images[kept])), ("plain", plain)]
        named += [(f"aligned_gain{g:g}_min{m:g}", [row[j] for row in aligned]) for j, (g, m) in enumerate(variants)]
        for name, crops in named:
            probs = classifier.predict(faces_to_batch(crops))
            m = metrics(kept_labels, probs.argmax(1), probs)
            entry[name] = {k: m[k] for k in ("accuracy", "macro_f1", "calm_to_negative", "ece", "per_class_recall")}
        results[f"{angle:+g}"] = entry
        summary = ", ".join(f"{name} {entry[name]['accuracy']:.4f}" for name, _ in named)
        print(f"angle {angle:+g}: detected {len(kept)}/{len(split)}: {summary}", file=sys.stderr, flush=True)
    return results


def held_out(split: data.Split, run: Path) -> data.Split:
    """The images of ``split`` that a cross-validation run held out (the paths in its ``oof.npz``)."""
    wanted = {str(path) for path in np.load(run / "oof.npz")["paths"]}
    keep = np.array([path in wanted for path in split.paths])
    if keep.sum() != len(wanted):
        raise SystemExit(f"{run}: {len(wanted) - int(keep.sum())} held-out images are not in this split; "
                         "give the split the run was trained on (--split train)")
    return split.subset(keep)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default="val")
    p.add_argument("--model", type=Path, default=DEFAULT_OUT, help="LiteRT model (default: shipped)")
    p.add_argument("--detector-model", type=Path, default=SHIPPED_YUNET_MODEL)
    p.add_argument("--angles", default="0,-15,15", help="comma-separated rotations in degrees")
    p.add_argument("--variants", default="1:0",
                   help="aligned crops to compare, comma-separated gain:min_angle (default 1:0)")
    p.add_argument("--labels", default="ferplus-majority", choices=["fer", "ferplus-majority"])
    p.add_argument("--limit", type=int, default=0, help="N random labelled faces only (quick looks)")
    p.add_argument("--held-out-of", type=Path, default=None, metavar="RUN",
                   help="only the faces this `training.train --folds` run held out (its oof.npz)")
    p.add_argument("--flip-tta", action="store_true", help="average each crop with its mirror image")
    p.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE)
    args = p.parse_args(argv)

    split = data.load_split(args.data, subfolder=args.split, cache_dir=args.cache_dir)
    if args.held_out_of:
        split = held_out(split, args.held_out_of)
    if args.labels == "ferplus-majority":
        majority, mask = split.ferplus_majority()
        split, labels = split.subset(mask), majority[mask]
    else:
        labels = split.labels
    if args.limit:
        pick = np.sort(np.random.default_rng(0).permutation(len(split))[: args.limit])
        split, labels = split.subset(pick), labels[pick]
    angles = [float(a) for a in args.angles.split(",")]
    variants = [tuple(float(v) for v in item.split(":")) for item in args.variants.split(",")]
    classifier = EmotionClassifier(args.model, flip_tta=args.flip_tta)
    result = {"model": str(args.model), "labels": args.labels, "n": len(split), "flip_tta": classifier.flip_tta,
              "held_out_of": str(args.held_out_of) if args.held_out_of else None,
              "angles": measure(split, labels, classifier, YuNetDetector(args.detector_model), angles, variants)}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
