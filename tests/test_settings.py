"""Settings come from the environment, fail loudly on bad values, and pass Django's deploy checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-for-tests",
    "DJANGO_ALLOWED_HOSTS": "moodmusic.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SPOTIFY_CLIENT_ID": "client-id",
    "SPOTIFY_CLIENT_SECRET": "client-secret",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL", "CELERY_"))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_warns_an_operator_who_has_not_configured_spotify():
    result = run_manage("check", "--deploy", **{**PRODUCTION, "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""})
    assert result.returncode == 0
    assert "playlists.W001" in result.stderr + result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("name, value", [("DJANGO_DEBUG", "maybe"), ("CAPTURE_MAX_BYTES", "ten"),
                                         ("FACE_DETECTOR", "dlib")])
def test_a_malformed_setting_fails_loudly_with_its_name(name, value):
    result = run_manage("check", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_embedded_defaults_need_no_services():
    probe = ("from django.conf import settings as s; "
             "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])")
    result = run_manage("shell", "-v", "0", "-c", probe, DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True",
                                     "django.core.cache.backends.locmem.LocMemCache"]


def test_insisting_on_yunet_without_its_model_refuses_to_start(tmp_path):
    missing = str(tmp_path / "yunet.onnx")
    result = run_manage("check", FACE_DETECTOR="yunet", FACE_DETECTOR_MODEL_PATH=missing)
    assert result.returncode != 0
    assert f"FACE_DETECTOR is yunet but FACE_DETECTOR_MODEL_PATH ({missing}) is no file" in result.stderr


@pytest.mark.parametrize("seconds, preload", [("", "False"), ("31535999", "False"), ("31536000", "True")])
def test_hsts_asks_for_preload_only_with_a_max_age_of_a_year(seconds, preload):
    probe = "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD)"
    result = run_manage("shell", "-v", "0", "-c", probe, **PRODUCTION, SECURE_HSTS_SECONDS=seconds)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == preload


def test_a_bucket_name_puts_captures_in_object_storage_and_nothing_else_changes():
    probe = ("from django.conf import settings as s; from django.core.files.storage import default_storage as d; "
             "o = s.STORAGES['default']['OPTIONS']; d._setup(); "
             "print(type(d._wrapped).__name__, o['bucket_name'], o['endpoint_url'], o['access_key'], "
             "o['default_acl'], s.MEDIA_ROOT)")
    result = run_manage("shell", "-v", "0", "-c", probe, **PRODUCTION, AWS_STORAGE_BUCKET_NAME="pictures",
                        AWS_S3_ENDPOINT_URL="http://s3.internal:8333", AWS_ACCESS_KEY_ID="key",
                        AWS_SECRET_ACCESS_KEY="secret", MEDIA_ROOT="/srv/media")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["PictureStorage", "pictures", "http://s3.internal:8333", "key", "None",
                                     "/srv/media"]
    local = run_manage("shell", "-v", "0", "-c", "from django.core.files.storage import default_storage as d; "
                       "d._setup(); print(type(d._wrapped).__name__)", DATABASE_URL="")
    assert local.stdout.split() == ["FileSystemStorage"]
