"""The web server's kept database connections survive a database restart: no 500 after it."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.servers import AppServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_requests_after_the_database_dropped_every_connection_succeed(user, tmp_path):
    # Given gunicorn keeping its database connection between requests (DATABASE_CONN_MAX_AGE),
    # one thread, so the next request reuses the connection the first one opened
    web = AppServer(tmp_path / "web.log", workers=1, threads=1)
    try:
        token = Token.objects.create(user=user).key
        client = httpx.Client(
            base_url=web.base_url, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        assert client.get("/api/me/").status_code == 200

        # When the database ends every other connection, as a restart does
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (terminated,) = cursor.fetchone()

        # Then the next requests are answered as before
        statuses = [client.get("/api/me/").status_code for _ in range(3)]
    finally:
        web.stop()

    assert terminated >= 1
    assert statuses == [200, 200, 200]
