from django.apps import AppConfig


class PlaylistsConfig(AppConfig):
    name = "playlists"

    def ready(self) -> None:
        from playlists import checks  # noqa: F401 (registers the system checks)
