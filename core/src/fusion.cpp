#include "glimpse/core/fusion.h"

#include "fusion_impl.h"
#include "glimpse/core/error.h"

namespace glimpse {

const char* fusion_name(FusionKind kind) {
  switch (kind) {
    case FusionKind::Concat: return "concat";
    case FusionKind::Separate: return "separate";
    case FusionKind::Parallel: return "parallel";
    case FusionKind::Hierarchical: return "hierarchical";
    case FusionKind::Gated: return "gated";
  }
  return "?";
}

FusionKind fusion_from_name(const std::string& name) {
  for (FusionKind k : {FusionKind::Concat, FusionKind::Separate, FusionKind::Parallel,
                       FusionKind::Hierarchical, FusionKind::Gated})
    if (name == fusion_name(k)) return k;
  throw Error("fusion: unknown strategy '" + name +
              "' (expected concat, separate, parallel, hierarchical or gated)");
}

int fusion_slot_count(FusionKind kind) { return kind == FusionKind::Concat ? 1 : 2; }

std::unique_ptr<Fusion> make_fusion(FusionKind kind, const BlockConfig& config) {
  switch (kind) {
    case FusionKind::Concat:
    case FusionKind::Separate:
    case FusionKind::Gated: return make_serial_fusion(kind, config);
    case FusionKind::Parallel: return make_parallel_fusion(config);
    case FusionKind::Hierarchical: return make_hierarchical_fusion(config);
  }
  throw Error("fusion: unknown strategy");
}

namespace fusion_detail {

void check_slots(const Fusion& f, const Tensor& x, const MemorySlot* slots, int64_t batch,
                 int64_t len_t, int64_t d) {
  const std::string where = std::string("Fusion(") + fusion_name(f.kind()) + ")";
  check_shape(x, {batch * len_t, d}, where, "decoder stream");
  for (int s = 0; s < f.slots(); ++s) {
    check(slots[s].values != nullptr, where, "memory slot " + std::to_string(s) + " is missing");
    check_shape(*slots[s].values, {batch * slots[s].len, d}, where,
                "memory slot " + std::to_string(s));
  }
}

void row_norms(const Tensor& t, float scale, Tensor& norms, int slot, int slots) {
  const int64_t n = t.rows(), d = t.cols();
  for (int64_t r = 0; r < n; ++r) {
    double sq = 0.0;
    for (int64_t j = 0; j < d; ++j) sq += static_cast<double>(t[r * d + j]) * t[r * d + j];
    norms[r * slots + slot] = std::fabs(scale) * static_cast<float>(std::sqrt(sq));
  }
}

}  // namespace fusion_detail
}  // namespace glimpse
