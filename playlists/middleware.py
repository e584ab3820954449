"""A Spotify sign-in that was cancelled or failed lands on the profile page with a message, not a 500."""

from django.http import HttpRequest
from social_core.exceptions import AuthCanceled, AuthSessionError, SocialAuthBaseException
from social_django.middleware import SocialAuthExceptionMiddleware


class SpotifyLinkErrorMiddleware(SocialAuthExceptionMiddleware):
    """social-auth's error middleware (redirect to ``SOCIAL_AUTH_LOGIN_ERROR_URL``) with messages for people."""

    def get_message(self, request: HttpRequest, exception: SocialAuthBaseException) -> str:
        """What to tell the person, by what went wrong (social-auth's own messages are for developers)."""
        if isinstance(exception, AuthCanceled):
            return "Spotify was not linked: the sign-in at Spotify was cancelled. Nothing has changed."
        if isinstance(exception, AuthSessionError):
            return ("Spotify was not linked: the sign-in expired or was started in another browser. "
                    "Please link Spotify again from this page.")
        return "Spotify could not be linked just now. Please try again in a moment."
