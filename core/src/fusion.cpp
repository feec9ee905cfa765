#include "glimpse/core/fusion.h"

#include "fusion_impl.h"
#include "glimpse/core/eigen_maps.h"
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

void add_cross_attention_step(const MultiHeadAttention& attn, const AttentionStepPack* pack,
                              const Tensor& normed, const KeyValueView* views, float gate, int slot,
                              int slots, FusionStepScratch& scratch, Tensor& y,
                              const FusionStepTaps& taps) {
  const int64_t rows = normed.rows(), d = normed.cols();
  float* const* probs = taps.probs[slot];
  Tensor& branch = scratch.slot_out[slot];
  if (pack) {
    pack->input.apply(normed, scratch.q);
    if (gate == 1.0f && !taps.contribution_norms) {
      attend_step_packed(attn, pack->output, scratch.q.data(), d, rows, views, scratch.attn, y, probs);
      return;
    }
    // out_proj accumulates: into zeros it yields the branch itself.
    branch.resize({rows, d});
    branch.zero();
    attend_step_packed(attn, pack->output, scratch.q.data(), d, rows, views, scratch.attn, branch, probs);
  } else {
    attn.project_queries(normed, scratch.q);
    attn.attend_step(scratch.q.data(), d, rows, views, scratch.attn, branch, probs);
  }
  as_vector(y) += gate * as_vector(branch);
  if (taps.contribution_norms)
    for (int64_t r = 0; r < rows; ++r)
      taps.contribution_norms[r * slots + slot] =
          std::fabs(gate) * ConstRowVecMap(branch.data() + r * d, d).norm();
}

}  // namespace fusion_detail
}  // namespace glimpse
