"""JSON API for the capture and music pages. Another person's objects answer 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from emotion.models import EMOTION_CHOICES
from emotion.vision.labels import EMOTIONS
from moodmusic.api_errors import ErrorSerializer
from playlists import selectors, services
from playlists.client import NoActiveDevice, PremiumRequired, SpotifyError, SpotifyRelinkRequired
from playlists.models import EmotionPlaylistItem, LibraryItem, Track

PREMIUM_REQUIRED = "Spotify Premium is required to control playback from MoodMusic."
NO_DEVICE = "No active Spotify device: open Spotify on a phone, computer or speaker, then try again."
NOT_LINKED = "Link your Spotify account first."
NO_PLAYLIST = "There is no playlist for this mood yet: it appears once your music has been imported and sorted."


class PlaySerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    device_id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,100}$", required=False, default="",
                                       help_text="The page's Web Playback SDK device; the active device when empty.")


class PlayerTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="Short-lived Spotify access token for the Web Playback SDK.")
    expires_at = serializers.DateTimeField()


class VoteSerializer(serializers.Serializer):
    track = serializers.CharField(max_length=64)
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    fits = serializers.BooleanField(allow_null=True)


class MusicTrackSerializer(serializers.Serializer):
    title = serializers.CharField()
    artists = serializers.ListField(child=serializers.CharField())
    uri = serializers.CharField()


class MusicSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    source = serializers.ChoiceField(choices=["personal", "default", "none"])
    name = serializers.CharField(allow_blank=True)
    spotify_playlist_id = serializers.CharField(allow_blank=True)
    spotify_url = serializers.CharField(allow_blank=True)
    embed_url = serializers.CharField(allow_blank=True)
    tracks = MusicTrackSerializer(many=True)
    can_control_playback = serializers.BooleanField()


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    tracks = serializers.IntegerField()


DETAIL = OpenApiResponse(ErrorSerializer, description='{"code", "detail"}: the detail is a sentence for the person')


@extend_schema(parameters=[OpenApiParameter("emotion", str, OpenApiParameter.PATH, enum=EMOTIONS)],
               responses={200: MusicSerializer, 404: DETAIL})
@api_view(["GET"])
def music_for_emotion(request: Request, emotion: str) -> Response:
    if emotion not in EMOTIONS:
        return Response({"code": "not_found", "detail": "Unknown emotion."}, status=status.HTTP_404_NOT_FOUND)
    strategy = selectors.music_strategy(request.user, request.session)
    return Response(selectors.music_for_emotion(request.user, emotion, strategy))


@extend_schema(request=PlaySerializer, responses={204: None, 400: DETAIL, 403: DETAIL, 409: DETAIL, 502: DETAIL})
@api_view(["POST"])
def player_play(request: Request) -> Response:
    serializer = PlaySerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return _player(lambda: services.player_play(user=request.user, emotion=data["emotion"],
                                                device_id=data["device_id"]))


@extend_schema(request=None, responses={204: None, 400: DETAIL, 403: DETAIL, 409: DETAIL, 502: DETAIL})
@api_view(["POST"])
def player_pause(request: Request) -> Response:
    return _player(lambda: services.player_pause(user=request.user))


def _player(command) -> Response:
    try:
        command()
    except services.NotLinked:
        return Response({"code": "not_linked", "detail": NOT_LINKED}, status=status.HTTP_400_BAD_REQUEST)
    except PremiumRequired:
        return Response({"code": "premium_required", "detail": PREMIUM_REQUIRED}, status=status.HTTP_403_FORBIDDEN)
    except NoActiveDevice:
        return Response({"code": "no_active_device", "detail": NO_DEVICE}, status=status.HTTP_409_CONFLICT)
    except services.NoPlaylistYet:
        return Response({"code": "no_playlist", "detail": NO_PLAYLIST}, status=status.HTTP_409_CONFLICT)
    except SpotifyError as exc:
        return Response({"code": "spotify_error", "detail": f"Spotify did not answer as expected: {exc}"},
                        status=status.HTTP_502_BAD_GATEWAY)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=None, responses={200: PlayerTokenSerializer, 400: DETAIL, 502: DETAIL})
@api_view(["GET"])
def player_token(request: Request) -> Response:
    """The person's own short-lived access token for the page's Spotify player; never the refresh token."""
    try:
        token = services.player_token(user=request.user)
    except (services.NotLinked, SpotifyRelinkRequired):
        return Response({"code": "not_linked", "detail": NOT_LINKED}, status=status.HTTP_400_BAD_REQUEST)
    except SpotifyError as exc:
        return Response({"code": "spotify_error", "detail": f"Spotify did not answer as expected: {exc}"},
                        status=status.HTTP_502_BAD_GATEWAY)
    return Response(token, headers={"Cache-Control": "no-store"})


@extend_schema(request=VoteSerializer, responses={200: VoteSerializer, 404: DETAIL})
@api_view(["POST"])
def track_vote(request: Request) -> Response:
    """Thumbs up/down (or ``fits: null`` to clear) on a track in the person's own library or playlists."""
    serializer = VoteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    track = get_object_or_404(Track, spotify_id=data["track"])
    owned = (LibraryItem.objects.filter(user=request.user, track=track).exists()
             or EmotionPlaylistItem.objects.filter(playlist__owner=request.user, track=track).exists())
    if not owned:
        return Response({"code": "not_found", "detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    services.track_vote(user=request.user, track=track, emotion=data["emotion"], fits=data["fits"])
    return Response({"track": track.spotify_id, "emotion": data["emotion"], "fits": data["fits"]})


@extend_schema(responses=ImportProgressSerializer)
@api_view(["GET"])
def import_progress(request: Request) -> Response:
    return Response(selectors.import_progress(request.user))
