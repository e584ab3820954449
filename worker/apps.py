from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "worker"

    def ready(self) -> None:
        from worker import signals  # noqa: F401  (connects worker_process_init)
