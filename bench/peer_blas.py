"""Which OpenBLAS kernel a PyTorch peer script runs; shared by the peer scripts.

OpenBLAS picks its kernel (Haswell, SkylakeX, Cooperlake, Prescott, ...) once, when the library
loads: from OPENBLAS_CORETYPE if set, else from the CPU. `glimpse bench` sets OPENBLAS_CORETYPE
in each peer's environment to the best kernel this CPU runs (app/bench_blas.cpp) and prints what
the peer reports here, so a comparison never runs one side on a slower kernel by accident.
Debian's torch calls the system libopenblas; this finds the copy the process has mapped (via
/proc/self/maps) and asks it with openblas_get_corename().
"""
import ctypes
import os


def loaded_openblas_path():
    """Path of the libopenblas this process has mapped, or None."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "libopenblas" in os.path.basename(path):
                return path
    return None


def blas_report():
    """{"corename": kernel OpenBLAS runs (None if no OpenBLAS is loaded), "library": its path,
    "coretype_env": OPENBLAS_CORETYPE as this process saw it (None if unset)}. Call after
    importing torch (it loads OpenBLAS)."""
    path = loaded_openblas_path()
    corename = None
    if path:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        corename = lib.openblas_get_corename().decode()
    return {"corename": corename, "library": path,
            "coretype_env": os.environ.get("OPENBLAS_CORETYPE")}
