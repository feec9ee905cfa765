#include "glimpse/core/packed_linear.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <oneapi/dnnl/dnnl.hpp>
#include <utility>
#include <vector>

#include "bf16_gemv.h"
#include "bf16_round.h"
#include "fp32_panel_gemm.h"
#include "onednn_runtime.h"
#include "glimpse/core/error.h"

namespace glimpse {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

using detail::cpu_engine;
using detail::thread_stream;

using detail::round_to_bf16;

}  // namespace

// ---------------------------------------------------------------------------------------------

struct PackedLinear::Impl {
  // A primitive for one row count, with the packed weights it reads.
  struct Plan {
    dnnl::matmul prim;
    memory::desc src_md, dst_md, scratch_md;
    memory weights;
    std::string impl;
    uint64_t id = 0;  // unique for the process's lifetime: keys the per-thread bindings
  };

  int64_t out = 0, in = 0;
  int64_t reduction = 0;  // the matmul's K: in, or 2 * in for HiLo weights
  Precision precision = Precision::Fp32;
  LinearEpilogue epilogue = LinearEpilogue::None;
  Bf16Weights bf16_weights = Bf16Weights::Rounded;
  // [out, reduction] snapshot, the source of every reorder: W, or [W | W - bf16(W)] for HiLo
  // (the reorder to bf16 turns the halves into hi and lo).
  std::vector<float> weight;
  std::vector<float> bias;    // [out] or empty
  memory bias_mem;
  // bf16 one-row calls: the AVX512-BF16 GEMV (bf16_gemv.h; empty without AVX512-BF16).
  detail::Bf16Gemv gemv;
  // fp32 where oneDNN has no brgemm: every call (fp32_panel_gemm.h; empty elsewhere).
  detail::Fp32PanelGemm panels;

  mutable std::mutex mutex;
  mutable std::map<int64_t, std::shared_ptr<const Plan>> plans;  // by row count
  mutable std::vector<memory> packed;  // distinct packed layouts, shared by the plans
  static constexpr size_t kMaxPlans = 64;

  dt data_type() const { return precision == Precision::Bf16 ? dt::bf16 : dt::f32; }

  std::shared_ptr<const Plan> plan(int64_t rows) const {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = plans.find(rows);
    if (it != plans.end()) return it->second;
    if (plans.size() >= kMaxPlans) plans.clear();  // callers in flight keep theirs alive

    auto p = std::make_shared<Plan>();
    static std::atomic<uint64_t> next_id{1};
    p->id = next_id.fetch_add(1);
    p->src_md = memory::desc({rows, reduction}, data_type(), tag::ab);
    p->dst_md = memory::desc({rows, out}, dt::f32, tag::ab);
    const memory::desc any_w({reduction, out}, data_type(), tag::any);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::post_ops ops;
    if (epilogue == LinearEpilogue::GeluErf) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
    if (epilogue == LinearEpilogue::GeluTanh) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f);
    if (epilogue == LinearEpilogue::Accumulate) ops.append_sum(1.0f);
    attr.set_post_ops(ops);
    const auto desc = bias.empty()
                          ? dnnl::matmul::desc(p->src_md, any_w, p->dst_md)
                          : dnnl::matmul::desc(p->src_md, any_w, bias_mem.get_desc(), p->dst_md);
    const dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
    p->scratch_md = pd.scratchpad_desc();
    p->impl = pd.impl_info_str();
    const memory::desc w_md = pd.weights_desc();
    for (const memory& m : packed)
      if (m.get_desc() == w_md) p->weights = m;
    if (!p->weights) {
      // W [out, K] row-major is the matmul's weights [K, out] with strides {1, K}.
      const memory::desc plain({reduction, out}, dt::f32, memory::dims{1, reduction});
      memory src(plain, cpu_engine(), const_cast<float*>(weight.data()));
      p->weights = memory(w_md, cpu_engine());
      dnnl::stream& s = thread_stream();
      dnnl::reorder(src, p->weights).execute(s, src, p->weights);
      s.wait();
      packed.push_back(p->weights);
    }
    p->prim = dnnl::matmul(pd);
    plans.emplace(rows, p);
    return p;
  }
};

bool fp32_packs_use_panel_kernel() { return detail::fp32_panel_gemm_preferred(); }

const char* bf16_weights_name(Bf16Weights w) { return w == Bf16Weights::HiLo ? "hi+lo" : "rounded"; }

PackedLinear::PackedLinear(const float* weight, const float* bias, int64_t out_features,
                           int64_t in_features, Precision precision, LinearEpilogue epilogue,
                           Bf16Weights bf16_weights)
    : impl_(std::make_unique<Impl>()) {
  check(weight != nullptr && out_features > 0 && in_features > 0, "PackedLinear",
        "needs weights and positive sizes, got out=" + std::to_string(out_features) +
            " in=" + std::to_string(in_features));
  if (precision == Precision::Bf16) resolve_precision(PrecisionRequest::Bf16);  // clear error
  Impl& m = *impl_;
  m.out = out_features;
  m.in = in_features;
  m.precision = precision;
  m.epilogue = epilogue;
  m.bf16_weights = precision == Precision::Bf16 ? bf16_weights : Bf16Weights::Rounded;
  if (m.bf16_weights == Bf16Weights::HiLo) {
    m.reduction = 2 * in_features;
    m.weight.resize(static_cast<size_t>(out_features * m.reduction));
    for (int64_t o = 0; o < out_features; ++o) {
      const float* w = weight + o * in_features;
      float* row = m.weight.data() + o * m.reduction;
      for (int64_t i = 0; i < in_features; ++i) {
        row[i] = w[i];  // the reorder rounds it to hi
        row[in_features + i] = w[i] - detail::bf16_to_float(round_to_bf16(w[i]));  // exact; rounds to lo
      }
    }
  } else {
    m.reduction = in_features;
    m.weight.assign(weight, weight + out_features * in_features);
  }
  if (bias) {
    m.bias.assign(bias, bias + out_features);
    m.bias_mem = memory(memory::desc({1, out_features}, dt::f32, tag::ab), cpu_engine(), m.bias.data());
  }
  if (precision == Precision::Bf16 && m.bf16_weights == Bf16Weights::Rounded && detail::bf16_gemv_supported()) {
    std::vector<uint16_t> w(m.weight.size());
    round_to_bf16(m.weight.data(), static_cast<int64_t>(w.size()), w.data());
    m.gemv = detail::Bf16Gemv(w.data(), out_features, in_features);
  }
  if (precision == Precision::Fp32 && fp32_packs_use_panel_kernel())
    m.panels = detail::Fp32PanelGemm(weight, bias, out_features, in_features);
}

PackedLinear::~PackedLinear() = default;
PackedLinear::PackedLinear(PackedLinear&&) noexcept = default;
PackedLinear& PackedLinear::operator=(PackedLinear&&) noexcept = default;

int64_t PackedLinear::in_features() const { return impl_->in; }
int64_t PackedLinear::out_features() const { return impl_->out; }
Precision PackedLinear::precision() const { return impl_->precision; }
Bf16Weights PackedLinear::bf16_weights() const { return impl_->bf16_weights; }
std::string PackedLinear::implementation(int64_t rows) const {
  if (rows == 1 && !impl_->gemv.empty()) return "glimpse avx512_bf16 gemv";
  if (!impl_->panels.empty()) return "glimpse avx2 fp32 panels";
  const std::string& impl = impl_->plan(rows)->impl;
  return impl_->bf16_weights == Bf16Weights::HiLo ? impl + " hi+lo weights" : impl;
}

namespace {

// A plan's source, destination and scratchpad memory objects on this thread. Creating three
// dnnl::memory and an argument map per call costs about 1 us, as much as a whole one-row
// 192x192 matmul (decode steps run ~20 of those per token); re-pointing existing ones is free.
struct PlanBinding {
  memory src, dst, scratch;
};

PlanBinding& thread_binding(uint64_t plan_id, const memory::desc& src_md, const memory::desc& dst_md,
                            const memory::desc& scratch_md) {
  thread_local std::unordered_map<uint64_t, PlanBinding> bindings;
  auto it = bindings.find(plan_id);
  if (it != bindings.end()) return it->second;
  if (bindings.size() >= 256) bindings.clear();  // plans of dropped packs; ids never repeat
  dnnl::engine& eng = cpu_engine();
  PlanBinding b{memory(src_md, eng, nullptr), memory(dst_md, eng, nullptr),
                memory(scratch_md, eng, nullptr)};
  return bindings.emplace(plan_id, std::move(b)).first->second;
}

}  // namespace

void PackedLinear::apply(const float* x, int64_t rows, float* y) const {
  if (rows <= 0) return;
  const Impl& m = *impl_;
  if (!m.panels.empty()) {
    m.panels.apply(x, rows, m.epilogue, y);
    return;
  }
  thread_local std::vector<uint16_t> x_bf16;
  // One bf16 row (a decode step): the GEMV, not oneDNN. The call is bound by streaming W, and
  // libdnnl's per-call dispatch was ~15 us of a ~205 us batch-1 step (18 such calls).
  if (rows == 1 && !m.gemv.empty()) {
    x_bf16.resize(static_cast<size_t>(m.gemv.padded_in()));
    round_to_bf16(x, m.in, x_bf16.data());
    if (m.gemv.padded_in() > m.in) x_bf16[static_cast<size_t>(m.in)] = 0;
    m.gemv.apply(x_bf16.data(), m.bias.empty() ? nullptr : m.bias.data(), m.epilogue, y);
    return;
  }
  const auto plan = m.plan(rows);
  thread_local std::vector<uint8_t> scratch;
  void* src_ptr = const_cast<float*>(x);
  if (m.precision == Precision::Bf16) {
    x_bf16.resize(static_cast<size_t>(rows * m.reduction));
    if (m.bf16_weights == Bf16Weights::HiLo) {
      // Each row as [x16 | x16], against [hi | lo].
      for (int64_t r = 0; r < rows; ++r) {
        uint16_t* row = x_bf16.data() + r * m.reduction;
        round_to_bf16(x + r * m.in, m.in, row);
        std::memcpy(row + m.in, row, sizeof(uint16_t) * static_cast<size_t>(m.in));
      }
    } else {
      round_to_bf16(x, rows * m.in, x_bf16.data());
    }
    src_ptr = x_bf16.data();
  }
  const size_t scratch_bytes = plan->scratch_md.get_size();
  if (scratch.size() < scratch_bytes) scratch.resize(scratch_bytes);
  PlanBinding& b = thread_binding(plan->id, plan->src_md, plan->dst_md, plan->scratch_md);
  b.src.set_data_handle(src_ptr);
  b.dst.set_data_handle(y);
  b.scratch.set_data_handle(scratch_bytes ? scratch.data() : nullptr);
  // The C entry point takes the arguments as an array: no map to build per call.
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, b.src.get()},
                                  {DNNL_ARG_WEIGHTS, plan->weights.get()},
                                  {DNNL_ARG_DST, b.dst.get()},
                                  {DNNL_ARG_SCRATCHPAD, b.scratch.get()},
                                  {DNNL_ARG_BIAS, m.bias.empty() ? nullptr : m.bias_mem.get()}};
  const int nargs = m.bias.empty() ? 4 : 5;
  dnnl::stream& s = thread_stream();
  dnnl::error::wrap_c_api(dnnl_primitive_execute(plan->prim.get(), s.get(), nargs, args),
                          "PackedLinear: could not execute the matmul");
  s.wait();
}

void PackedLinear::apply(const Tensor& x, Tensor& y) const {
  check_lazily(x.rank() >= 1 && x.cols() == impl_->in, "PackedLinear", [&] {
    return "input has shape " + shape_str(x.shape()) + ", expected [..., " + std::to_string(impl_->in) + "]";
  });
  // y's shape is x's with the last size replaced; compared and set without building a Shape (no
  // allocation per decode-step matmul).
  const size_t rank = x.rank();
  if (impl_->epilogue == LinearEpilogue::Accumulate) {
    bool same = y.rank() == rank && y.cols() == impl_->out;
    for (size_t i = 0; same && i + 1 < rank; ++i) same = y.dim(i) == x.dim(i);
    check_lazily(same, "PackedLinear", [&] {
      Shape want = x.shape();
      want.back() = impl_->out;
      return "accumulate target has shape " + shape_str(y.shape()) + ", expected " + shape_str(want);
    });
  } else if (rank == 2) {
    y.resize({x.rows(), impl_->out});
  } else {
    Shape shape = x.shape();
    shape.back() = impl_->out;
    y.resize(shape);
  }
  apply(x.data(), x.rows(), y.data());
}

}  // namespace glimpse
