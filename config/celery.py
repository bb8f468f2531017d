"""The Celery application: configured from Django settings (CELERY_*), tasks found in each app."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("flowbuilder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_: object) -> None:
    # Handling this signal stops Celery from adding handlers of its own: every log line of a
    # worker then goes through Django's LOGGING, whose filter redacts secrets.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
