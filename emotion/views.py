from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from emotion.models import EMOTION_CHOICES


@login_required
def capture_page(request):
    return render(request, "emotion/capture.html", {"emotions": EMOTION_CHOICES})


@login_required
def history_page(request):
    return render(request, "emotion/history.html", {"emotions": EMOTION_CHOICES})
