"""Delete capture pictures that no capture owns (left by a crash or a failed delete), older than an hour."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from emotion import services


class Command(BaseCommand):
    help = ("Delete pictures under captures/ in the media storage (local disk or bucket) that no capture owns "
            "and that are older than --older-than minutes (default 60). Beat runs the same every hour.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES")

    def handle(self, *args, older_than: int, **options) -> None:
        counts = services.capture_files_sweep(older_than=timedelta(minutes=older_than))
        self.stdout.write(f"{counts['checked']} picture files checked, {counts['deleted']} orphans deleted")
