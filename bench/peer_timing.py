"""Timing shared by the PyTorch peer scripts: medians of repeated runs after a warm-up."""
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


def median_seconds_of_rounds(measures, min_seconds, min_rounds=3):
    """measures: {name: fn}. Each round runs every fn once, in order, so that every measure sees
    the same stretch of machine load (on a busy machine, timing one measure after another would
    give each a different share of the CPU). Rounds repeat for at least min_seconds per measure
    after one warm-up call each; returns ({name: median seconds}, rounds)."""
    for fn in measures.values():
        fn()  # warm-up
    samples = {name: [] for name in measures}
    start = time.perf_counter()
    while (time.perf_counter() - start < min_seconds * len(measures)
           or len(samples[next(iter(measures))]) < min_rounds):
        for name, fn in measures.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {name: statistics.median(s) for name, s in samples.items()}, len(next(iter(samples.values())))
