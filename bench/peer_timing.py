"""Timing shared by the PyTorch peer scripts: the median of repeated runs after a warm-up."""
import statistics
import time


def median_seconds(fn, min_seconds, min_runs=3):
    fn()  # warm-up
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(samples) < min_runs:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)
