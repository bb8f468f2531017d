"""A run's heartbeat: proves its worker alive, stores its progress and pending step records,
and brings cancellation to the engine.

It beats from its own thread, so a long step (a slow vendor, retries) cannot make a live run
look abandoned, and the engine learns of a cancellation without a query between steps. The
same event reaches the step's vendor call (ClientSettings.cancelled), which stops waiting.
An execution the sweep took for lost (its beats came too late) learns it is superseded, and
stops without writing more: the run's next attempt owns it now.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.utils import timezone

from builder.engine.executor import RunProgress
from builder.models import Run, RunStatus

logger = logging.getLogger(__name__)


class RunHeartbeat:
    def __init__(
        self, *, run_id: uuid.UUID, attempt: int, interval: float, progress: RunProgress
    ) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self.progress = progress
        # Writes the step records waiting to be stored (set once the recorder exists).
        self.flush: Callable[[], None] | None = None
        self.interval = interval
        self.cancel_requested = threading.Event()
        # Set with cancel_requested when another attempt of the run has taken over.
        self.superseded = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._beat_until_stopped, name=f"heartbeat-{run_id}", daemon=True
        )

    def __enter__(self) -> RunHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat_until_stopped(self) -> None:
        close_old_connections()
        try:
            while not self._stopped.wait(self.interval):
                try:
                    self.beat()
                except Exception:
                    # A database blip must not silence the heartbeat for the rest of the run:
                    # the run would then be failed as abandoned while it goes on.
                    logger.exception("Heartbeat of run %s failed; trying again", self.run_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> None:
        if self.flush is not None:
            self.flush()
        mine = Run.objects.filter(id=self.run_id, status=RunStatus.RUNNING, attempt=self.attempt)
        mine.update(heartbeat_at=timezone.now(), progress=self.progress.snapshot())
        # A run no longer running as this attempt (resumed or failed by the sweep) must stop
        # too, like a cancelled one.
        if not mine.filter(cancel_requested=False).exists():
            if not mine.exists():
                self.superseded.set()
            self.cancel_requested.set()
