app_name = "emotion"
urlpatterns: list = []
