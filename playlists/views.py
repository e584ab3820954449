"""The music page and its forms, plus unlink. Plain function views: validate, call a service, redirect.

Nothing here calls Spotify or enqueues a task directly: pages read the database, forms call services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from emotion.models import EMOTION_CHOICES
from playlists import selectors, services
from playlists.csp import with_spotify_player
from playlists.models import SpotifyLink


@login_required
@with_spotify_player
def index(request: HttpRequest) -> HttpResponse:
    link = selectors.link_for(request.user)
    usable = bool(link and link.is_ok)
    strategy = selectors.music_strategy(request.user, request.session)
    return render(request, "playlists/index.html", {
        "link": link,
        "usable": usable,
        "own_playlists": selectors.own_playlists(link) if usable else [],
        "cards": selectors.music_cards(request.user, strategy),
        "strategy": strategy,
        "web_player": usable and link.premium is not False,
        "unplaced": selectors.unplaced_tracks(request.user) if usable else [],
        "emotions": EMOTION_CHOICES,
        "progress": selectors.import_progress(request.user),
        "strategies": SpotifyLink.Strategy.choices,
    })


@login_required
@require_POST
def unlink(request: HttpRequest) -> HttpResponse:
    services.spotify_unlink(user=request.user)
    messages.success(request, "Spotify unlinked. The Spotify data MoodMusic held for you has been deleted.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "playlists:index"
    return redirect(target)


@login_required
@require_POST
def sources(request: HttpRequest) -> HttpResponse:
    try:
        services.sources_update(user=request.user, use_liked="liked" in request.POST, use_top="top" in request.POST,
                                playlist_ids=request.POST.getlist("playlist"))
    except services.NotLinked:
        messages.error(request, "Link Spotify first.")
        return redirect("playlists:index")
    messages.success(request, "Sources saved; importing your music now.")
    return redirect("playlists:index")


@login_required
@require_POST
def reimport(request: HttpRequest) -> HttpResponse:
    if services.library_import_request(user=request.user):
        messages.success(request, "Importing your music again.")
    else:
        messages.error(request, "Link Spotify first.")
    return redirect("playlists:index")


@login_required
@require_POST
def resync(request: HttpRequest) -> HttpResponse:
    try:
        services.usable_link(request.user)
    except services.NotLinked:
        messages.error(request, "Link Spotify first.")
        return redirect("playlists:index")
    services.playlists_rebuild(user=request.user)
    messages.success(request, "Rebuilding and syncing your playlists.")
    return redirect("playlists:index")


@login_required
@require_POST
def strategy(request: HttpRequest) -> HttpResponse:
    """Match or lift: a linked person's playlists are rebuilt; without a link the starter playlists follow."""
    chosen = request.POST.get("strategy", "")
    try:
        services.strategy_set(user=request.user, strategy=chosen)
    except services.NotLinked:
        request.session[selectors.STRATEGY_SESSION_KEY] = chosen
        messages.success(request, f"{SpotifyLink.Strategy(chosen).label}: the starter playlists follow.")
    except ValueError:
        messages.error(request, "Choose one of the strategies shown.")
    else:
        messages.success(request, "Strategy saved; rebuilding your playlists.")
    return redirect("playlists:index")
