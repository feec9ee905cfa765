// Data-parallel training across processes: the MPI world when the program was started by
// mpirun (and built with OpenMPI), else a single process. The trainer only needs sums over
// ranks; rank 0 alone writes files.
#pragma once

#include <cstdint>

namespace glimpse::train {

class Communicator {
 public:
  // The process-wide communicator. Initialises MPI on first use when the environment says the
  // process was launched by an MPI launcher (OMPI_COMM_WORLD_SIZE / PMI_SIZE set); a plain
  // `glimpse train` never touches MPI. MPI is finalised at exit.
  static Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }

  // In-place element-wise sums over all ranks (no-ops on one process).
  void sum(float* values, int64_t n) const;
  void sum(double* values, int64_t n) const;
  // Blocks until every rank has arrived.
  void barrier() const;

  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

 private:
  Communicator();
  int rank_ = 0, size_ = 1;
  bool initialised_mpi_ = false;
};

// True when this build can run data-parallel (OpenMPI found at configure time).
bool built_with_mpi();

}  // namespace glimpse::train
