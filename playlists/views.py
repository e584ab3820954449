"""The music page and its forms, plus link/unlink. Plain function views: validate, call a service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from emotion.vision.labels import EMOTIONS
from playlists import selectors, services
from playlists.client import SpotifyClient, SpotifyError
from playlists.models import SpotifyLink
from playlists.tasks import build_playlist, import_library


@login_required
def index(request: HttpRequest) -> HttpResponse:
    link = selectors.link_for(request.user)
    return render(request, "playlists/index.html", {
        "link": link,
        "own_playlists": _own_playlists(link) if link and link.is_ok else [],
        "rows": selectors.emotion_playlists(request.user) if link else [],
        "progress": selectors.import_progress(request.user),
        "strategies": SpotifyLink.Strategy.choices,
    })


def _own_playlists(link: SpotifyLink) -> list[dict]:
    """The person's own playlists on Spotify, to choose sources from (ours are left out)."""
    try:
        pages = list(SpotifyClient(link).my_playlists())
    except SpotifyError:
        return []
    return [{"id": p["id"], "name": p["name"], "chosen": p["id"] in link.source_playlists}
            for page in pages for p in page["items"]
            if p and p["owner"]["id"] == link.spotify_id and not p["name"].startswith("MoodMusic · ")]


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
        return redirect("playlists:index")
    import_library.delay_on_commit(request.user.pk)
    messages.success(request, "Sources saved; importing your music now.")
    return redirect("playlists:index")


@login_required
@require_POST
def reimport(request: HttpRequest) -> HttpResponse:
    if SpotifyLink.objects.filter(user=request.user, state=SpotifyLink.State.OK).exists():
        import_library.delay_on_commit(request.user.pk)
        messages.success(request, "Importing your music again.")
    return redirect("playlists:index")


@login_required
@require_POST
def resync(request: HttpRequest) -> HttpResponse:
    if SpotifyLink.objects.filter(user=request.user, state=SpotifyLink.State.OK).exists():
        for emotion in EMOTIONS:
            build_playlist.delay_on_commit(request.user.pk, emotion)
        messages.success(request, "Rebuilding and syncing your playlists.")
    return redirect("playlists:index")


@login_required
@require_POST
def strategy(request: HttpRequest) -> HttpResponse:
    choice = request.POST.get("strategy")
    if choice in SpotifyLink.Strategy.values:
        try:
            services.strategy_set(user=request.user, strategy=choice)
        except services.NotLinked:
            pass
    return redirect("playlists:index")
