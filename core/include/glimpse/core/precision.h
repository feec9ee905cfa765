// fp32 or bf16: what a user asks for (--precision, $GLIMPSE_PRECISION), what the CPU can do, and
// what a request resolves to. Shared by inference (PackedLinear and the packs built on it) and
// training (Bf16GemmScope).
#pragma once

#include <string>

namespace glimpse {

// Arithmetic of the matmuls: the packed inference ones (packed_linear.h) and the training
// step's (Bf16GemmScope, gemm.h).
enum class Precision { Fp32, Bf16 };
// What a user asks for: auto = bf16 where the CPU has AVX512-BF16 or AMX-BF16, else fp32.
enum class PrecisionRequest { Fp32, Bf16, Auto };

const char* precision_name(Precision p);
const char* precision_request_name(PrecisionRequest r);
// "fp32" | "bf16" | "auto"; anything else throws Error naming the accepted values.
PrecisionRequest parse_precision_request(const std::string& text);

// Whether bf16 matmuls run on bf16 hardware: oneDNN's effective ISA is avx512_core_bf16 or
// avx512_core_amx (or the test override below).
bool cpu_has_bf16();
// Whether they run on AMX tiles (oneDNN's effective ISA is avx512_core_amx), where a bf16
// multiply-add costs a fraction of an fp32 one. False where cpu_has_bf16() is, and while the
// test override below is set.
bool cpu_has_amx_bf16();
// Tests: pretend the CPU has (1) or lacks (0) bf16; -1 restores the real answer.
void set_bf16_support_override(int has_bf16);
// oneDNN's effective CPU ISA, as a name ("avx512_core_bf16", ...).
std::string onednn_cpu_isa_name();

// Fp32 -> fp32, Bf16 -> Bf16 (throws Error when the CPU lacks bf16), Auto -> Bf16 if present.
Precision resolve_precision(PrecisionRequest request);

// The process-wide request used when a model is prepared for inference without an explicit
// precision: set by --precision, else $GLIMPSE_PRECISION, else fp32.
PrecisionRequest default_precision_request();
void set_default_precision_request(PrecisionRequest request);

}  // namespace glimpse
