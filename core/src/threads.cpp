#include "glimpse/core/threads.h"

#include <Eigen/Core>
#include <cstdlib>
#include <mutex>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

extern "C" void openblas_set_num_threads(int);

namespace glimpse {
namespace {
int g_threads = 0;
std::once_flag g_once;
}  // namespace

void set_threads(int n) {
  if (n < 1) n = 1;
  g_threads = n;
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
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

int num_threads() { return g_threads > 0 ? g_threads : init_threads(); }

}  // namespace glimpse
