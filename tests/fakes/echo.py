"""Fake echo endpoint: answers any request with the request itself as text, headers included."""

from __future__ import annotations

from .server import FakeServer, Fault, RecordedRequest, Response


class FakeEcho(FakeServer):
    """Like the many debugging endpoints that mirror a request (httpbin's /anything, say).

    The answer is plain text, one ``name: value`` line per header, so a credential comes back
    as a value that no header or field name marks as sensitive. ``?status=<code>`` chooses
    the status of the answer (an error body quoted into a step's error message).
    """

    def extract_token(self, request: RecordedRequest) -> str | None:
        return None

    def check_request(self, request: RecordedRequest) -> Response | None:
        return None  # a mirror answers whatever it is sent

    def handle_api(
        self, request: RecordedRequest, token: str | None, fault: Fault | None
    ) -> Response:
        lines = [f"{request.method} {request.path}"]
        lines += [f"{name}: {value}" for name, value in request.headers.items()]
        lines += ["", request.body.decode("utf-8", "replace")]
        status = request.query.get("status", ["200"])[0]
        return Response(
            status=int(status) if status.isdigit() else 400,
            body="\n".join(lines).encode(),
            content_type="text/plain; charset=utf-8",
        )
