#include "glimpse/train/communicator.h"

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "glimpse/core/error.h"

#ifdef GLIMPSE_WITH_MPI
#include <mpi.h>
#endif

namespace glimpse::train {

bool built_with_mpi() {
#ifdef GLIMPSE_WITH_MPI
  return true;
#else
  return false;
#endif
}

namespace {
bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr;
}
}  // namespace

Communicator& Communicator::world() {
  static Communicator instance;
  return instance;
}

Communicator::Communicator() {
  if (!launched_by_mpi()) return;
#ifdef GLIMPSE_WITH_MPI
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads do the arithmetic in between.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialised_mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  throw Error("glimpse was started by an MPI launcher but built without MPI (install "
              "libopenmpi-dev and rebuild), so it cannot train data-parallel");
#endif
}

Communicator::~Communicator() {
#ifdef GLIMPSE_WITH_MPI
  if (initialised_mpi_) MPI_Finalize();
#endif
}

#ifdef GLIMPSE_WITH_MPI
namespace {
// In-place MPI_Allreduce sum in pieces (MPI counts are int).
template <typename T>
void allreduce_sum(T* values, int64_t n, MPI_Datatype type) {
  for (int64_t done = 0; done < n;) {
    const int count = static_cast<int>(std::min<int64_t>(n - done, INT_MAX / 2));
    MPI_Allreduce(MPI_IN_PLACE, values + done, count, type, MPI_SUM, MPI_COMM_WORLD);
    done += count;
  }
}
}  // namespace
#endif

void Communicator::sum(float* values, int64_t n) const {
#ifdef GLIMPSE_WITH_MPI
  if (size_ > 1) allreduce_sum(values, n, MPI_FLOAT);
#endif
}

void Communicator::sum(double* values, int64_t n) const {
#ifdef GLIMPSE_WITH_MPI
  if (size_ > 1) allreduce_sum(values, n, MPI_DOUBLE);
#endif
}

void Communicator::barrier() const {
#ifdef GLIMPSE_WITH_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

}  // namespace glimpse::train
