"""Issue 3, acceptance 1 at full size: does the client alone ever provoke 606 / 615?

The emulator is limited like a real instance (100 calls per rolling 20 s, 10 in flight);
the client runs at its defaults (50 calls per 20 s, 5 in flight). 300 reads from 8 threads
must finish with zero 606 and zero 615 recorded by the emulator. At 50 calls per 20 s this
takes about 2 minutes (300 / 50 = 6 windows, the first one free); the test suite proves the
same property with both windows scaled down (tests/client/test_client_emulator.py)::

    .venv/bin/python benchmarks/bench_client_limits.py [--reads 300] [--threads 8] [--window 20]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.emulator import EmulatorServer
from marketo_sync.emulator.seed import example_seed_path, read_seed_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--window", type=float, default=20.0,
                        help="the window of both the emulator (100 calls) and the client (50 calls)")
    args = parser.parse_args()
    seed = read_seed_file(example_seed_path())
    with EmulatorServer(seed=seed, rate_limit=(100, args.window), concurrency=10) as server:
        settings = ClientSettings(base_url=server.base_url, client_id=server.client_id,
                                  client_secret=server.client_secret)
        limits = RateLimits(window=args.window)  # 50 calls / window, 5 concurrent: the defaults at 20 s
        with MarketoClient(settings, limits=limits) as client:
            api = MarketoApi(client)
            ids = [c["id"] for c in api.browse_campaigns()]
            done = Counter[str]()
            lock = threading.Lock()
            next_read = iter(range(args.reads))

            def work() -> None:
                while True:
                    with lock:
                        n = next(next_read, None)
                    if n is None:
                        return
                    api.get_campaign(ids[n % len(ids)])
                    with lock:
                        done["reads"] += 1

            started = time.monotonic()
            threads = [threading.Thread(target=work) for _ in range(args.threads)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            stats = client.stats
        calls = [c for c in server.calls() if c["kind"] == "api"]
        codes = Counter(str(c["code"]) for c in calls if c["code"])
    print(f"emulator limits      : 100 calls / {args.window:g} s, 10 concurrent")
    print(f"client limits        : {limits.calls} calls / {limits.window:g} s, {limits.concurrency} concurrent")
    print(f"reads                : {done['reads']} from {args.threads} threads")
    print(f"API calls at emulator: {len(calls)} (1 browse + reads)")
    print(f"606 answers          : {codes['606']}")
    print(f"615 answers          : {codes['615']}")
    print(f"elapsed              : {elapsed:.1f} s")
    print(f"client               : {stats.summary()}")
    ok = codes["606"] == 0 and codes["615"] == 0 and done["reads"] == args.reads
    print("OK: the client never provoked 606 / 615" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
