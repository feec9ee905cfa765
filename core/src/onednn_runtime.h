// The oneDNN engine and per-thread stream that every oneDNN call in core/ runs on. Private to
// core/.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace glimpse::detail {

// The process's CPU engine (created on first use).
dnnl::engine& cpu_engine();
// This thread's stream on it: a stream is cheap but not free to create, and concurrent calls
// must not share one.
dnnl::stream& thread_stream();

}  // namespace glimpse::detail
