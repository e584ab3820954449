import logging

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import DeleteAccountForm, ProfileForm, SignupForm
from accounts.selectors import user_export_data
from accounts.services import api_token_revoke, api_token_rotate, user_delete
from accounts.throttles import SignupThrottle
from moodmusic.storage import STORAGE_ERRORS, storage_fault

log = logging.getLogger(__name__)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("emotion:capture")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not SignupThrottle().allow(request):
            return render(request, "accounts/signup_throttled.html", status=429)
        user = form.save(commit=False)
        user.face_analysis_consent_at = timezone.now()
        user.save()
        # Two backends are configured (Spotify and passwords), so login() must be told which one.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to MoodMusic, {user}!")
        return redirect("emotion:capture")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def consent(request: HttpRequest) -> HttpResponse:
    """Ask for consent to face analysis (people who signed up before it was asked); POST records it."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        if request.user.face_analysis_consent_at is None:
            request.user.face_analysis_consent_at = timezone.now()
            request.user.save(update_fields=["face_analysis_consent_at"])
        return redirect(next_url or "emotion:capture")
    return render(request, "accounts/consent.html", {"next": next_url})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(update_fields=list(ProfileForm.Meta.fields))
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    ctx = {
        "form": form,
        "token": Token.objects.filter(user=request.user).first(),
    }
    return render(request, "accounts/profile.html", ctx)


@require_POST
@login_required
def token_rotate(request: HttpRequest) -> HttpResponse:
    api_token_rotate(user=request.user)
    messages.success(request, "A new API token is ready. Any previous token no longer works.")
    return redirect("profile")


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    api_token_revoke(user=request.user)
    messages.success(request, "Your API token is revoked.")
    return redirect("profile")


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = user_export_data(user=request.user)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    filename = f"moodmusic-export-{request.user.username}.json"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user_delete(user=request.user)
        except STORAGE_ERRORS as exc:  # pictures go first: nothing else was deleted
            log.error("account %s not deleted: %s", request.user.pk, storage_fault(exc).cause, exc_info=exc)
            form.add_error(None, "Your pictures could not be deleted just now, so nothing was deleted. "
                                 "Please try again in a few minutes.")
            return render(request, "accounts/delete.html", {"form": form}, status=503)
        logout(request)
        messages.success(request, "Your account and everything in it are deleted. Goodbye!")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
