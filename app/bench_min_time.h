// Bounds of `glimpse bench --min-time` (seconds spent timing each workload). The BLAS kernel
// probes (bench_blas.cpp) run `bench --blas-probe` in child processes with a share of the
// parent's time, and must stay inside the same bounds.
#pragma once

namespace glimpse::app {

inline constexpr double kBenchMinSecondsLowest = 0.01;
inline constexpr double kBenchMinSecondsHighest = 600.0;

}  // namespace glimpse::app
