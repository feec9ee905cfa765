#include "glimpse/core/precision.h"

#include <atomic>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>

#include "glimpse/core/error.h"

namespace glimpse {
namespace {

std::atomic<int>& bf16_override() {
  static std::atomic<int> v{-1};
  return v;
}

PrecisionRequest request_from_env() {
  const char* env = std::getenv("GLIMPSE_PRECISION");
  if (!env || !*env) return PrecisionRequest::Fp32;
  return parse_precision_request(env);
}

std::atomic<int>& default_request_slot() {
  static std::atomic<int> slot{-1};  // -1: not set yet, read the environment on first use
  return slot;
}

}  // namespace

const char* precision_name(Precision p) { return p == Precision::Bf16 ? "bf16" : "fp32"; }

const char* precision_request_name(PrecisionRequest r) {
  switch (r) {
    case PrecisionRequest::Bf16: return "bf16";
    case PrecisionRequest::Auto: return "auto";
    case PrecisionRequest::Fp32: break;
  }
  return "fp32";
}

PrecisionRequest parse_precision_request(const std::string& text) {
  if (text == "fp32") return PrecisionRequest::Fp32;
  if (text == "bf16") return PrecisionRequest::Bf16;
  if (text == "auto") return PrecisionRequest::Auto;
  throw Error("precision: '" + text + "' is not one of fp32, bf16, auto");
}

bool cpu_has_bf16() {
  const int o = bf16_override().load();
  if (o >= 0) return o == 1;
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  // The ISA values are nested bit sets: avx512_core_amx contains every bit of avx512_core_bf16.
  return (isa & bf16) == bf16;
}

bool cpu_has_amx_bf16() {
  if (!cpu_has_bf16() || bf16_override().load() >= 0) return false;
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto amx = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_amx);
  return (isa & amx) == amx;
}

void set_bf16_support_override(int has_bf16) { bf16_override().store(has_bf16 < 0 ? -1 : has_bf16 > 0); }

std::string onednn_cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: break;
  }
  return "isa 0x" + std::to_string(static_cast<unsigned>(dnnl::get_effective_cpu_isa()));
}

Precision resolve_precision(PrecisionRequest request) {
  switch (request) {
    case PrecisionRequest::Fp32: return Precision::Fp32;
    case PrecisionRequest::Auto: return cpu_has_bf16() ? Precision::Bf16 : Precision::Fp32;
    case PrecisionRequest::Bf16: break;
  }
  if (!cpu_has_bf16())
    throw Error("precision bf16 needs a CPU with AVX512-BF16 or AMX-BF16; oneDNN reports " +
                onednn_cpu_isa_name() + " here (use --precision fp32 or auto)");
  return Precision::Bf16;
}

PrecisionRequest default_precision_request() {
  int v = default_request_slot().load();
  if (v < 0) {
    v = static_cast<int>(request_from_env());
    int expected = -1;
    default_request_slot().compare_exchange_strong(expected, v);
    v = default_request_slot().load();
  }
  return static_cast<PrecisionRequest>(v);
}

void set_default_precision_request(PrecisionRequest request) {
  default_request_slot().store(static_cast<int>(request));
}

}  // namespace glimpse
