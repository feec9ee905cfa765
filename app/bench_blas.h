// Which OpenBLAS kernel `glimpse bench` and its peers run, and the best one for this CPU.
//
// OpenBLAS 0.3.21 picks its kernel once, when the library loads: OPENBLAS_CORETYPE if set, else
// from the CPU, falling back to generic Prescott kernels on CPUs it does not know. A global
// OPENBLAS_CORETYPE (this machine sets Haswell) or an unknown CPU can therefore leave a peer on
// a slower kernel than the CPU runs. The bench measures every kernel the CPU's ISA supports in
// child processes (each one `glimpse bench --blas-probe` with OPENBLAS_CORETYPE set), gives the
// fastest to every peer explicitly, and reports it beside the kernel this process loaded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_peer.h"

namespace glimpse::app {

// The kernel OpenBLAS runs in this process (openblas_get_corename), e.g. "Haswell".
std::string openblas_corename();

// OPENBLAS_CORETYPE values this CPU's ISA can run, widest vectors first: SkylakeX (AVX-512
// F+BW+VL), Haswell (AVX2+FMA); then "" (unset: OpenBLAS's own pick for the CPU).
std::vector<std::string> coretype_candidates();

struct BlasKernelProbe {
  std::string coretype;       // OPENBLAS_CORETYPE the child ran with ("" = unset)
  std::string corename;       // the kernel it reported
  double gflops = 0;          // sgemm, time-weighted over the probe shapes (see kProbeShapes)
  double gflops_2048x1024x256 = 0;
};

struct BlasKernelChoice {
  std::string in_process;     // kernel this process runs
  std::string environment;    // OPENBLAS_CORETYPE this process started with ("" = unset)
  std::string coretype;       // what the peers get ("" = unset)
  std::string corename;       // the kernel that runs with it
  bool measured = false;      // false: the probes failed; chosen by ISA alone
  std::vector<BlasKernelProbe> probes;
  const BlasKernelProbe* chosen_probe() const;
  const BlasKernelProbe* in_process_probe() const;  // a probe that ran the in-process kernel
};

// Measures each candidate kernel on `threads` threads (a short probe per candidate, scaled to
// the bench's --min-time) and chooses the fastest; a candidate later in coretype_candidates()
// must beat an earlier one by kTieMargin to win, so noise on a busy machine does not flip the
// choice between equal kernels (SkylakeX and Cooperlake share their sgemm kernel).
BlasKernelChoice choose_blas_kernel(int threads, double bench_min_seconds);

// OPENBLAS_CORETYPE for a peer child, set explicitly (or unset) whatever the environment had.
ChildEnvironment peer_blas_environment(const BlasKernelChoice& choice);

// "peer BLAS: OpenBLAS SkylakeX (OPENBLAS_CORETYPE=SkylakeX; env had Haswell; measured ...)".
std::string peer_blas_line(const BlasKernelChoice& choice);
// What the in-process OpenBLAS reference runs, and whether that is the best kernel here (with
// the child-process figures at 2048x1024x256 when it is not).
std::string in_process_blas_line(const BlasKernelChoice& choice);
// A peer's own report ({"corename": ...}, bench/peer_blas.py) against the choice: empty when
// they agree, else a warning line.
std::string peer_blas_mismatch(const BlasKernelChoice& choice, const nlohmann::json& peer_blas,
                               const std::string& peer);

nlohmann::json to_json(const BlasKernelChoice& choice);

// `glimpse bench --blas-probe`: the child side of choose_blas_kernel. Prints one JSON object
// {"corename", "gflops", "gflops_2048x1024x256"}.
void print_blas_probe(int threads, double seconds);

}  // namespace glimpse::app
