"""`marketo-sync emulator`: serve an emulated Marketo instance until interrupted.

Flag names are fixed (later checks and benchmarks use them). The credentials printed at start
are the emulator's documented defaults (or the ones given), never a real instance's secrets.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from marketo_sync.constants import EXIT_OK
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET


def _rate_limit(text: str) -> tuple[int, float]:
    from marketo_sync.emulator.config import parse_rate_limit

    try:
        return parse_rate_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, not {value}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _fraction(text: str) -> float:
    value = _non_negative(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "emulator", help="serve an emulated Marketo instance (for tests and demos)",
        description="Serve a stateful Marketo Engage lookalike on HTTP until interrupted (Ctrl-C).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0, help="port (default 0: a free port)")
    parser.add_argument("--seed", type=Path, metavar="FILE", help="YAML seed file describing the instance")
    parser.add_argument("--state", type=Path, metavar="FILE",
                        help="JSON state file: loaded if it exists, saved after every change")
    parser.add_argument("--rate-limit", type=_rate_limit, default=(100, 20.0), metavar="CALLS/SECONDS",
                        help="rolling rate window (default 100/20; 606 beyond)")
    parser.add_argument("--concurrency", type=_positive_int, default=10, metavar="N",
                        help="calls in flight (default 10; 615 beyond)")
    parser.add_argument("--daily-quota", type=_positive_int, default=50000, metavar="N",
                        help="calls per day (default 50000; 607 beyond)")
    parser.add_argument("--token-ttl", type=_positive, default=3600.0, metavar="SECONDS",
                        help="access token lifetime (default 3600)")
    parser.add_argument("--latency-ms", type=_non_negative, default=0.0, metavar="N",
                        help="latency added to every API call (default 0)")
    parser.add_argument("--fault-rate", type=_fraction, default=0.0, metavar="FRACTION",
                        help="share of API calls that fail transiently (default 0)")
    parser.add_argument("--fault-seed", type=_int, default=None, metavar="N",
                        help="seed that makes random faults reproducible")
    parser.add_argument("--legacy-query-token", action="store_true",
                        help="also accept the access_token query parameter (refused by default)")
    parser.add_argument("--no-flow-api", action="store_true",
                        help="behave like an instance without the flow-step endpoints (they answer 610)")
    parser.add_argument("--client-id", default=EMULATOR_CLIENT_ID, help="client id identity accepts")
    parser.add_argument("--client-secret", default=EMULATOR_CLIENT_SECRET,
                        help="client secret identity accepts (default: the documented emulator value)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from marketo_sync.emulator import EmulatorConfig, EmulatorServer
    from marketo_sync.emulator.seed import SeedError

    try:
        config = EmulatorConfig(
            host=args.host, port=args.port, seed_path=args.seed, state_path=args.state,
            client_id=args.client_id, client_secret=args.client_secret, rate_limit=args.rate_limit,
            concurrency=args.concurrency, daily_quota=args.daily_quota, token_ttl=args.token_ttl,
            latency_ms=args.latency_ms, fault_rate=args.fault_rate, fault_seed=args.fault_seed,
            legacy_query_token=args.legacy_query_token, no_flow_api=args.no_flow_api)
        server = EmulatorServer(config)
    except (SeedError, ValueError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def request_stop(*_: object) -> None:
        stop.set()  # Ctrl-C and SIGTERM both end the loop below; the server then stops cleanly

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            print(f"Marketo emulator listening on {server.base_url}", flush=True)
            print(f"  client id:     {server.client_id}", flush=True)
            if args.client_secret == EMULATOR_CLIENT_SECRET:
                print(f"  client secret: {server.client_secret}  (the documented emulator default)", flush=True)
            else:
                print("  client secret: (as given by --client-secret; not printed)", flush=True)
            print(f"  identity:      {server.base_url}/identity/oauth/token", flush=True)
            print(f"  side door:     {server.base_url}/_emulator/calls", flush=True)
            if args.no_flow_api:
                print("  flow-step API: off (flowSteps.json, flows.json and flow/... answer 610)", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            while not stop.wait(0.2):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Emulator stopped.", flush=True)
    return EXIT_OK
