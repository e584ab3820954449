"""Network architectures. Every model takes (48, 48, 1) floats in [0, 1] and returns
seven softmax probabilities in the order of ``emotion.vision.labels.EMOTIONS``."""

import keras
from keras import layers

from emotion.vision.labels import NUM_CLASSES
from emotion.vision.preprocess import FACE_SIZE

INPUT_SHAPE = (FACE_SIZE, FACE_SIZE, 1)


def _conv_bn_relu(x, filters: int, name: str, strides: int = 1):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def _head(x, dropout: float):
    x = layers.Dropout(dropout, name="head_dropout")(x)
    x = layers.Dense(NUM_CLASSES, name="logits")(x)
    # float32 softmax so mixed precision never rounds the probabilities.
    return layers.Activation("softmax", dtype="float32", name="probabilities")(x)


def vgg16_reference() -> keras.Model:
    """The original project's network: 13 convolutions with batch norm, dense 4096-4096-1000.

    Kept as a reference one can train; about 44M parameters, far too slow for serving.
    """
    inputs = keras.Input(INPUT_SHAPE, name="face")
    x = inputs
    for stage, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]):
        for i in range(convs):
            x = _conv_bn_relu(x, filters, f"block{stage + 1}_{i + 1}")
        x = layers.MaxPooling2D(2, padding="same", name=f"block{stage + 1}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate([4096, 4096, 1000]):
        x = layers.Dense(units, activation="relu", name=f"fc{i + 1}")(x)
        x = layers.Dropout(0.5, name=f"fc{i + 1}_dropout")(x)
    return keras.Model(inputs, _head(x, 0.0), name="vgg16_reference")


def _residual_block(x, filters: int, name: str):
    shortcut = x
    if x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_proj")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    y = _conv_bn_relu(x, filters, f"{name}_a")
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_b_conv")(y)
    y = layers.BatchNormalization(name=f"{name}_b_bn")(y)
    return layers.ReLU(name=f"{name}_out")(layers.Add(name=f"{name}_add")([shortcut, y]))


def compact(width: int = 32, blocks: tuple[int, ...] = (1, 1, 1), dropout: float = 0.4) -> keras.Model:
    """A small residual network for 48x48 faces and CPU inference.

    A cheap stem at full resolution, then ``blocks[i]`` residual blocks at 24, 12 and 6 px,
    doubling the width each time; global average pooling keeps the head tiny.
    """
    inputs = keras.Input(INPUT_SHAPE, name="face")
    x = _conv_bn_relu(inputs, width // 2, "stem1")
    x = _conv_bn_relu(x, width, "stem2")
    for stage, (multiplier, count) in enumerate(zip([2, 4, 8], blocks, strict=True)):
        x = layers.MaxPooling2D(2, name=f"stage{stage + 1}_pool")(x)
        for block in range(count):
            suffix = f"_{block + 1}" if block else ""
            x = _residual_block(x, width * multiplier, f"stage{stage + 1}{suffix}")
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    depth = "" if tuple(blocks) == (1, 1, 1) else "_b" + "".join(map(str, blocks))
    return keras.Model(inputs, _head(x, dropout), name=f"compact_w{width}{depth}")


ARCHITECTURES = {"compact": compact, "vgg16": vgg16_reference}


def build(name: str, **kwargs) -> keras.Model:
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; choose from {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[name](**kwargs)
