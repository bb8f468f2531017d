"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A key that cannot decrypt the stored credentials stops the web server from booting.
from auth_store.startup import verify_credentials_keys  # noqa: E402

verify_credentials_keys()
