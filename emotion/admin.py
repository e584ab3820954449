import csv
import json

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from emotion import selectors, services
from emotion.models import Capture, FaceReading, MoodEntry
from emotion.vision.labels import EMOTIONS


def percent(value: float | None) -> str:
    """A probability as people read it: 0.8731 → "87%"."""
    return "–" if value is None else f"{value:.0%}"


class ConfidenceAsPercent:
    """Admin mixin: the model's confidence shown as a percentage, sortable by the stored number."""

    @admin.display(description="confidence", ordering="confidence")
    def confidence_percent(self, obj) -> str:
        return percent(obj.confidence)


class FaceReadingInline(ConfidenceAsPercent, admin.TabularInline):
    model = FaceReading
    extra = 0
    fields = ["emotion", "confidence_percent", "is_primary", "x", "y", "w", "h", "detector_score"]
    readonly_fields = fields
    can_delete = False


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "status", "source", "faces", "width", "height", "model_version", "created_at",
                    "analysed_at", "has_image"]
    list_filter = ["status", "source", "on_device", "error_code", "model_version", "created_at"]
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
class FaceReadingAdmin(ConfidenceAsPercent, admin.ModelAdmin):
    list_display = ["id", "capture", "owner", "emotion", "confidence_percent", "is_primary", "w", "h"]
    list_filter = ["emotion", "is_primary", "capture__created_at"]
    search_fields = ["capture__owner__username"]
    date_hierarchy = "capture__created_at"
    list_select_related = ["capture__owner"]

    @admin.display(ordering="capture__owner__username")
    def owner(self, reading: FaceReading):
        return reading.capture.owner


class CorrectedFilter(admin.SimpleListFilter):
    title = "corrected by the person"
    parameter_name = "corrected"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(corrected_at__isnull=self.value() == "no")
        return queryset


@admin.register(MoodEntry)
class MoodEntryAdmin(ConfidenceAsPercent, admin.ModelAdmin):
    list_display = ["id", "owner", "emotion", "model_emotion", "confidence_percent", "source", "capture", "created_at",
                    "corrected_at"]
    list_filter = ["emotion", "source", CorrectedFilter, "model_emotion", "created_at"]
    search_fields = ["owner__username", "owner__email"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    raw_id_fields = ["capture"]
    change_list_template = "admin/emotion/moodentry/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("corrections/", view(self.corrections_view), name="emotion_moodentry_corrections"),
            path("corrections/export.csv", view(self.corrections_export), name="emotion_moodentry_corrections_csv"),
            *super().get_urls(),
        ]

    def corrections_view(self, request: HttpRequest) -> TemplateResponse:
        """The model's reading against the person's correction, per emotion: how the model does for real users."""
        rows = selectors.corrections_by_emotion()
        context = {
            **self.admin_site.each_context(request),
            "title": "Model readings against people's corrections",
            "opts": self.model._meta,
            "emotions": EMOTIONS,
            "rows": rows,
            "total_readings": sum(r["readings"] for r in rows),
            "total_corrected": sum(r["corrected"] for r in rows),
        }
        return TemplateResponse(request, "admin/emotion/moodentry/corrections.html", context)

    def corrections_export(self, request: HttpRequest) -> HttpResponse:
        """CSV of every corrected camera reading; the image only where its owner chose to keep it."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="moodmusic-corrections.csv"'
        writer = csv.writer(response)
        writer.writerow(["entry", "capture", "captured_at", "corrected_at", "model_version", "model_emotion",
                         "model_confidence", "corrected_to", "probabilities", "image"])
        for entry in selectors.corrected_camera_entries():
            capture = entry.capture
            reading = capture.primary_reading if capture else None
            kept = capture is not None and capture.keep_image and bool(capture.image)
            writer.writerow([
                entry.pk, capture.pk if capture else "", entry.created_at.isoformat(), entry.corrected_at.isoformat(),
                capture.model_version if capture else "", entry.model_emotion, f"{entry.confidence:.4f}",
                entry.emotion, json.dumps(reading.probabilities, sort_keys=True) if reading else "",
                request.build_absolute_uri(capture.image.url) if kept else "",
            ])
        return response
