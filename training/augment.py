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


def photometric(images: tf.Tensor, brightness: float = 0.15, contrast: float = 0.3,
                gamma: float = 0.35) -> tf.Tensor:
    """Per-image brightness shift, contrast scale about the mean and gamma, clipped to [0, 1]: webcams see
    faces darker, flatter and harsher-lit than the web photos FER2013 was gathered from."""
    n = tf.shape(images)[0]
    shift = tf.random.uniform([n, 1, 1, 1], -brightness, brightness, dtype=images.dtype)
    scale = tf.random.uniform([n, 1, 1, 1], 1 - contrast, 1 + contrast, dtype=images.dtype)
    power = tf.exp(tf.random.uniform([n, 1, 1, 1], -gamma, gamma, dtype=images.dtype))
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    out = tf.clip_by_value((images - mean) * scale + mean + shift, 0.0, 1.0)
    return tf.clip_by_value(tf.pow(out, power), 0.0, 1.0)


def mixup(images: tf.Tensor, targets: tf.Tensor, alpha: float) -> tuple[tf.Tensor, tf.Tensor]:
    """Zhang et al.'s mixup within a batch: each image and its vote distribution blended with another's by
    lambda ~ Beta(alpha, alpha) (drawn per image, the larger share kept on the image's own face)."""
    n = tf.shape(images)[0]
    a = tf.random.gamma([n], alpha)
    b = tf.random.gamma([n], alpha)
    lam = tf.maximum(a / (a + b), b / (a + b))
    partner = tf.random.shuffle(tf.range(n))
    lam_images = tf.cast(lam[:, None, None, None], images.dtype)
    lam_targets = tf.cast(lam[:, None], targets.dtype)
    mixed_images = lam_images * images + (1 - lam_images) * tf.gather(images, partner)
    mixed_targets = lam_targets * targets + (1 - lam_targets) * tf.gather(targets, partner)
    return mixed_images, mixed_targets
