"""JSON API for captures and mood history (session auth for pages, token auth for scripts)."""

import logging

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, throttle_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from emotion import engine, selectors, services
from emotion.models import EMOTION_CHOICES, NOTE_MAX_LENGTH, Capture, LiveSession, MoodEntry
from emotion.serializers import (
    CaptureSerializer,
    CaptureUploadSerializer,
    DeviceReadingSerializer,
    LiveSessionSerializer,
    ManualMoodSerializer,
    MoodEntryPageSerializer,
    MoodEntrySerializer,
    MoodPatchSerializer,
    MoodSummarySerializer,
    PickFaceSerializer,
)
from emotion.uploads import UploadRejected
from emotion.vision.detector import Box
from emotion.vision.pipeline import Face
from moodmusic.api_errors import RETRY_AFTER_SECONDS, ErrorSerializer

log = logging.getLogger(__name__)

PERIOD = [OpenApiParameter("from", OpenApiTypes.DATE, description="First day, inclusive."),
          OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive.")]
PAGE = OpenApiParameter("page", int, description="Page number, from 1.")
NO_IMAGE = UploadRejected(400, "no_image", "No image was sent. Attach the picture as the 'image' field.")


class CaptureRateThrottle(UserRateThrottle):
    """Caps captures per user; the rate (``CAPTURE_RATE_LIMIT``) is read on every request."""

    scope = "captures"

    def get_rate(self) -> str:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["captures"]

    def allow_request(self, request, view) -> bool:
        # A cache outage must not turn every capture into a 500: let the capture through and say so.
        try:
            return super().allow_request(request, view)
        except Exception:
            log.warning("capture throttle skipped: the cache is unavailable", exc_info=True)
            return True


def _capture_response(request, capture: Capture, code: int = status.HTTP_200_OK) -> Response:
    capture = (Capture.objects.prefetch_related("readings")
               .select_related("mood", "live_session__last_entry").get(pk=capture.pk))
    return Response(CaptureSerializer(capture, context={"request": request}).data, status=code)


def _no_consent(request) -> UploadRejected:
    return UploadRejected(403, "consent_required", (
        f"Agree to face analysis first: sign in on the website and open the consent page, "
        f"{request.build_absolute_uri(reverse('consent'))} (the capture page sends you there too), "
        f"then send the picture again."))


NO_LIVE_SESSION = UploadRejected(400, "unknown_live_session",
                                 "No such live session of yours. Start one with POST /api/live-sessions/.")


@extend_schema(request={"multipart/form-data": CaptureUploadSerializer},
               responses={202: CaptureSerializer, 403: ErrorSerializer, 507: ErrorSerializer})
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@throttle_classes([CaptureRateThrottle])
def capture_create(request) -> Response:
    """Upload one still frame (JPEG or PNG) for analysis; poll the returned URL for the result.

    Only for people who consented to face analysis (at sign-up, or on the consent page): 403 otherwise.
    With ``live_session`` (one of yours, not stopped) the capture is read into that session's held mood:
    a history entry is written only when the held mood changes or every ``LIVE_SESSION_ENTRY_MINUTES``.
    """
    if request.user.face_analysis_consent_at is None:
        return _rejected(_no_consent(request))
    if "image" not in request.data:
        return _rejected(NO_IMAGE)
    form = CaptureUploadSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    live_session = _live_session(request, form.validated_data)
    if live_session is False:
        return _rejected(NO_LIVE_SESSION)
    try:
        # One byte over the limit is enough for the size check to reject it.
        data = form.validated_data["image"].read(settings.CAPTURE_MAX_BYTES + 1)
        capture = services.capture_create(owner=request.user, data=data, source=form.validated_data["source"],
                                          live_session=live_session)
    except UploadRejected as rejected:
        return _rejected(rejected)
    return _capture_response(request, capture, status.HTTP_202_ACCEPTED)


@extend_schema(request=DeviceReadingSerializer, responses={
    201: CaptureSerializer, 403: ErrorSerializer,
    400: OpenApiResponse(ErrorSerializer, description="Invalid reading (code invalid, with fields), or a model "
                         "version that is not the one served now (code unknown_model_version: reload the page).")})
@api_view(["POST"])
@parser_classes([JSONParser])
@throttle_classes([CaptureRateThrottle])
def capture_record_device(request) -> Response:
    """Record a reading made in the browser (private mode): the result only, never a picture.

    The capture page reads the face with the served model itself and sends the seven probabilities
    and the box of each face, the frame's size and the model version. The capture is stored done,
    marked ``on_device``, with no picture; history, corrections and music follow as for an upload.
    Checked: probabilities in [0, 1] summing to 1 (within 0.001), boxes inside the frame, and the
    version, which must be the served one (``private_model_version`` in the capture page's data).
    """
    if request.user.face_analysis_consent_at is None:
        return _rejected(_no_consent(request))
    form = DeviceReadingSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    live_session = _live_session(request, data)
    if live_session is False:
        return _rejected(NO_LIVE_SESSION)
    served = engine.device_model_version()
    if data["model_version"] != served:
        return _rejected(UploadRejected(400, "unknown_model_version", (
            f"This page read your face with model {data['model_version']}, but {served} is served now. "
            "Reload the capture page and try again.")))
    faces = [Face(Box(**face["box"], score=face["detector_score"]), face["probabilities"]) for face in data["faces"]]
    try:
        capture = services.capture_record_device(owner=request.user, width=data["width"], height=data["height"],
                                                 faces=faces, model_version=served, timings=data["timings"],
                                                 source=data["source"], live_session=live_session)
    except UploadRejected as rejected:
        return _rejected(rejected)
    return _capture_response(request, capture, status.HTTP_201_CREATED)


def _live_session(request, data: dict) -> LiveSession | None | bool:
    """The person's live session the request names, None when it names none, False when it is not theirs."""
    if "live_session" not in data:
        return None
    return LiveSession.objects.filter(pk=data["live_session"], owner=request.user).first() or False


def _rejected(rejected: UploadRejected) -> Response:
    response = Response({"code": rejected.code, "detail": rejected.message}, status=rejected.status)
    if rejected.status in (503, 507):  # the picture store is unreachable or full: worth trying again later
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@extend_schema(responses=CaptureSerializer)
@api_view(["GET"])
def capture_detail(request, pk: int) -> Response:
    """A capture's status and, once done, its faces and mood."""
    capture = get_object_or_404(Capture, pk=pk, owner=request.user)
    return _capture_response(request, capture)


@extend_schema(request=PickFaceSerializer, responses=CaptureSerializer)
@api_view(["POST"])
def capture_pick_face(request, pk: int) -> Response:
    """Say which detected face is yours; the mood entry follows it."""
    capture = get_object_or_404(Capture, pk=pk, owner=request.user, status=Capture.Status.DONE)
    form = PickFaceSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    if not capture.readings.filter(pk=form.validated_data["face"]).exists():
        raise ValidationError({"face": "That face is not part of this capture."})
    services.capture_pick_face(capture=capture, reading_id=form.validated_data["face"])
    return _capture_response(request, capture)


@extend_schema(request=None, responses={201: LiveSessionSerializer})
@api_view(["POST"])
def live_session_create(request) -> Response:
    """Start a live session: send its id with each capture (``live_session``) to get a held mood."""
    session = services.live_session_start(owner=request.user)
    return Response(LiveSessionSerializer(session, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=LiveSessionSerializer)
@api_view(["GET"])
def live_session_detail(request, pk: int) -> Response:
    """One of your live sessions: its held mood, readings and history entries so far."""
    session = get_object_or_404(LiveSession.objects.select_related("last_entry"), pk=pk, owner=request.user)
    return Response(LiveSessionSerializer(session, context={"request": request}).data)


@extend_schema(request=None, responses=LiveSessionSerializer)
@api_view(["POST"])
def live_session_stop(request, pk: int) -> Response:
    """Stop one of your live sessions: captures sent with it afterwards are refused (409)."""
    session = get_object_or_404(LiveSession.objects.select_related("last_entry"), pk=pk, owner=request.user)
    services.live_session_stop(session=session)
    return Response(LiveSessionSerializer(session, context={"request": request}).data)


@extend_schema(methods=["GET"], operation_id="moods_list", parameters=[*PERIOD, PAGE], responses={
    200: MoodEntryPageSerializer, 404: OpenApiResponse(ErrorSerializer, description="No such page.")})
@extend_schema(methods=["POST"], request=ManualMoodSerializer, responses={201: MoodEntrySerializer})
@api_view(["GET", "POST"])
def mood_list(request) -> Response:
    """GET: your mood history, newest first, paginated. POST: record a mood picked by hand."""
    if request.method == "POST":
        form = ManualMoodSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.mood_create_manual(owner=request.user, emotion=form.validated_data["emotion"])
        return Response(MoodEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
    paginator = api_settings.DEFAULT_PAGINATION_CLASS()
    page = paginator.paginate_queryset(selectors.moods_for(request.user, *_period(request)), request)
    return paginator.get_paginated_response(MoodEntrySerializer(page, many=True).data)


@extend_schema(methods=["GET"], responses=MoodEntrySerializer)
@extend_schema(methods=["PATCH"], request=MoodPatchSerializer,
               responses={200: MoodEntrySerializer, 400: OpenApiResponse(ErrorSerializer)})
@extend_schema(methods=["DELETE"], responses={204: None})
@api_view(["GET", "PATCH", "DELETE"])
def mood_detail(request, pk: int) -> Response:
    """GET: one of your mood entries. PATCH {"emotion"}: correct it (the first reading is kept); PATCH {"note"}:
    say what was going on. DELETE: remove it."""
    entry = get_object_or_404(MoodEntry, pk=pk, owner=request.user)
    if request.method == "DELETE":
        entry.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        form = MoodPatchSerializer(data=request.data)
        if not form.is_valid() or not form.validated_data:
            return _patch_refused(form)
        if "emotion" in form.validated_data:
            entry = services.mood_correct(entry=entry, emotion=form.validated_data["emotion"])
        if "note" in form.validated_data:
            entry = services.mood_note_set(entry=entry, note=form.validated_data["note"])
    return Response(MoodEntrySerializer(entry).data)


def _patch_refused(form: MoodPatchSerializer) -> Response:
    if "note" in form.errors:
        code, detail = "invalid_note", f"A note is text of at most {NOTE_MAX_LENGTH} characters."
    elif not form.errors:
        code, detail = "nothing_to_change", "Send the corrected 'emotion', a 'note', or both."
    else:
        code, detail = "invalid_emotion", ("Say which emotion: one of "
                                           + ", ".join(name for name, _ in EMOTION_CHOICES) + ".")
    return Response({"code": code, "detail": detail}, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(parameters=PERIOD, responses=MoodSummarySerializer)
@api_view(["GET"])
def mood_summary(request) -> Response:
    """Distribution per emotion and a per-day timeline for the chosen period."""
    return Response(selectors.mood_summary(request.user, *_period(request)))


def _period(request):
    try:
        return selectors.parse_period(request.query_params)
    except selectors.BadPeriod as e:
        raise ValidationError(str(e)) from None
