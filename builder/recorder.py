"""Stores a run's step records in batches, as the steps complete."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.db import DataError, transaction

from auth_store.redaction import Redactor
from builder.engine.executor import StepRecord, StepStatus
from builder.models import StepRun, column_length

logger = logging.getLogger(__name__)

# A batch is written when it holds this many records or is this old, whichever comes first:
# few enough round trips for a fast loop, fresh enough for the debug panel and for a crash.
FLUSH_EVERY_RECORDS = 200
FLUSH_EVERY_SECONDS = 0.5


class DatabaseRunRecorder:
    def __init__(
        self,
        *,
        run_id: uuid.UUID,
        redactor: Redactor,
        cancel_requested: threading.Event,
        superseded: threading.Event | None = None,
    ) -> None:
        self.run_id = run_id
        self.redactor = redactor
        self.cancel_requested = cancel_requested
        # Set when another attempt of the run took over: what this one still has is dropped,
        # so it cannot take the sequences the next attempt writes.
        self.superseded = superseded or threading.Event()
        self.pending: list[StepRun] = []
        self.last_flush = time.monotonic()
        # The heartbeat thread also flushes, so a record waits no longer than a beat even
        # while the next step is slow; the lock keeps the two threads from sharing a batch.
        self.lock = threading.Lock()

    def record(self, step: StepRecord, *, durable: bool = False) -> None:
        """Keeps a step's record for the next batch; a `durable` one (a step with effects
        outside the run: a message sent) is written with what is pending before this returns,
        so a run resumed after its worker is lost cannot repeat it."""
        redact = self.redactor
        step_input, input_size = redact.value_and_size(step.input)
        step_output, output_size = redact.value_and_size(step.output)
        step_run = StepRun(
            run_id=self.run_id,
            sequence=step.sequence,
            path=step.path,
            step_name=step.step_name,
            connector=step.connector,
            operation=step.operation,
            status=step.status,
            input=step_input,
            output=step_output,
            input_size=input_size,
            output_size=output_size,
            reused=step.reused,
            error=redact.text(step.error),
            log=[redact.text(line) for line in step.log],
            retries=step.retries,
            started_at=step.started_at,
            duration_ms=round(step.duration_ms, 3),
        )
        with self.lock:
            self.pending.append(step_run)
            if durable or len(self.pending) >= FLUSH_EVERY_RECORDS or self.flush_due():
                self.write_pending()

    def flush_due(self) -> bool:
        return time.monotonic() - self.last_flush >= FLUSH_EVERY_SECONDS

    def should_stop(self) -> bool:
        if self.pending and self.flush_due():
            self.flush()
        return self.cancel_requested.is_set()

    def flush(self) -> None:
        """Writes what is pending; called from the engine's thread or the heartbeat's."""
        with self.lock:
            self.write_pending()

    def write_pending(self) -> None:
        if self.superseded.is_set():
            self.pending.clear()
        if self.pending:
            batch, self.pending = self.pending, []
            try:
                if len(batch) == 1:
                    # One statement: bulk_create would add a transaction's two round trips,
                    # paid on every durable record (a message sent, then the next).
                    batch[0].save(force_insert=True)
                else:
                    StepRun.objects.bulk_create(batch)
            except DataError:
                # One record the database refuses (a value jsonb cannot hold, say) must not
                # take the rest of the batch with it: each is written alone.
                for step_run in batch:
                    self.write_alone(step_run)
            except Exception:
                # Anything else (the heartbeat's connection cut, say) keeps the batch for the
                # next flush, in order: the beat that failed must not lose the steps it held.
                self.pending[:0] = batch
                raise
        self.last_flush = time.monotonic()

    def write_alone(self, step_run: StepRun) -> None:
        try:
            with transaction.atomic():
                step_run.save(force_insert=True)
        except DataError as error:
            self.write_note(step_run, error)

    def write_note(self, step_run: StepRun, refused: DataError) -> None:
        """Stores what can be said of a step whose record the database refused."""
        logger.warning(
            "The database refused the record of step %s of run %s (%s); a note is kept instead",
            step_run.path,
            self.run_id,
            type(refused).__name__,
        )
        # The database's first line says what it refused; the value itself comes after.
        reason = f"{type(refused).__name__}: {(str(refused).splitlines() or ['?'])[0]}"
        note = StepRun(
            run_id=self.run_id,
            sequence=step_run.sequence,
            # Cut to the columns, in case their length is what was refused.
            **{
                name: getattr(step_run, name)[: column_length(StepRun, name)]
                for name in ("path", "step_name", "connector", "operation")
            },
            # Failed, so that retrying the run runs this step again rather than reuse an
            # output that was never stored.
            status=StepStatus.FAILED,
            error=self.redactor.text(
                f"The database refused this step's record ({reason}), so only this note of it "
                f"is kept; the step itself {step_run.status}."
            ),
            retries=step_run.retries,
            started_at=step_run.started_at,
            duration_ms=step_run.duration_ms,
        )
        try:
            with transaction.atomic():
                note.save(force_insert=True)
        except DataError:
            logger.exception(
                "The note for step %s of run %s was refused too", note.path, self.run_id
            )
