"""Private mode, measured: the in-page reading against the server's, and what it costs the browser.

    python -m benchmarks.private_parity [--faces 300] [--seed 0]

Renders ``--faces`` FER2013 validation faces (``../shared/data/fer2013/val``, a fixed random sample) as
camera frames: the 48x48 face enlarged to 192x192 on a mid-gray 640x480 frame, stored as PNG so the
page and the server read the same pixels. Each frame is read by ``static/js/private.js`` in Debian's
Chromium (headless, one tab, the capture page's script-src: 'self' 'wasm-unsafe-eval') and by the
server pipeline (``Pipeline.analyse_bytes``, YuNet, the served model card). Prints:

- parity: faces found by each, boxes equal, the largest difference in any probability, and how often
  the two name the same emotion;
- time per capture (detection + classification, ms, median and 95th percentile) in the page and on
  the server (this process, one thread), plus the page's decode of the picture;
- the first private reading after the page opens: with an empty browser cache (everything downloaded
  from a local server) and with the runtime and models cached (the page opened again);
- the extra download: bytes of the runtime and models, and gzip-compressed (as WhiteNoise serves them).
"""

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import random
import statistics
import threading
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodmusic.settings")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FRAME_SIZE = (640, 480)
FACE_SIDE = 192
CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'"
HARNESS = """<!doctype html><html><head><meta charset="utf-8"><title>private mode bench</title></head><body>
<div id="private-mode" class="hidden"><input type="checkbox" id="private-toggle">
<p id="private-status"></p><span id="private-size"></span></div>
<script type="application/json" id="private-config">{config}</script>
<script src="{api}"></script><script type="module" src="{private}"></script></body></html>"""


def frames(count: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` validation faces as PNG camera frames, with their paths."""
    import cv2
    import numpy as np
    from django.conf import settings

    root = Path(settings.BASE_DIR).parent / "shared" / "data" / "fer2013" / "val"
    paths = sorted(root.glob("*/*.png"))
    if not paths:
        raise SystemExit(f"no FER2013 validation faces under {root} (see ../shared/README.md)")
    random.Random(seed).shuffle(paths)
    out = []
    width, height = FRAME_SIZE
    for path in paths[:count]:
        face = cv2.resize(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), (FACE_SIDE, FACE_SIDE),
                          interpolation=cv2.INTER_CUBIC)
        frame = np.full((height, width), 128, np.uint8)
        top, left = (height - FACE_SIDE) // 2, (width - FACE_SIDE) // 2
        frame[top:top + FACE_SIDE, left:left + FACE_SIDE] = face
        ok, png = cv2.imencode(".png", cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
        assert ok
        out.append((f"{path.parent.name}/{path.name}", png.tobytes()))
    return out


def serve(config: dict, pictures: list[bytes]) -> http.server.ThreadingHTTPServer:
    """The capture page's private mode alone: the static files by Django's finders, and the frames."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    harness = HARNESS.format(config=json.dumps(config).replace("<", "\\u003c"), api=static("js/api.js"),
                             private=static("js/private.js")).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?")[0]
            if path == "/bench.html":
                return self._send(harness, "text/html; charset=utf-8")
            if path.startswith("/frames/"):
                return self._send(pictures[int(path.rsplit("/", 1)[1].split(".")[0])], "image/png")
            found = finders.find(path.removeprefix("/static/")) if path.startswith("/static/") else None
            if not found:
                self.send_error(404)
                return None
            kind = "text/javascript" if found.endswith((".js", ".mjs")) else (
                mimetypes.guess_type(found)[0] or "application/octet-stream")
            return self._send(Path(found).read_bytes(), kind, cache=True)

        def _send(self, body: bytes, kind: str, cache: bool = False) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


READ = """async (i) => {
    const blob = await (await fetch("/frames/" + i + ".png")).blob();
    const started = performance.now();
    const reading = await window.MoodMusic.privateReader.read(blob);
    return Object.assign(reading, { wall: performance.now() - started, at: performance.now() });
}"""


def first_reading_ms(context, site: str) -> float:
    """Milliseconds from the page's navigation start until its first private reading is done."""
    page = context.new_page()
    page.goto(f"{site}/bench.html", wait_until="commit")
    page.wait_for_function("() => window.MoodMusic && window.MoodMusic.privateReader", timeout=60_000)
    at = page.evaluate(READ, 0)["at"]
    page.close()
    return at


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def download(config: dict) -> tuple[int, int]:
    from django.contrib.staticfiles import finders

    from emotion.private_mode import DOWNLOADED, PAGE_SCRIPTS, RUNTIME, _model_static, _served_card
    from emotion.vision.detector import SHIPPED_YUNET_MODEL

    paths = [RUNTIME[key] for key in DOWNLOADED] + list(PAGE_SCRIPTS) + [_model_static(SHIPPED_YUNET_MODEL)]
    paths += [_model_static(path.resolve()) for path, _ in _served_card().members]
    data = [Path(finders.find(p)).read_bytes() for p in paths]
    return sum(map(len, data)), sum(len(gzip.compress(d, 9)) for d in data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from emotion.private_mode import page_config
    from emotion.vision.detector import SHIPPED_YUNET_MODEL
    from emotion.vision.labels import EMOTIONS
    from emotion.vision.pipeline import Pipeline

    config = page_config(SimpleNamespace(private_mode=True))
    if config is None:
        raise SystemExit("private mode needs the shipped models (EMOTION_MODEL_PATH in emotion/vision/models/)")
    sample = frames(args.faces, args.seed)
    server = serve(config, [png for _, png in sample])
    site = f"http://127.0.0.1:{server.server_address[1]}"

    pipeline = Pipeline.from_paths(settings.EMOTION_MODEL_PATH, SHIPPED_YUNET_MODEL, flip_tta=settings.EMOTION_FLIP_TTA)
    pipeline.analyse_bytes(sample[0][1])  # warm, as the page is

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        cold = first_reading_ms(context, site)
        warm = [first_reading_ms(context, site) for _ in range(3)]
        page = context.new_page()
        page.goto(f"{site}/bench.html")
        page.wait_for_function("() => window.MoodMusic && window.MoodMusic.privateReader", timeout=60_000)
        page.evaluate("window.MoodMusic.privateReader.ready()")
        # Each frame read by the page, then by the server, so that both meet the same load on the machine.
        page_readings, server_readings = [], []
        for i, (_, png) in enumerate(sample):
            page_readings.append(page.evaluate(READ, i))
            server_readings.append(pipeline.analyse_bytes(png))
        browser.close()
    server.shutdown()

    found = {"page": 0, "server": 0}
    same_count = same_box = faces = same_emotion = 0
    diffs: list[float] = []
    worst = ("", 0.0)
    for (name, _), ours, theirs in zip(sample, page_readings, server_readings, strict=True):
        found["page"] += bool(ours["faces"])
        found["server"] += bool(theirs.faces)
        if len(ours["faces"]) != len(theirs.faces):
            continue
        same_count += 1
        for face, reference in zip(ours["faces"], theirs.faces, strict=True):
            faces += 1
            box = reference.box
            same_box += face["box"] == {"x": max(box.x, 0), "y": max(box.y, 0), "w": box.w, "h": box.h}
            diff = max(abs(face["probabilities"][e] - reference.probabilities[e]) for e in EMOTIONS)
            diffs.append(diff)
            same_emotion += max(face["probabilities"], key=face["probabilities"].get) == reference.emotion
            if diff > worst[1]:
                worst = (name, diff)

    def per_capture(readings, key) -> list[float]:
        return [key(r) for r in readings if (r["faces"] if isinstance(r, dict) else r.faces)]

    page_ms = per_capture(page_readings, lambda r: r["timings"]["detect"] + r["timings"]["classify"])
    decode_ms = per_capture(page_readings, lambda r: r["timings"]["decode"])
    server_ms = per_capture(server_readings, lambda r: r.timings_ms["detect"] + r.timings_ms["classify"])
    raw, compressed = download(config)
    n = len(sample)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work on the machine slows both sides)")
    print(f"frames: {n} FER2013 validation faces ({FACE_SIDE} px on a {FRAME_SIZE[0]}x{FRAME_SIZE[1]} frame), "
          f"model {config['model_version']}")
    print(f"faces found: page {found['page']}/{n} ({found['page'] / n:.1%}), "
          f"server {found['server']}/{n} ({found['server'] / n:.1%}); same number of faces in {same_count}/{n}")
    print(f"parity on {faces} faces: boxes equal {same_box}/{faces}, same emotion {same_emotion}/{faces} "
          f"({same_emotion / max(faces, 1):.2%}), max abs probability diff {max(diffs, default=0):.5f} "
          f"(median {statistics.median(diffs) if diffs else 0:.6f}; worst {worst[0]}), "
          f"faces over 0.01: {sum(d > 0.01 for d in diffs)}")
    print(f"per capture with a face, detection + classification, ms: page median {statistics.median(page_ms):.2f}"
          f" p95 {percentile(page_ms, 0.95):.2f} | server median {statistics.median(server_ms):.2f}"
          f" p95 {percentile(server_ms, 0.95):.2f} | page decode of the PNG median {statistics.median(decode_ms):.2f}")
    print(f"first private reading after the page opens, ms: empty cache {cold:.0f}, cached "
          f"{' / '.join(f'{w:.0f}' for w in warm)}")
    print(f"extra download: {raw:,} bytes ({raw / 1e6:.1f} MB), gzip -9 {compressed:,} bytes "
          f"({compressed / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
