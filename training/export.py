"""Export a trained Keras model to the LiteRT (.tflite) serving artefact and check agreement.

    python -m training.export --model runs/compact-w32/best.keras --data ../shared/data/fer2013
    python -m training.export --model runs/a/best.keras runs/b/best.keras ...   # averaged ensemble

Writes the model to ``emotion/vision/models/emotion.tflite`` (``--out``) with a JSON card
beside it. ``--quantize`` picks float32, float16 weights, dynamic-range int8 or full int8;
the export fails if the LiteRT model's top-1 prediction disagrees with Keras on more than
``--max-disagreement`` of the validation images.

Calibration (on by default, ``--no-calibrate`` to skip): a temperature ``T`` is fitted on the
validation images (FER+ majority labels where the labels file has votes, else FER2013 labels) and
baked into the artefact as ``softmax(log(p) / T)`` after the network's output, so the confidence the
page shows means what it says. The card records ``T`` and the expected calibration error before and
after (and a 2-fold cross-fitted ECE, since fitting and measuring on one set flatters the result).
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from emotion.vision.classifier import EmotionClassifier  # noqa: E402
from emotion.vision.labels import EMOTIONS  # noqa: E402
from emotion.vision.preprocess import faces_to_batch  # noqa: E402
from training import data  # noqa: E402
from training.calibration import crossfit_ece, expected_calibration_error, fit_temperature, nll  # noqa: E402
from training.models import INPUT_SHAPE  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "emotion" / "vision" / "models" / "emotion.tflite"
QUANTIZATIONS = ("float32", "float16", "dynamic", "int8")


def convert(model: keras.Model, quantize: str = "float32", representative: np.ndarray | None = None) -> bytes:
    """Convert ``model`` to LiteRT flatbuffer bytes with the chosen quantisation."""
    # The Keras input has a free batch dimension, so the artefact takes any number of faces.
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantize == "int8":
        if representative is None:
            raise ValueError("int8 quantisation needs representative images")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([representative[i : i + 1]] for i in range(len(representative)))
    return converter.convert()


def float32_model(path: Path) -> keras.Model:
    """Load a checkpoint (possibly trained in mixed precision) as a float32 model."""
    trained = keras.models.load_model(path, compile=False)

    def as_float32(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if "dtype" in config and not isinstance(layer, keras.layers.InputLayer):
            config["dtype"] = "float32"
        return layer.__class__.from_config(config)

    clone = keras.models.clone_model(trained, clone_function=as_float32)
    clone.set_weights([w.astype(np.float32) if w.dtype != np.float32 else w for w in trained.get_weights()])
    return clone


def ensemble(members: list[keras.Model]) -> keras.Model:
    """One model whose output is the mean of the members' probabilities."""
    if len(members) == 1:
        return members[0]
    inputs = keras.Input(INPUT_SHAPE, name="face")
    outputs = []
    for i, member in enumerate(members):
        member.name = f"member{i}"
        outputs.append(member(inputs))
    return keras.Model(inputs, keras.layers.Average(name="probabilities")(outputs), name="ensemble")


@keras.saving.register_keras_serializable(package="moodmusic")
class Temperature(keras.layers.Layer):
    """Temperature scaling of probabilities: ``softmax(log(p) / T)`` (float32 throughout)."""

    def __init__(self, temperature: float, **kwargs) -> None:
        super().__init__(dtype="float32", **{k: v for k, v in kwargs.items() if k != "dtype"})
        self.temperature = float(temperature)

    def call(self, probabilities):
        logits = keras.ops.log(keras.ops.maximum(keras.ops.cast(probabilities, "float32"), 1e-12))
        return keras.ops.softmax(logits * (1.0 / self.temperature), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "temperature": self.temperature}


def calibrated(model: keras.Model, temperature: float) -> keras.Model:
    """``model`` with temperature scaling after its probabilities (the same model when T is 1)."""
    if temperature == 1.0:
        return model
    outputs = Temperature(temperature, name="calibrated")(model.outputs[0])
    return keras.Model(model.inputs, outputs, name=f"{model.name}_calibrated")


def calibration_labels(val: data.Split, choice: str | None) -> tuple[str, np.ndarray, np.ndarray]:
    """The label set to fit the temperature on, its labels and the mask of images that have one."""
    choice = choice or ("ferplus-majority" if val.votes.sum() > 0 else "fer")
    if choice == "fer":
        return choice, val.labels, np.ones(len(val), bool)
    if val.votes.sum() == 0:
        raise SystemExit("--calibration-labels ferplus-majority: the validation data has no FER+ votes")
    labels, mask = val.ferplus_majority()
    return choice, labels, mask


def agreement(expected: np.ndarray, got: np.ndarray) -> dict:
    """How closely the LiteRT probabilities ``got`` follow the Keras ones ``expected``."""
    return {
        "top1_agreement": float((expected.argmax(1) == got.argmax(1)).mean()),
        "max_abs_diff": float(np.abs(expected - got).max()),
    }


def latency_ms(tflite_path: Path, runs: int = 300) -> float:
    classifier = EmotionClassifier(tflite_path, use_card=False)
    face = np.random.default_rng(0).random((1, 48, 48, 1), np.float32)
    for _ in range(20):
        classifier.predict(face)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        classifier.predict(face)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, nargs="+", required=True,
                   help="Keras checkpoint(s) (.keras); several are averaged into one model")
    p.add_argument("--data", type=Path, required=True, help="folder in the fer2013 layout (validation images)")
    p.add_argument("--val-split", default="val",
                   help="images of the agreement check (and of the temperature, with --calibrate); 'train' for a "
                        "model whose choices are made by cross-validation, so that validation is read only once")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--quantize", default="dynamic", choices=QUANTIZATIONS,
                   help="dynamic (int8 weights) measured ~6x faster than float32 at equal accuracy")
    p.add_argument("--max-disagreement", type=float, default=0.01)
    p.add_argument("--calibrate", action=argparse.BooleanOptionalAction, default=True,
                   help="fit a temperature on validation and bake it into the model (default on)")
    p.add_argument("--calibration-labels", default=None, choices=["fer", "ferplus-majority"],
                   help="labels the temperature is fitted on (default: ferplus-majority where votes exist)")
    p.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE, help="where loaded crops are cached")
    args = p.parse_args(argv)

    model = ensemble([float32_model(path) for path in args.model])
    val = data.load_split(args.data, subfolder=args.val_split, cache_dir=args.cache_dir)
    x = faces_to_batch(val.images)
    raw_probs = model.predict(x, batch_size=256, verbose=0)
    label_set, cal_labels, cal_mask = calibration_labels(val, args.calibration_labels)
    fit_probs, fit_labels = raw_probs[cal_mask], cal_labels[cal_mask]
    temperature = fit_temperature(fit_probs, fit_labels, low=0.1, high=10.0) if args.calibrate else 1.0
    model = calibrated(model, temperature)
    keras_probs = model.predict(x, batch_size=256, verbose=0)

    representative = x[np.random.default_rng(0).permutation(len(x))[:300]]
    flatbuffer = convert(model, args.quantize, representative)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(flatbuffer)

    labels = val.labels
    # The network alone: a card left beside --out by an earlier model may name a decision step.
    tflite_probs = EmotionClassifier(args.out, use_card=False).predict(x)
    check = agreement(keras_probs, tflite_probs)
    flipped_probs = EmotionClassifier(args.out, flip_tta=True, use_card=False).predict(x)
    card = {
        "source": [str(path) for path in args.model],
        "quantize": args.quantize,
        "checked_on": args.val_split,  # the split of the val_* figures and of the LiteRT/Keras agreement check
        "labels": list(EMOTIONS),
        "bytes": len(flatbuffer),
        "val_accuracy": round(float((tflite_probs.argmax(1) == labels).mean()), 4),
        "val_accuracy_flip_tta": round(float((flipped_probs.argmax(1) == labels).mean()), 4),
        "calibration": {
            "labels": label_set,
            "n": int(cal_mask.sum()),
            "temperature": temperature,
            "ece_before": round(expected_calibration_error(fit_probs, fit_labels), 4),
            "ece_after": round(expected_calibration_error(tflite_probs[cal_mask], fit_labels), 4),
            "ece_after_crossfit": round(crossfit_ece(fit_probs, fit_labels), 4) if args.calibrate else None,
            "nll_before": round(nll(fit_probs, fit_labels), 4),
            "nll_after": round(nll(tflite_probs[cal_mask], fit_labels), 4),
            "note": "ece_before: the float model without temperature; ece_after: this LiteRT artefact; "
                    "both on the images T was fitted on. ece_after_crossfit: T fitted on one half, "
                    "measured on the other (2 folds).",
        },
        "agreement_with_keras": check,
        "latency_ms_batch1_p50": round(latency_ms(args.out), 3),
    }
    if val.votes.sum() > 0:
        majority, has_majority = val.ferplus_majority()
        card["val_accuracy_ferplus_majority"] = round(
            float((tflite_probs[has_majority].argmax(1) == majority[has_majority]).mean()), 4)
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card))
    if 1 - check["top1_agreement"] > args.max_disagreement:
        raise SystemExit(f"LiteRT and Keras disagree on {1 - check['top1_agreement']:.2%} of images")
    return card


if __name__ == "__main__":
    main()
