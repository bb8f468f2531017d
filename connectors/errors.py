"""The errors an operation raises: retryable (worth another attempt) or terminal (will fail again)."""

from __future__ import annotations


class ConnectorError(Exception):
    """A failure of a connector operation, with a message written for the workflow's user."""

    retryable = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The vendor's HTTP status, when it answered (a step's error output shows it).
        self.status_code = status_code


class TerminalError(ConnectorError):
    """Trying again cannot help: bad input, a 4xx from the vendor, a refused credential."""


class InputError(TerminalError):
    """The step's inputs are wrong; raised before any call to the vendor."""


class AuthenticationFailed(TerminalError):
    """The vendor refused the credential: it was revoked, replaced or never valid."""


class RetryableError(ConnectorError):
    """A transient failure: connection error, timeout, rate limit or a 5xx from the vendor."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        wait_reason: str = "",
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after
        # Why the run waits, if the wait parks it: "rate limited by Slack".
        self.wait_reason = wait_reason


class CallTimedOut(RetryableError):
    """The vendor did not answer within the call's timeout (a step's error type `timeout`)."""


class ParkRequested(Exception):
    """A wait too long to sleep through in a worker (ClientSettings.park_after).

    Not a failure: the engine parks the run, which resumes after `seconds` at this step (a
    retry whose wait is this long runs the step again then: the vendor refused the call).
    """

    def __init__(self, *, seconds: float, reason: str, message: str) -> None:
        super().__init__(message)
        self.seconds = seconds
        self.reason = reason  # for people: "rate limited by Slack"
        self.message = message  # the failure that asked for the wait


class WaitingForRun(ParkRequested):
    """The step waits for another run to end (a Call workflow step waiting for the answer).

    The run parks without holding a worker and is woken as soon as that run ends; `seconds`
    is only when it looks again should no one wake it. Not a retry: waiting may take as many
    parks as it takes, so it does not count against CONNECTOR_MAX_RETRIES.
    """

    def __init__(self, *, run_id: str, seconds: float, reason: str, message: str) -> None:
        super().__init__(seconds=seconds, reason=reason, message=message)
        self.run_id = run_id  # the run waited for
