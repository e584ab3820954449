from django.urls import path

from playlists import api, views

app_name = "playlists"
urlpatterns = [
    path("music/", views.index, name="index"),
    path("music/unlink/", views.unlink, name="unlink"),
    path("music/sources/", views.sources, name="sources"),
    path("music/import/", views.reimport, name="reimport"),
    path("music/resync/", views.resync, name="resync"),
    path("music/strategy/", views.strategy, name="strategy"),
    path("api/music/import/", api.import_progress, name="api-import"),
    path("api/music/votes/", api.track_vote, name="api-vote"),
    path("api/music/<str:emotion>/", api.music_for_emotion, name="api-music"),
    path("api/player/play/", api.player_play, name="api-play"),
    path("api/player/pause/", api.player_pause, name="api-pause"),
    path("api/player/token/", api.player_token, name="api-player-token"),
]
