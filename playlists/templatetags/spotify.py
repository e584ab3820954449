from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

from playlists import selectors

register = template.Library()


@register.inclusion_tag("playlists/link_panel.html", takes_context=True)
def spotify_link_panel(context, user) -> dict:
    """The person's Spotify link state with link/relink and unlink buttons: ``{% spotify_link_panel user %}``."""
    request = context.get("request")
    return {"link": selectors.link_for(user), "csrf_token": context.get("csrf_token"),
            "next": request.get_full_path() if request else "",
            "configured": bool(settings.SOCIAL_AUTH_SPOTIFY_KEY and settings.SOCIAL_AUTH_SPOTIFY_SECRET)}


@register.simple_tag
def spotify_embed() -> str:
    """The Spotify player helper (static/js/spotify-embed.js) and the iFrame API address it loads, if any."""
    return format_html('<meta name="spotify-embed-api" content="{}">\n<script src="{}"></script>',
                       settings.SPOTIFY_EMBED_API_URL, static("js/spotify-embed.js"))
