"""API token authentication with an expiry: a token older than API_TOKEN_TTL_SECONDS is refused."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts import services


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if services.token_expired(token):
            raise AuthenticationFailed(
                "The token has expired (tokens last API_TOKEN_TTL_SECONDS = "
                f"{settings.API_TOKEN_TTL_SECONDS:g} seconds): get a new one with POST /api/token/."
            )
        return user, token
