"""Tangent-space fitting with numpy/scipy BLAS threads as they come vs limited to one.

    python benchmarks/blas_threads.py [--n-trials 180] [--n-chans 72] [--repeats 3]

pyRiemann's Riemannian mean makes many small eigendecompositions that alternate
between numpy's and scipy's OpenBLAS pools. On an idle 2-core machine that
costs little; when another process keeps a core busy (a second fit, a data
loader, a test worker), spinning BLAS threads fight it for the cores. The run
measures both situations: idle, and with one busy-looping process beside it.
The baselines therefore fit inside ``threadpool_limits(1, user_api="blas")``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
from pyriemann.estimation import Covariances
from pyriemann.tangentspace import TangentSpace
from threadpoolctl import threadpool_info, threadpool_limits


def fit_seconds(covariances: np.ndarray, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        TangentSpace(metric="riemann").fit(covariances)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-trials", type=int, default=180)
    parser.add_argument("--n-chans", type=int, default=72)
    parser.add_argument("--n-times", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_trials, args.n_chans, args.n_times))
    X[:, :4] = 0.0  # dead, zero-filled channels as in the challenge data
    covariances = Covariances("oas").fit_transform(X)
    pools = sorted({(p["internal_api"], p["num_threads"]) for p in threadpool_info()})
    print(f"BLAS/OpenMP pools: {pools}")
    print(f"TangentSpace.fit on {args.n_trials} x {args.n_chans}x{args.n_chans} (best of {args.repeats}):")
    for situation in ("idle", "one busy process"):
        busy = (subprocess.Popen([sys.executable, "-c", "while True: pass"])
                if situation != "idle" else None)
        try:
            default = fit_seconds(covariances, args.repeats)
            with threadpool_limits(1, user_api="blas"):
                limited = fit_seconds(covariances, args.repeats)
        finally:
            if busy is not None:
                busy.kill()
        print(f"  {situation:17s} default threads {default:8.3f} s | BLAS limited to 1 {limited:8.3f} s "
              f"| ratio {default / limited:6.1f}")


if __name__ == "__main__":
    main()
