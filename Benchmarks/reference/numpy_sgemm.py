#!/usr/bin/env python3
"""Reference SGEMM through NumPy's OpenBLAS, to put synapse-bench's gemm numbers in a ratio taken
under the same machine load (TARGETS.md quotes "OpenBLAS via NumPy: 188 GFLOP/s" at 1024³).

Usage: python3 Benchmarks/reference/numpy_sgemm.py [N ...]   (default: 1024 2048)
Prints one line per size: median / best GFLOP/s over 10 timed runs after 2 warm-ups, plus the load.
"""
import os
import sys
import time

import numpy as np


def measure(n, runs=10, warmup=2):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    for _ in range(warmup):
        a @ b
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    times.sort()
    flop = 2.0 * n ** 3
    return flop / times[len(times) // 2] / 1e9, flop / times[0] / 1e9


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [1024, 2048]
    config = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    print(f"numpy {np.__version__}, BLAS {config.get('name', '?')} {config.get('version', '?')}, "
          f"load {' '.join(open('/proc/loadavg').read().split()[:3]) if os.path.exists('/proc/loadavg') else '?'}")
    for n in sizes:
        median, best = measure(n)
        print(f"sgemm {n}x{n}x{n}: median {median:.1f} GFLOP/s, best {best:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
