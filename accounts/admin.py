from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.models import User

admin.site.site_header = "MoodMusic administration"
admin.site.site_title = "MoodMusic admin"
admin.site.index_title = "Users, captures, moods and music"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("MoodMusic", {"fields": ("display_name", "keep_captures", "private_mode", "face_analysis_consent_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    list_display = (
        "username",
        "display_name",
        "email",
        "keep_captures",
        "capture_count",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    )
    list_filter = ("keep_captures", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    date_hierarchy = "date_joined"
    ordering = ("-date_joined",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).annotate(capture_count=Count("captures", distinct=True))

    @admin.display(description="captures", ordering="capture_count")
    def capture_count(self, obj: User) -> int:
        return obj.capture_count
