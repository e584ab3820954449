from django.urls import path

from emotion import api, views

app_name = "emotion"
urlpatterns = [
    path("capture/", views.capture_page, name="capture"),
    path("history/", views.history_page, name="history"),
    path("api/captures/", api.capture_create, name="api-capture-list"),
    path("api/captures/device/", api.capture_record_device, name="api-capture-device"),
    path("api/captures/<int:pk>/", api.capture_detail, name="api-capture-detail"),
    path("api/captures/<int:pk>/primary/", api.capture_pick_face, name="api-capture-primary"),
    path("api/live-sessions/", api.live_session_create, name="api-live-session-list"),
    path("api/live-sessions/<int:pk>/", api.live_session_detail, name="api-live-session-detail"),
    path("api/live-sessions/<int:pk>/stop/", api.live_session_stop, name="api-live-session-stop"),
    path("api/moods/", api.mood_list, name="api-mood-list"),
    path("api/moods/summary/", api.mood_summary, name="api-mood-summary"),
    path("api/moods/<int:pk>/", api.mood_detail, name="api-mood-detail"),
]
