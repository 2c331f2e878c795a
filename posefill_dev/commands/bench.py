"""``python -m lib_posefill bench``: latency and throughput of the completion model on this machine."""

from __future__ import annotations

import argparse
import json

HELP = "measure model load time, single-person latency (Python API), batched throughput and model size"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="ONNX model (default: the shipped one)")
    parser.add_argument("--repeats", type=int, default=2000, help="single-person calls to time (default 2000)")
    parser.add_argument("--batch", type=int, default=4096, help="people per batched call (default 4096)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    import os

    from ..benchmarks.model import bench

    r = bench(args.model, args.repeats, args.batch)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"model            {r['model']} ({r['filler']}), {r['size_bytes'] / 1e6:.2f} MB")
    print(f"load             {r['load_ms']:.1f} ms")
    print(f"single person    median {r['single_median_ms']:.3f} ms, p90 {r['single_p90_ms']:.3f} ms (complete_people)")
    print(f"seeded           median {r['seeded_median_ms']:.3f} ms, p90 {r['seeded_p90_ms']:.3f} ms (one alternative)")
    print(
        f"refill           median {r['refill_median_ms']:.3f} ms, p90 {r['refill_p90_ms']:.3f} ms (suspicious=refill)"
    )
    print(f"batched          {r['people_per_s']:,.0f} people/s (batch {r['batch']}, best guess)")
    print(f"batched refill   {r['refill_people_per_s']:,.0f} people/s (batch {r['batch']}, suspicious=refill)")
    print(f"machine          {os.cpu_count()} CPU cores visible")
    return 0
