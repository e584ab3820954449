from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

from emotion import private_mode
from emotion.models import EMOTION_CHOICES, NOTE_MAX_LENGTH, MoodEntry
from emotion.vision.smoothing import SERVED
from playlists.csp import with_spotify_player


def _page_config() -> dict:
    return {
        "emotions": [name for name, _ in EMOTION_CHOICES],
        "captures": reverse("emotion:api-capture-list"),
        "moods": reverse("emotion:api-mood-list"),
        "summary": reverse("emotion:api-mood-summary"),
        "music": reverse("playlists:api-music", args=["EMOTION"]),
        "play": reverse("playlists:api-play"),
        "pause": reverse("playlists:api-pause"),
        "music_page": reverse("playlists:index"),
        "capture_page": reverse("emotion:capture"),
        "live_sessions": reverse("emotion:api-live-session-list"),
    }


@login_required
@ensure_csrf_cookie
# Private mode compiles WebAssembly (LiteRT.js, onnxruntime-web): this page alone may; never 'unsafe-eval'.
@with_spotify_player  # outside csp_update, which replaces any earlier update
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
def capture_page(request):
    if request.user.face_analysis_consent_at is None:  # signed up before sign-up asked for it
        return redirect(f"{reverse('consent')}?next={request.path}")
    first_capture = not MoodEntry.objects.filter(owner=request.user).exists()
    return render(request, "emotion/capture.html", {
        "emotions": EMOTION_CHOICES, "config": _page_config(), "first_capture": first_capture,
        "held_rule": SERVED.summary, "live_entry_minutes": f"{settings.LIVE_SESSION_ENTRY_MINUTES:g}",
        "private": private_mode.page_config(request.user)})


@login_required
@ensure_csrf_cookie
def history_page(request):
    has_moods = MoodEntry.objects.filter(owner=request.user).exists()
    return render(request, "emotion/history.html",
                  {"emotions": EMOTION_CHOICES, "config": {**_page_config(), "note_max_length": NOTE_MAX_LENGTH},
                   "has_moods": has_moods, "note_max_length": NOTE_MAX_LENGTH})
