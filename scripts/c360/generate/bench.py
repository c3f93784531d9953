"""Benchmark: ``python -m c360.generate.bench --customers N --seed S``.

Generates a dataset into a temporary directory and prints wall time, total
rows, rows per second and peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from .generator import generate_dataset


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, default=None, help="write here instead of a temporary directory")
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="c360-bench-") as tmp:
        out = args.keep or Path(tmp)
        started = time.perf_counter()
        counts = generate_dataset(args.customers, args.seed, out, progress=not args.quiet)
        elapsed = time.perf_counter() - started
        size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    raw_counts = {name: rows for name, rows in counts.items() if not name.startswith("truth.")}
    raw = sum(raw_counts.values())
    truth = sum(counts.values()) - raw
    width = max(len(name) for name in raw_counts)
    for name, rows in sorted(raw_counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<{width}} {rows:>13,}")
    print(f"customers        {args.customers:,}")
    print(f"wall time        {elapsed:,.1f} s")
    print(f"raw rows         {raw:,}")
    print(f"truth rows       {truth:,}")
    print(f"raw rows / s     {raw / elapsed:,.0f}")
    print(f"parquet size     {size / 2**20:,.0f} MiB")
    print(f"peak RSS         {peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
