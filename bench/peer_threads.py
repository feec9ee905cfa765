"""Thread cap shared by the PyTorch peer scripts; import it before torch.

Debian's torch runs its GEMMs in OpenBLAS, whose thread pool ignores torch.set_num_threads and
starts one thread per core unless capped before torch loads; on a busy machine that makes every
GEMM many times slower, an unfair baseline. cap_threads() reads --threads from the command line
and caps OpenMP, OpenBLAS and MKL at it, so both sides of a comparison use the same threads.
"""
import argparse
import os


def cap_threads(default):
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--threads", type=int, default=default)
    threads = max(1, pre.parse_known_args()[0].threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    return threads
