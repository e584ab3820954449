"""Train an emotion classifier.

    python -m training.train --data ../shared/data/fer2013 --arch compact --epochs 45 --out runs/compact

The run directory receives config.json, history.csv, curves.png, best.keras (highest
validation accuracy), last.keras and a backup/ folder that ``--resume`` continues from.
"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from emotion.vision.labels import EMOTIONS  # noqa: E402
from emotion.vision.preprocess import faces_to_batch  # noqa: E402
from training import augment, data, models  # noqa: E402
from training.plots import plot_history  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="folder in the fer2013 layout")
    p.add_argument("--train-split", default="train", help="sub-folder (or labels.csv prefix) for training")
    p.add_argument("--val-split", default="val",
                   help="sub-folder (or labels.csv prefix) for validation; 'none' reads no validation split "
                        "(the final fit of a recipe chosen by --folds: only last.keras, nothing picked on it)")
    p.add_argument("--out", type=Path, required=True, help="run directory")
    p.add_argument("--arch", default="compact", choices=sorted(models.ARCHITECTURES))
    p.add_argument("--width", type=int, default=32, help="compact only: base width")
    p.add_argument("--blocks", default="1,1,1", help="compact only: residual blocks at 24, 12 and 6 px")
    p.add_argument("--epochs", type=int, default=45)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05, help="peak learning rate")
    p.add_argument("--warmup", type=int, default=3, help="epochs of linear warm-up")
    p.add_argument("--schedule", default="cosine", choices=["cosine", "constant"])
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--labels", default="fer", choices=["fer", "ferplus-majority", "ferplus-soft", "mixed"])
    p.add_argument("--val-labels", default=None, choices=["fer", "ferplus-majority"],
                   help="labels that choose best.keras (default: ferplus-majority for FER+ targets, else fer)")
    p.add_argument("--logit-adjust", type=float, default=0.0, metavar="TAU",
                   help="train with logit-adjusted loss (Menon et al. 2021): the loss sees the logits plus "
                        "TAU * log(class prior of the training targets), so the network itself learns the "
                        "prior-free (balanced) reading that lifts rare classes; 0 trains plainly")
    p.add_argument("--erasing", type=float, default=0.5, help="random erasing probability")
    p.add_argument("--photometric", action="store_true", help="brightness, contrast and gamma jitter")
    p.add_argument("--mixup", type=float, default=0.0, metavar="ALPHA",
                   help="mixup of images and their target distributions, lambda ~ Beta(ALPHA, ALPHA); 0: off")
    p.add_argument("--folds", type=int, default=0, metavar="K",
                   help="cross-validation on the training split: train on all folds but --fold, validate on "
                        "it (FER+ majority labels), and write its out-of-fold predictions to oof.npz; "
                        "the validation split is then never read")
    p.add_argument("--fold", type=int, default=0, help="the held-out fold, 0..K-1 (with --folds)")
    p.add_argument("--fold-seed", type=int, default=0, help="seed of the fold assignment (keep it across folds)")
    p.add_argument("--precision", default="auto", choices=["auto", "mixed_bfloat16", "float32"],
                   help="auto: mixed_bfloat16 where the hardware computes in bfloat16 (a GPU, or a CPU with "
                        "AVX512-BF16 or AMX), else float32: emulated, bfloat16 was measured 8x slower than "
                        "float32 on a 2-core AVX2 CPU")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="train on N random images only (smoke runs)")
    p.add_argument("--resume", action="store_true", help="continue from the run directory's backup")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=sys.stdout.isatty(),
                   help="progress bar (default on a terminal; one line per epoch otherwise)")
    return p.parse_args(argv)


def learning_rate(args: argparse.Namespace, steps_per_epoch: int):
    if args.schedule == "constant":
        return args.lr
    warmup = args.warmup * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else args.lr,
        decay_steps=max(1, args.epochs * steps_per_epoch - warmup),
        warmup_target=args.lr if warmup else None,
        warmup_steps=warmup,
    )


def training_dataset(x: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> tf.data.Dataset:
    geometric = augment.geometric(seed=args.seed)

    def augment_batch(images, targets):
        images = geometric(images, training=True)
        if args.photometric:
            images = augment.photometric(images)
        if args.erasing:
            images = augment.random_erasing(images, args.erasing)
        if args.mixup:
            images, targets = augment.mixup(images, targets, args.mixup)
        return images, targets

    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch)
        .map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def class_prior(targets: np.ndarray) -> np.ndarray:
    """Each class's share of the training target mass (soft targets count fractionally)."""
    mass = targets.sum(axis=0).astype(np.float64) + 1.0  # +1: a class absent from a tiny run stays finite
    return (mass / mass.sum()).astype(np.float32)


def logit_adjusted_loss(prior: np.ndarray, tau: float, label_smoothing: float = 0.0):
    """Cross-entropy on ``softmax(log p + tau * log prior)``.

    The network outputs probabilities ``p = softmax(z)``; ``log p`` is ``z`` up to a constant, so adding
    ``tau * log prior`` before a fresh softmax is Menon et al.'s logit-adjusted loss. Frequent classes
    get a head start inside the loss, so the network's own output need not favour them.
    """
    shift = tf.constant(tau * np.log(prior), tf.float32)
    crossentropy = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=label_smoothing)

    def loss(y_true, y_pred):
        logits = tf.math.log(tf.clip_by_value(tf.cast(y_pred, tf.float32), 1e-7, 1.0)) + shift
        return crossentropy(y_true, logits)

    return loss


def build_model(args: argparse.Namespace, steps_per_epoch: int, prior: np.ndarray | None = None) -> keras.Model:
    kwargs = {}
    if args.arch == "compact":
        kwargs = {"width": args.width, "blocks": tuple(int(b) for b in args.blocks.split(","))}
    model = models.build(args.arch, **kwargs)
    optimizer = keras.optimizers.SGD(
        learning_rate(args, steps_per_epoch), momentum=0.9, nesterov=True, weight_decay=args.weight_decay
    )
    if args.logit_adjust:
        loss = logit_adjusted_loss(prior, args.logit_adjust, args.label_smoothing)
    else:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=args.label_smoothing)
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=["accuracy"],
    )
    return model


def save_out_of_fold(run: Path, held_out: data.Split, x_oof: np.ndarray) -> Path:
    """The held-out fold's predictions by the end-of-schedule network (``last.keras``: no epoch is picked
    on the fold it is scored on), plain and mirrored, with the image paths they belong to."""
    model = keras.models.load_model(run / "last.keras", compile=False)
    plain = model.predict(x_oof, batch_size=256, verbose=0)
    mirrored = model.predict(x_oof[:, :, ::-1], batch_size=256, verbose=0)
    path = run / "oof.npz"
    np.savez(path, paths=np.array(held_out.paths), probabilities=plain.astype(np.float32),
             mirrored=mirrored.astype(np.float32))
    return path


BF16_CPU_FLAGS = {"avx512_bf16", "amx_bf16"}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags as Linux lists them (empty where it does not)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags") for flag in line.split(":", 1)[1].split()}


def resolve_precision(requested: str, has_gpu: bool, flags: set[str]) -> str:
    """``auto``: mixed_bfloat16 on a GPU or a CPU that computes in bfloat16 itself, else float32 (without
    native support TensorFlow emulates bfloat16, several times slower than float32)."""
    if requested != "auto":
        return requested
    return "mixed_bfloat16" if has_gpu or flags & BF16_CPU_FLAGS else "float32"


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    args.precision = resolve_precision(args.precision, bool(tf.config.list_physical_devices("GPU")), cpu_flags())
    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy(args.precision)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "config.json").write_text(json.dumps({k: str(v) if isinstance(v, Path) else v
                                                      for k, v in vars(args).items()}, indent=2))

    train = data.load_split(args.data, usage=None, subfolder=args.train_split)
    if args.folds:
        if not 0 <= args.fold < args.folds:
            raise SystemExit(f"--fold must be in 0..{args.folds - 1}")
        held_out = train.folds(args.folds, args.fold_seed) == args.fold
        train, val = train.subset(~held_out), train.subset(held_out)
    elif args.val_split == "none":
        val = None
    else:
        val = data.load_split(args.data, usage=None, subfolder=args.val_split)
    oof = val
    if args.limit:
        pick = np.random.default_rng(args.seed).permutation(len(train))[: args.limit]
        train = data.Split(train.images[pick], train.labels[pick], train.votes[pick],
                           [train.paths[i] for i in pick])
    if args.labels.startswith("ferplus"):
        train = train.subset(train.ferplus_usable())
    val_labels = args.val_labels or ("ferplus-majority" if args.labels.startswith("ferplus") else "fer")
    if val is not None and val_labels == "ferplus-majority":
        majority, has_majority = val.ferplus_majority()
        val = val.subset(has_majority)
        val.labels = majority[has_majority]
    print(f"train {len(train)} images {data.class_counts(train.labels)}", flush=True)
    if val is not None:
        print(f"val {len(val)} images ({val_labels} labels), skipped {val.skipped}", flush=True)
        x_val, y_val = faces_to_batch(val.images), val.soft_targets("fer")
    else:
        print("no validation split: the end-of-schedule network (last.keras) is the result", flush=True)

    x_train = faces_to_batch(train.images)
    y_train = train.soft_targets(args.labels)
    steps = math.ceil(len(x_train) / args.batch)
    prior = class_prior(y_train)
    model = build_model(args, steps, prior)
    if args.logit_adjust:
        print(f"logit adjustment tau {args.logit_adjust} on prior "
              f"{dict(zip(EMOTIONS, np.round(prior, 4).tolist(), strict=True))}", flush=True)
    print(f"{model.name}: {model.count_params():,} parameters", flush=True)

    callbacks = [
        keras.callbacks.BackupAndRestore(str(args.out / "backup"), delete_checkpoint=False),
        *([keras.callbacks.ModelCheckpoint(str(args.out / "best.keras"), monitor="val_accuracy",
                                           save_best_only=True)] if val is not None else []),
        keras.callbacks.ModelCheckpoint(str(args.out / "last.keras")),
        keras.callbacks.CSVLogger(str(args.out / "history.csv"), append=args.resume),
        keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: plot_history(args.out / "history.csv",
                                                                              args.out / "curves.png")),
    ]
    if not args.resume and (args.out / "backup").exists():
        raise SystemExit(f"{args.out} holds an earlier run: pass --resume to continue it, or choose another --out")
    started = time.monotonic()
    model.fit(
        training_dataset(x_train, y_train, args),
        validation_data=(x_val, y_val) if val is not None else None,
        epochs=args.epochs,
        callbacks=callbacks,
        verbose=1 if args.progress else 2,
        shuffle=False,  # the dataset shuffles itself each epoch
    )
    summary = {"run": str(args.out), "epochs": args.epochs,
               "fit_minutes": round((time.monotonic() - started) / 60, 1)}
    if val is not None:
        best = keras.models.load_model(args.out / "best.keras", compile=False)
        predictions = best.predict(x_val, batch_size=256, verbose=0).argmax(axis=1)
        accuracy = (predictions == y_val.argmax(axis=1)).mean()
        summary |= {"best_val_accuracy": round(float(accuracy), 4), "val_labels": val_labels}
    if args.folds:
        summary["oof"] = str(save_out_of_fold(args.out, oof, x_oof=faces_to_batch(oof.images)))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
