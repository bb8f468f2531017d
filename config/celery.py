"""The Celery application: configured from Django settings (CELERY_*), tasks found in each app."""

import logging.config
import os

import redis
from celery import Celery
from celery.signals import setup_logging
from kombu.transport import redis as kombu_redis

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


class BrokerOutageRedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, failing with a connection error once its connection is closed.

    With celery 5.7.0, kombu 5.7.0 and redis-py 8.1.0 (the newest releases: none is fixed), a
    worker holding an unacknowledged message (every run in flight: acks_late) exits when Redis
    goes away. `Consumer.on_connection_error_after_connected` `collect()`s the broken
    connection, which detaches its transport (`transport.client = None`) but keeps its
    channel, whose own close was cut short by the pending BRPOP read failing. Celery 5.7.0 then
    also `close()`s that connection (5.6.3 did not), and later acknowledges the finished task
    on that channel: both reach Redis through `_connparams`, which reads
    `transport.client.hostname` and raises AttributeError. That is not one of the transport's
    connection errors, so `ignore_errors` and `ack_log_error` let it through, and the worker
    stops with "Unrecoverable error: AttributeError("'NoneType' object has no attribute
    'hostname'")": the failure of celery/kombu#582 and celery/kombu#970, by a new path (see
    celery/celery#10205 on the 5.7 reconnect changes).

    Raising redis' ConnectionError instead makes both paths the connection errors Celery
    handles: the close is ignored, the lost acknowledgement is logged, and the consumer
    reconnects. The unacknowledged message stays in Redis's unacked set (when Redis kept its
    data) and comes back after the visibility timeout, where the run's claim makes that second
    delivery a no-op. Drop this once a fixed kombu is pinned: tests/test_broker_outage.py says
    whether it is still needed.
    """

    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError(
                "The broker connection of this channel is closed."
            )
        return super()._connparams(asynchronous=asynchronous)


class BrokerOutageRedisTransport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above (settings.CELERY_BROKER_TRANSPORT)."""

    Channel = BrokerOutageRedisChannel
