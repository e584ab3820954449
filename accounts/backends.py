"""Sign-in backends of our own: django-axes' lockout check, for sign-ins that come with a request."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its username and address are locked out (settings ``AXES_*``).

    Every sign-in page passes its request. ``authenticate()`` without one (the test client's
    ``login()``, a shell) has no address to count failures for, so this backend stands aside
    instead of raising as django-axes' own does.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs) -> None:
        """Raise ``AxesBackendPermissionDenied`` when locked out; otherwise let the next backend decide."""
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
