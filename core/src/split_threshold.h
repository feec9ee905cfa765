// When a packed inference matmul splits its outputs over the threads (the one-row bf16 GEMV,
// the fp32 panel kernel).
#pragma once

#include <cstdint>

namespace glimpse::detail {

// Below this many weights a fork/join costs more than the second core saves. Every decoder
// matmul (192x192 and up) splits: measured on a 13-step greedy decode at 2 threads, splitting
// 192x192 too gave 101-104 us/token against 111 with it serial (each core's half of the
// weights stays in its L2, so the ~1 us fork/join is repaid).
constexpr int64_t kParallelMinWeights = 32 * 1024;

}  // namespace glimpse::detail
