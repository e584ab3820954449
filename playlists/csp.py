"""The Content-Security-Policy a page needs to show Spotify's player."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings


def url_origin(url: str) -> list[str]:
    """``[scheme://host[:port]]`` of a URL, for a Content-Security-Policy source list; ``[]`` for an empty one."""
    if not url:
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"]


def with_spotify_player(view):
    """Let this page (and no other) load Spotify's iFrame API script from ``SPOTIFY_EMBED_API_URL``.

    Added to whatever ``csp_update`` the view already asked for, so the two decorators stack.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        origin = url_origin(settings.SPOTIFY_EMBED_API_URL)
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["script-src"] = [*update.get("script-src", []), *origin]
            response._csp_update = update
        return response
    return wrapped
