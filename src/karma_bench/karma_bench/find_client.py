"""One FindObject client of the soak benchmark's concurrency mode (its own process).

``python -m karma_bench.find_client --seconds S --rate HZ --out FILE [--seed K]`` waits for
``/karma/find_object``, then calls it ``--rate`` times a second for ``--seconds`` (type and
free-text queries, top 10) and writes ``FILE``::

    {"latencies_ms": [...], "timeouts": n, "errors": n, "results": n}

A latency is the client's round trip (request sent to response received) over DDS; a call
with no answer within 5 s counts as a timeout. Several of these run at once beside a 30 Hz
stream (``./karma bench soak --find-clients 4``): they are the "four concurrent clients".
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time

QUERIES = ("apple", "Mug", "butter knife", "something to cut bread with", "coffee cup", "fridge",
           "a pen to write with", "Gadget7", "table", "phone", "remote", "where is the towel",
           "Bowl", "Book", "Tomato", "CounterTop")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--rate", type=float, default=10.0, help="calls per second")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import rclpy
    from rclpy.node import Node
    from karma_interfaces.srv import FindObject
    rclpy.init(args=[])
    node = Node(f"karma_bench_find_client_{args.seed}")
    cli = node.create_client(FindObject, "/karma/find_object")
    out = {"latencies_ms": [], "timeouts": 0, "errors": 0, "results": 0}
    try:
        if not cli.wait_for_service(timeout_sec=60.0):
            out["errors"] += 1
            return 1
        rng = random.Random(args.seed)
        period = 1.0 / args.rate
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < args.seconds:
            req = FindObject.Request(query=rng.choice(QUERIES), max_results=10)
            t = time.perf_counter()
            fut = cli.call_async(req)
            rclpy.spin_until_future_complete(node, fut, timeout_sec=5.0)
            if not fut.done():
                out["timeouts"] += 1
                cli.remove_pending_request(fut)
            elif fut.exception() is not None:
                out["errors"] += 1
            else:
                out["latencies_ms"].append((time.perf_counter() - t) * 1e3)
                out["results"] += len(fut.result().objects)
            n += 1
            time.sleep(max(0.0, t0 + n * period - time.monotonic()))   # the client's call rate
    finally:
        with open(args.out, "w") as f:
            json.dump(out, f)
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
