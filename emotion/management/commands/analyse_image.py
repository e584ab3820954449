"""Run the serving pipeline on image files and print one JSON line per image."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from emotion import engine
from emotion.vision.pipeline import ImageDecodeError


class Command(BaseCommand):
    help = "Detect and classify the faces in each image; prints one JSON line per image."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths: list[Path], **options) -> None:
        pipeline = engine.get_pipeline()
        failures = 0
        for path in paths:
            line = {"path": str(path), "model": pipeline.version}
            try:
                analysis = pipeline.analyse_bytes(path.read_bytes())
            except (OSError, ImageDecodeError) as e:
                failures += 1
                line["error"] = str(e)
            else:
                line.update(width=analysis.width, height=analysis.height,
                            faces=[face.as_dict() for face in analysis.faces], timings_ms=analysis.timings_ms)
            self.stdout.write(json.dumps(line))
        if failures:
            raise SystemExit(1)
