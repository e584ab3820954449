app_name = "playlists"
urlpatterns: list = []
