// AlignedAllocator: a std::allocator that hands out cache-line-aligned blocks. Tensor buffers
// use it so that every row-major matrix the kernels see starts on a 64-byte boundary (one
// AVX-512 register, one cache line), whatever the heap's default alignment is.
//
// It stands in for Eigen::aligned_allocator so that tensor.h, which nearly every translation
// unit includes, does not pull in <Eigen/Core>: only the files that do Eigen maths
// (eigen_maps.h) pay for parsing Eigen.
#pragma once

#include <cstddef>
#include <new>

namespace glimpse {

inline constexpr std::size_t kTensorAlignment = 64;

template <typename T>
struct AlignedAllocator {
  using value_type = T;

  AlignedAllocator() = default;
  // Implicit on purpose: the allocator requirements have containers convert an allocator of
  // one element type into another's (rebinding) without naming the conversion.
  template <typename U>
  // cppcheck-suppress noExplicitConstructor
  AlignedAllocator(const AlignedAllocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{kTensorAlignment}));
  }
  void deallocate(T* p, std::size_t /*n*/) noexcept {
    ::operator delete(p, std::align_val_t{kTensorAlignment});
  }

  template <typename U>
  bool operator==(const AlignedAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace glimpse
