"""What one big photo costs the web process (upload check) and a worker (decode + analysis).

    python -m benchmarks.pixel_budget [--repeat 5]

Test frames at 12 MP and 24 MP: the astronaut fixture enlarged into a wider frame, as a JPEG
(quality 90) with sensor-like noise, and as a flat PNG (no noise: a PNG photo of that size would be
over the 10 MB limit, so this is the small-file, many-pixels case). Each figure is the median of
``--repeat`` runs, in CPU milliseconds of this process (OpenCV on one thread), which a busy
machine disturbs far less than wall-clock time: the upload check (web process), a full and a
reduced decode, and the whole analysis as it was (full frame) and as it is (reduced to the budget).
"""

import argparse
import io
import os
import statistics
import time

import numpy as np
from PIL import Image

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodmusic.settings")

SIZES = {"12 MP": (4000, 3000), "24 MP": (6000, 4000)}


def photo(size: tuple[int, int], fmt: str) -> bytes:
    from django.conf import settings

    width, height = size
    face = Image.open(settings.BASE_DIR / "tests" / "fixtures" / "images" / "astronaut.png").convert("RGB")
    scene = Image.new("RGB", size, (120, 130, 140))
    scene.paste(face.resize((height, height)), ((width - height) // 2, 0))
    out = io.BytesIO()
    if fmt == "PNG":
        scene.save(out, fmt)
        return out.getvalue()
    noise = np.random.default_rng(0).normal(0, 4, (height, width, 3))
    pixels = np.clip(np.asarray(scene, np.float32) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(out, fmt, quality=90)
    return out.getvalue()


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import cv2
    import django

    django.setup()
    cv2.setNumThreads(1)
    from emotion import engine
    from emotion.uploads import check_image
    from emotion.vision.pipeline import decode_frame

    pipeline = engine.get_pipeline()
    print(f"detector {pipeline.detector.name}, analysis budget {pipeline.max_pixels / 1e6:g} MP, "
          f"median of {args.repeat} runs, CPU ms")
    print(f"{'frame':<12}{'file':>9}{'upload check':>14}{'decode full':>13}{'decode reduced':>16}"
          f"{'analysed at':>13}{'analysis (old)':>16}{'analysis (now)':>16}")
    for label, size in SIZES.items():
        for fmt in ("JPEG", "PNG"):
            data = photo(size, fmt)
            frame = decode_frame(data, pipeline.max_pixels)
            assert len(pipeline.analyse_bytes(data).faces) == 1
            figures = [
                median_ms(lambda: check_image(data), args.repeat),  # noqa: B023
                median_ms(lambda: decode_frame(data), args.repeat),  # noqa: B023
                median_ms(lambda: decode_frame(data, pipeline.max_pixels), args.repeat),  # noqa: B023
            ]
            pipeline.max_pixels = None  # as before: the full frame decoded and analysed
            old = median_ms(lambda: pipeline.analyse_bytes(data), args.repeat)  # noqa: B023
            pipeline.max_pixels = type(pipeline).max_pixels
            now = median_ms(lambda: pipeline.analyse_bytes(data), args.repeat)  # noqa: B023
            reduced = f"{frame.image.shape[1]}x{frame.image.shape[0]}"
            print(f"{label + ' ' + fmt:<12}{len(data) / 1e6:>7.1f}MB{figures[0]:>14.0f}{figures[1]:>13.0f}"
                  f"{figures[2]:>16.0f}{reduced:>13}{old:>16.0f}{now:>16.0f}")


if __name__ == "__main__":
    main()
