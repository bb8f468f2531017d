"""Command line: run one fake vendor as its own process (``python -m tests.fakes slack``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .server import FakeServer
from .slack import FIXED_CHANNELS, FakeSlack
from .totango import FakeTotango


def build_server(args: argparse.Namespace) -> FakeServer:
    """The fake the arguments ask for, seeded but not started."""
    server: FakeServer
    if args.vendor == "totango":
        server = FakeTotango(args.port, accounts=args.accounts, users=args.users, host=args.host)
    else:
        channels = args.channels if args.channels is not None else len(FIXED_CHANNELS)
        server = FakeSlack(args.port, channels=channels, users=args.users, host=args.host)
    if args.slow_seconds is not None:
        server.slow_seconds = args.slow_seconds
    if args.token:
        server.tokens = set(args.token)
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes", description=__doc__)
    parser.add_argument("vendor", choices=("totango", "slack"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--accounts", type=int, default=25, help="Totango accounts to seed")
    parser.add_argument("--users", type=int, default=5, help="users to seed")
    parser.add_argument("--channels", type=int, default=None, help="Slack channels to seed")
    parser.add_argument("--slow-seconds", type=float, default=None, help="delay for -slow tokens")
    parser.add_argument(
        "--token", action="append", help="valid token (repeatable; replaces the default)"
    )
    args = parser.parse_args(argv)

    server = build_server(args).start()
    # The first stdout line is the contract with whoever spawned us: the base URL.
    print(server.base_url, flush=True)

    done = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not done.wait(1.0):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
