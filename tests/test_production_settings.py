"""Production settings refuse what is unsafe, pass `check --deploy`, and secure every response."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.helpers import ROOT

STRONG_KEY = secrets.token_urlsafe(50)


def in_production(tmp_path, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """Runs `python <arguments>` as a production deployment would start, with `environment`."""
    variables = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SECRET_KEY", "PYTEST"))
    }
    variables.update(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": STRONG_KEY,
            "CREDENTIAL_KEYS": settings.CREDENTIAL_KEYS,
            "ALLOWED_HOSTS": "flows.example.com,testserver",
            "VAR_DIR": str(tmp_path / "var"),
            **environment,
        }
    )
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    checked = in_production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "System check identified no issues (1 silenced)."


def test_debug_in_production_is_refused_naming_the_variable(tmp_path):
    started = in_production(tmp_path, "manage.py", "check", DJANGO_DEBUG="true")

    assert started.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_DEBUG must be false in production "
        "(DJANGO_ENV=production)"
    ) in started.stderr


@pytest.mark.parametrize(
    "weak_key",
    [
        "too-short-a-key",
        "ab" * 40,  # long enough, two different characters
        "django-insecure-" + STRONG_KEY,  # what startproject generates for development
    ],
    ids=["short", "few-characters", "insecure-prefix"],
)
def test_a_weak_secret_key_is_refused_in_production(tmp_path, weak_key):
    started = in_production(tmp_path, "manage.py", "check", SECRET_KEY=weak_key)

    assert started.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is too weak: it needs at least "
        "50 characters, 5 of them different, and no 'django-insecure-' prefix."
    ) in started.stderr
    assert weak_key not in started.stderr


RESPONSES = """
import json
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/api/me/")
secure = client.get("/api/me/", secure=True)
health = client.get("/api/health/")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "secure_hsts": secure.headers.get("Strict-Transport-Security"),
    "secure_csp": secure.headers.get("Content-Security-Policy") is not None,
    "health": health.status_code,
}))
"""


def test_production_redirects_plain_http_and_sends_hsts(tmp_path):
    answered = in_production(tmp_path, "-c", RESPONSES, DJANGO_SETTINGS_MODULE="config.settings")

    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout.strip().splitlines()[-1]) == {
        "plain": [301, "https://testserver/api/me/"],
        "secure_hsts": "max-age=31536000; includeSubDomains",
        "secure_csp": True,
        # Probes inside the network check health over plain HTTP.
        "health": 200,
    }


def test_production_redirect_can_be_turned_off_to_try_it_on_plain_http(tmp_path):
    answered = in_production(
        tmp_path,
        "-c",
        RESPONSES,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
    )

    assert answered.returncode == 0, answered.stderr
    result = json.loads(answered.stdout.strip().splitlines()[-1])
    assert result["plain"] == [401, None]
    assert result["secure_hsts"] is None
