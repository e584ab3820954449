from django.http import HttpResponse
from django.urls import include, path


def stand_in(request):
    return HttpResponse("stand-in page")


emotion_patterns = ([path("capture/", stand_in, name="capture"), path("history/", stand_in, name="history")], "emotion")
playlists_patterns = ([path("music/", stand_in, name="index")], "playlists")

urlpatterns = [
    path("", include(emotion_patterns)),
    path("", include(playlists_patterns)),
    path("", include("moodmusic.urls")),
]
