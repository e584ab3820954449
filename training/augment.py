"""Training-time augmentation on batches of (N, 48, 48, 1) floats in [0, 1]."""

import keras
import tensorflow as tf
from keras import layers


def geometric(
    shift: float = 0.1, zoom: float = 0.15, rotation_degrees: float = 12.0, seed: int = 0
) -> keras.Sequential:
    """Horizontal flip, rotation, zoom and shift: faces keep their expression under all four."""
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            layers.RandomRotation(rotation_degrees / 360.0, fill_mode="reflect", seed=seed + 1),
            layers.RandomZoom((-zoom, zoom), fill_mode="reflect", seed=seed + 2),
            layers.RandomTranslation(shift, shift, fill_mode="reflect", seed=seed + 3),
        ],
        name="augment",
    )


def random_erasing(images: tf.Tensor, probability: float = 0.5, max_area: float = 0.2) -> tf.Tensor:
    """Blank one random rectangle (2%..max_area of the image) in each image with ``probability``."""
    shape = tf.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    area = tf.random.uniform([n], 0.02, max_area) * tf.cast(h * w, tf.float32)
    aspect = tf.exp(tf.random.uniform([n], tf.math.log(0.3), tf.math.log(3.3)))
    eh = tf.minimum(tf.cast(tf.sqrt(area * aspect), tf.int32), h)
    ew = tf.minimum(tf.cast(tf.sqrt(area / aspect), tf.int32), w)
    y0 = tf.cast(tf.random.uniform([n]) * tf.cast(h - eh + 1, tf.float32), tf.int32)
    x0 = tf.cast(tf.random.uniform([n]) * tf.cast(w - ew + 1, tf.float32), tf.int32)
    rows = tf.range(h)[None, :, None]
    cols = tf.range(w)[None, None, :]
    inside = (
        (rows >= y0[:, None, None]) & (rows < (y0 + eh)[:, None, None])
        & (cols >= x0[:, None, None]) & (cols < (x0 + ew)[:, None, None])
    )
    apply = tf.random.uniform([n]) < probability
    mask = inside & apply[:, None, None]
    noise = tf.random.uniform(tf.shape(images), dtype=images.dtype)
    return tf.where(mask[..., None], noise, images)
