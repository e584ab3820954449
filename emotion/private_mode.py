"""Private mode on the capture page: what ``static/js/private.js`` loads to read a face in the browser.

The runtimes are vendored under ``static/vendor/`` and the models are the served files themselves
(``emotion/vision/models/`` is a static folder, ``models/``), so every URL is fingerprinted by
collectstatic and nothing comes from another site.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from emotion import engine
from emotion.vision.card import ModelCard
from emotion.vision.detector import SHIPPED_YUNET_MODEL
from emotion.vision.labels import EMOTIONS
from emotion.vision.pipeline import ANALYSIS_MAX_PIXELS
from emotion.vision.preprocess import CROP_MARGIN

MODELS_DIR = SHIPPED_YUNET_MODEL.parent.parent
MODELS_PREFIX = "models"  # the static prefix of MODELS_DIR (settings.STATICFILES_DIRS)
RUNTIME = {
    "litert": "vendor/litertjs/dist/index.js",
    "litert_wasm_js": "vendor/litertjs/wasm/litert_wasm_internal.js",
    "litert_wasm": "vendor/litertjs/wasm/litert_wasm_internal.wasm",
    "litert_compat_wasm_js": "vendor/litertjs/wasm/litert_wasm_compat_internal.js",
    "litert_compat_wasm": "vendor/litertjs/wasm/litert_wasm_compat_internal.wasm",
    "ort": "vendor/onnxruntime-web/dist/ort.wasm.min.mjs",
    "ort_wasm_js": "vendor/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs",
    "ort_wasm": "vendor/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm",
}
# What a Chromium with relaxed SIMD downloads (the compat build is the other browsers' instead).
DOWNLOADED = ("litert", "litert_wasm_js", "litert_wasm", "ort", "ort_wasm_js", "ort_wasm")
PAGE_SCRIPTS = ("js/private.js", "vendor/litertjs/wasm-utils/dist/index.js")


def _model_static(path: Path) -> str:
    return f"{MODELS_PREFIX}/{path.relative_to(MODELS_DIR).as_posix()}"


def _served_card() -> ModelCard | None:
    """The served model's card when the page can load its files (the shipped models), else None."""
    model_path = Path(settings.EMOTION_MODEL_PATH).resolve()
    if model_path.parent != MODELS_DIR.resolve() or not SHIPPED_YUNET_MODEL.is_file():
        return None
    return ModelCard.read(model_path)


@functools.cache
def download_bytes() -> int:
    """Bytes private mode downloads once (uncompressed): runtimes, the networks and the detector."""
    card = _served_card()
    paths = [RUNTIME[key] for key in DOWNLOADED] + list(PAGE_SCRIPTS) + [_model_static(SHIPPED_YUNET_MODEL)]
    paths += [_model_static(path.resolve()) for path, _ in (card.members if card else ())]
    return sum(Path(finders.find(path)).stat().st_size for path in paths)


def page_config(user) -> dict | None:
    """The data private.js reads (json_script), or None when this server cannot offer private mode."""
    card = _served_card()
    if card is None:
        return None
    return {
        "default_on": user.private_mode,
        "model_version": engine.device_model_version(),
        "record": reverse("emotion:api-capture-device"),
        "emotions": list(EMOTIONS),
        "members": [{"url": static(_model_static(path.resolve())), "weight": weight} for path, weight in card.members],
        "decision": {"offsets": list(card.decision.offsets), "temperature": card.decision.temperature},
        "flip_tta": card.flips(settings.EMOTION_FLIP_TTA),
        "crop_margin": CROP_MARGIN,  # the crop around a detector box, as the worker cuts it
        "max_pixels": ANALYSIS_MAX_PIXELS,  # a bigger picture is read reduced, as the worker decodes it
        "detector": static(_model_static(SHIPPED_YUNET_MODEL)),
        "runtime": {key: static(path) for key, path in RUNTIME.items()},
        "download_bytes": download_bytes(),
    }
