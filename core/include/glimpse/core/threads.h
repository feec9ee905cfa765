// Thread count for OpenMP, Eigen and OpenBLAS. GLIMPSE_THREADS overrides the default (all
// cores). Results do not depend on it beyond float reassociation in reductions.
#pragma once

namespace glimpse {

// Reads GLIMPSE_THREADS once and applies it; later calls return the cached count.
int init_threads();
// Sets the count for all three libraries.
void set_threads(int n);
int num_threads();

}  // namespace glimpse
