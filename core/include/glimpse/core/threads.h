// Thread count for OpenMP, Eigen and OpenBLAS. GLIMPSE_THREADS overrides the default (all
// cores). Results do not depend on it beyond float reassociation in reductions.
#pragma once

namespace glimpse {

// Reads GLIMPSE_THREADS once and applies it; later calls return the cached count.
int init_threads();
// Sets the count for all three libraries.
void set_threads(int n);
int num_threads();
// OpenMP keeps its thread count per calling thread: omp_set_num_threads() on one thread leaves a
// thread started later (a GUI worker, a caller's own std::thread) at OMP_NUM_THREADS or all
// cores. Entry points that may run on any thread call this first; it applies the current count
// to the calling thread once (again after set_threads() changes it) and is cheap after that.
void adopt_thread_count();

}  // namespace glimpse
