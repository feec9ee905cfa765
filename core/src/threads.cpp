#include "glimpse/core/threads.h"

#include <Eigen/Core>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

extern "C" void openblas_set_num_threads(int);

namespace glimpse {
namespace {
std::atomic<int> g_threads{0};
std::once_flag g_once;
// Bumped by every set_threads(); a thread whose adopted generation differs re-applies.
std::atomic<int> g_generation{0};
thread_local int t_adopted_generation = -1;
}  // namespace

void set_threads(int n) {
  if (n < 1) n = 1;
  g_threads = n;
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  t_adopted_generation = ++g_generation;
  Eigen::setNbThreads(n);
  openblas_set_num_threads(n);
}

int init_threads() {
  std::call_once(g_once, [] {
    int n = 0;
    if (const char* env = std::getenv("GLIMPSE_THREADS")) {
      try {
        n = std::stoi(env);
      } catch (...) {
        n = 0;
      }
    }
#ifdef _OPENMP
    if (n <= 0) n = omp_get_num_procs();
#endif
    set_threads(n <= 0 ? 1 : n);
  });
  return g_threads;
}

int num_threads() { return g_threads > 0 ? g_threads.load() : init_threads(); }

void adopt_thread_count() {
  if (g_threads == 0) init_threads();  // first use: set_threads() adopts on this thread
  const int generation = g_generation;  // before the count: a racing set_threads() re-adopts
  if (t_adopted_generation == generation) return;
#ifdef _OPENMP
  omp_set_num_threads(g_threads);
#endif
  t_adopted_generation = generation;
}

}  // namespace glimpse
