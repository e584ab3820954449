from django.contrib import admin, messages

from emotion import services
from emotion.models import Capture, FaceReading, MoodEntry


class FaceReadingInline(admin.TabularInline):
    model = FaceReading
    extra = 0
    fields = ["emotion", "confidence", "is_primary", "x", "y", "w", "h", "detector_score"]
    readonly_fields = fields
    can_delete = False


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "status", "source", "faces", "width", "height", "model_version", "created_at",
                    "analysed_at", "has_image"]
    list_filter = ["status", "source", "error_code", "model_version", "created_at"]
    search_fields = ["owner__username", "owner__email", "error_message"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    readonly_fields = ["timings", "created_at", "analysed_at", "model_version"]
    inlines = [FaceReadingInline]
    actions = ["reanalyse"]

    @admin.display(description="faces")
    def faces(self, capture: Capture) -> int:
        return capture.readings.count()

    @admin.display(boolean=True, description="image kept")
    def has_image(self, capture: Capture) -> bool:
        return bool(capture.image)

    @admin.action(description="Re-run analysis of the selected kept captures")
    def reanalyse(self, request, queryset) -> None:
        queued = sum(services.capture_reanalyse(capture=capture) for capture in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, f"{queued} capture(s) queued for analysis.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} capture(s) skipped: their image was not kept.", messages.WARNING)


@admin.register(FaceReading)
class FaceReadingAdmin(admin.ModelAdmin):
    list_display = ["id", "capture", "owner", "emotion", "confidence", "is_primary", "w", "h"]
    list_filter = ["emotion", "is_primary", "capture__created_at"]
    search_fields = ["capture__owner__username"]
    date_hierarchy = "capture__created_at"
    list_select_related = ["capture__owner"]

    @admin.display(ordering="capture__owner__username")
    def owner(self, reading: FaceReading):
        return reading.capture.owner


@admin.register(MoodEntry)
class MoodEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "emotion", "confidence", "source", "capture", "created_at"]
    list_filter = ["emotion", "source", "created_at"]
    search_fields = ["owner__username", "owner__email"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    raw_id_fields = ["capture"]
