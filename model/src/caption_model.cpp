#include "glimpse/model/caption_model.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "glimpse/core/activations.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/embedding.h"
#include "glimpse/core/error.h"
#include "glimpse/core/packed_decoder.h"
#include "glimpse/core/packed_encoder.h"

namespace glimpse::model {

// The packed inference copy of everything encode() runs (see prepare_inference()).
struct CaptionModel::InferencePack {
  Precision precision = Precision::Fp32;
  std::unique_ptr<PackedLinear> patch_embed;
  Tensor pos_row, pos_col;          // [grid, d]
  std::unique_ptr<PackedEncoderStack> vision;
  std::unique_ptr<Embedding> context_embed;
  Tensor context_pos;               // [max_context_len, d]
  std::unique_ptr<PackedEncoderStack> context;
  // kv[layer][slot]: that slot's cross-attention K|V projection (in_proj rows d..3d).
  std::vector<std::array<std::unique_ptr<PackedLinear>, 2>> kv;
  std::unique_ptr<DecoderStepPack> decoder_step;
};

CaptionModel::CaptionModel(const ModelConfig& config, uint64_t seed)
    : config_((validate(config), config)),
      vit_(std::make_unique<vision::VitEncoder>(config.image, config.block(seed * 3 + 1),
                                                config.encoder_layers)),
      context_(std::make_unique<text::ContextEncoder>(config.vocab_size, config.max_context_len,
                                                      config.block(seed * 3 + 2),
                                                      config.context_layers)),
      decoder_(std::make_unique<TextDecoder>(config.decoder(seed * 3 + 3))),
      modality_image_({config.d_model}, false),
      modality_context_({config.d_model}, false) {
  Rng rng(seed);
  vit_->init(rng);
  context_->init(rng);
  decoder_->init(rng);
  init_normal(modality_image_, rng, 0.02f);
  init_normal(modality_context_, rng, 0.02f);
  if (config.object_classes > 0) {
    object_head_ = std::make_unique<Linear>(config.d_model, config.object_classes);
    object_head_->init(rng);  // last: models without the head keep their initial weights
  }

  vit_->collect("vision.", params_);
  context_->collect("context.", params_);
  decoder_->collect("decoder.", params_);
  if (config.fusion == FusionKind::Concat) {
    params_.push_back({"modality_image", &modality_image_});
    params_.push_back({"modality_context", &modality_context_});
  }
  if (object_head_) object_head_->collect("object_head.", params_);
}

void CaptionModel::check_inputs(const ModelInputs& in) const {
  check(in.batch > 0 && in.patches != nullptr, "CaptionModel", "batch needs at least one image");
  check_shape(*in.patches, {in.batch * vit_->num_patches(), config_.image.patch_dim()},
              "CaptionModel", "patches");
  check_context_inputs(in);
}

void CaptionModel::check_context_inputs(const ModelInputs& in) const {
  check(in.batch > 0, "CaptionModel", "batch needs at least one image");
  check(in.context_len >= 0 && in.context_len <= config_.max_context_len, "CaptionModel",
        "context length " + std::to_string(in.context_len) + " exceeds max_context_len " +
            std::to_string(config_.max_context_len));
  check(in.context_len == 0 || (in.context_ids && in.context_padding), "CaptionModel",
        "context ids and padding are required when context_len > 0");
}

void CaptionModel::run_encoders(const ModelInputs& in, EncodedMemories& m, bool training) {
  check_inputs(in);
  vit_->forward(*in.patches, in.batch, m.image, training);
  add_context(in, m, training);
}

void CaptionModel::add_context(const ModelInputs& in, EncodedMemories& m, bool training) {
  const int64_t B = in.batch, N = vit_->num_patches(), Lc = in.context_len, d = config_.d_model;
  m.images = B;
  m.image_len = N;
  m.context_len = Lc;
  if (pack_ && !training) encode_context_packed(in, m.context);
  else context_->forward(in.context_ids, in.context_padding, B, Lc, m.context, training);
  m.context_padding.assign(in.context_padding, in.context_padding + B * Lc);
  if (config_.fusion == FusionKind::Concat) {
    // joint = [image + e_img ; context + e_ctx] per sample; padding covers the context part.
    const int64_t L = N + Lc;
    m.joint.resize({B * L, d});
    m.joint_padding.assign(static_cast<size_t>(B * L), 0);
    ConstRowVecMap e_img(modality_image_.value.data(), d), e_ctx(modality_context_.value.data(), d);
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t j = 0; j < N; ++j)
        RowVecMap(m.joint.data() + (b * L + j) * d, d) =
            ConstRowVecMap(m.image.data() + (b * N + j) * d, d) + e_img;
      for (int64_t j = 0; j < Lc; ++j) {
        RowVecMap(m.joint.data() + (b * L + N + j) * d, d) =
            ConstRowVecMap(m.context.data() + (b * Lc + j) * d, d) + e_ctx;
        m.joint_padding[static_cast<size_t>(b * L + N + j)] = m.context_padding[static_cast<size_t>(b * Lc + j)];
      }
    }
  }
  fill_slots(m);
}

void CaptionModel::fill_slots(EncodedMemories& m) const {
  if (config_.fusion == FusionKind::Concat) {
    m.slots = 1;
    m.slot_len[0] = m.image_len + m.context_len;
  } else {
    m.slots = 2;
    m.slot_len[0] = m.image_len;
    m.slot_len[1] = m.context_len;
  }
}

void CaptionModel::forward(const ModelInputs& in, const int32_t* caption_ids, int64_t caption_len,
                           Tensor& logits, bool training) {
  drop_inference_pack();  // teacher forcing and training read the layers, never the pack
  run_encoders(in, train_, training);
  if (train_.slots == 1) {
    slots_[0] = {&train_.joint, train_.slot_len[0], train_.padding(0)};
  } else {
    slots_[0] = {&train_.image, train_.slot_len[0], nullptr};
    slots_[1] = {&train_.context, train_.slot_len[1], train_.padding(1)};
  }
  decoder_->forward(caption_ids, in.batch, caption_len, slots_, logits, training);
}

void CaptionModel::object_logits(Tensor& out) const {
  check(object_head_ != nullptr, "CaptionModel", "object_logits: the config has no object head");
  object_head_->forward(train_.image, out);
}

void CaptionModel::object_presence(const EncodedMemories& memories, Tensor& out) const {
  check(object_head_ != nullptr, "CaptionModel", "object_presence: the config has no object head");
  const int64_t n = memories.image_len, classes = config_.object_classes;
  Tensor logits;
  object_head_->forward(memories.image, logits);  // [images*N, classes]
  out.resize({memories.images, classes});
  std::vector<float> p(static_cast<size_t>(classes));
  for (int64_t i = 0; i < memories.images; ++i) {
    float* best = out.data() + i * classes;
    std::fill(best, best + classes, 0.0f);
    for (int64_t t = 0; t < n; ++t) {
      softmax_row(logits.data() + (i * n + t) * classes, p.data(), classes);
      for (int64_t c = 0; c < classes; ++c) best[c] = std::max(best[c], p[static_cast<size_t>(c)]);
    }
  }
}

void CaptionModel::backward(const Tensor& d_logits, const Tensor* d_object_logits) {
  drop_inference_pack();  // an optimiser step follows: the weights are about to change
  const int64_t B = train_.images, N = train_.image_len, Lc = train_.context_len, d = config_.d_model;
  Tensor* d_slots[2] = {nullptr, nullptr};
  for (int s = 0; s < train_.slots; ++s) {
    d_slot_[s].resize(slots_[s].values->shape());
    d_slot_[s].zero();
    d_slots[s] = &d_slot_[s];
  }
  decoder_->backward(d_logits, d_slots);
  if (train_.slots == 1) {
    // Split the joint gradient back into the two memories and the modality embeddings.
    const int64_t L = N + Lc;
    d_image_.resize({B * N, d});
    d_context_.resize({B * Lc, d});
    RowVecMap g_img(modality_image_.grad.data(), d), g_ctx(modality_context_.grad.data(), d);
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t j = 0; j < N; ++j) {
        ConstRowVecMap g(d_slot_[0].data() + (b * L + j) * d, d);
        RowVecMap(d_image_.data() + (b * N + j) * d, d) = g;
        g_img += g;
      }
      for (int64_t j = 0; j < Lc; ++j) {
        ConstRowVecMap g(d_slot_[0].data() + (b * L + N + j) * d, d);
        RowVecMap(d_context_.data() + (b * Lc + j) * d, d) = g;
        g_ctx += g;
      }
    }
  }
  Tensor& d_image = train_.slots == 1 ? d_image_ : d_slot_[0];
  Tensor& d_context = train_.slots == 1 ? d_context_ : d_slot_[1];
  if (d_object_logits != nullptr) {
    check(object_head_ != nullptr, "CaptionModel", "backward: the config has no object head");
    check_shape(*d_object_logits, {B * N, config_.object_classes}, "CaptionModel", "d_object_logits");
    object_head_->backward(train_.image, *d_object_logits, &d_image_from_head_);
    MatMap(d_image.data(), B * N, d) += ConstMatMap(d_image_from_head_.data(), B * N, d);
  }
  vit_->backward(d_image);
  context_->backward(d_context);
}

void CaptionModel::encode(const ModelInputs& in, EncodedMemories& m) {
  if (pack_) {
    check_inputs(in);
    encode_images_packed(*in.patches, in.batch, m.image);
    add_context(in, m, /*training=*/false);
  } else {
    run_encoders(in, m, /*training=*/false);
  }
  project_key_values(m);
}

void CaptionModel::encode_images(const Tensor& patches, int64_t batch, Tensor& image_memory) {
  check(batch > 0, "CaptionModel", "encode_images needs at least one image");
  check_shape(patches, {batch * vit_->num_patches(), config_.image.patch_dim()}, "CaptionModel",
              "patches");
  if (pack_) encode_images_packed(patches, batch, image_memory);
  else vit_->forward(patches, batch, image_memory, /*training=*/false);
}

void CaptionModel::encode(const Tensor& image_memory, const ModelInputs& in, EncodedMemories& m) {
  check_context_inputs(in);
  check_shape(image_memory, {in.batch * vit_->num_patches(), config_.d_model}, "CaptionModel",
              "image memory");
  m.image = image_memory;
  add_context(in, m, /*training=*/false);
  project_key_values(m);
}

void CaptionModel::project_key_values(EncodedMemories& m) {
  const Tensor* slot_values[2] = {config_.fusion == FusionKind::Concat ? &m.joint : &m.image,
                                  &m.context};
  m.kv.resize(static_cast<size_t>(decoder_->layers()));
  for (int l = 0; l < decoder_->layers(); ++l)
    for (int s = 0; s < m.slots; ++s) {
      if (pack_) pack_->kv[static_cast<size_t>(l)][static_cast<size_t>(s)]->apply(*slot_values[s], m.kv[l][s]);
      else decoder_->block(l).fusion().slot_attention(s).project_key_values(*slot_values[s], m.kv[l][s]);
    }
}

void CaptionModel::prepare_inference(Precision precision, StepPacking step) {
  std::map<std::string, const Tensor*> by_name;
  for (const NamedParameter& p : params_) by_name[p.name] = &p.param->value;
  auto lookup = [&by_name](const std::string& prefix) {
    return [&by_name, prefix](const std::string& name) -> const Tensor& {
      auto it = by_name.find(prefix + name);
      check(it != by_name.end(), "CaptionModel.prepare_inference", "no parameter " + prefix + name);
      return *it->second;
    };
  };
  const auto vision = lookup("vision."), context = lookup("context.");
  const BlockConfig block = config_.block(0);
  const int64_t d = config_.d_model;
  auto pack = std::make_shared<InferencePack>();
  pack->precision = precision;
  // In a bf16 pack the image encoder keeps its weights to 16 bits (hi + lo) where bf16 runs on
  // AMX. Rounding both operands there was what changed most captions: on 500 test scenes (seed
  // 99) of the shipped concat, bf16 everywhere left 489 captions equal to fp32's, an fp32 image
  // encoder 496, hi+lo image-encoder weights 495 (1,000 scenes of seed 98: 975, 982, 984); an
  // fp32 context encoder changed none, an fp32 decoder step on top of the fp32 image encoder
  // 3 more (499). On the Intel Xeon (AMX) it cost a batch-1 encode 1.30 -> 1.64 ms and a
  // 12-word caption 4.08 -> 4.20 ms (1 thread). With AVX512-BF16 alone the doubled multiply-adds
  // cost what fp32 costs: on the AMD EPYC hi+lo gave 493 equal captions instead of 488 but an
  // encode of 3.40 ms instead of 2.10 (fp32 3.58), so the weights stay rounded there
  // (docs/performance.md).
  const Bf16Weights image_weights = cpu_has_amx_bf16() ? Bf16Weights::HiLo : Bf16Weights::Rounded;
  const Tensor& pw = vision("patch_embed.weight");
  pack->patch_embed = std::make_unique<PackedLinear>(pw.data(), vision("patch_embed.bias").data(),
                                                     pw.dim(0), pw.dim(1), precision,
                                                     LinearEpilogue::None, image_weights);
  pack->pos_row = vision("pos_row");
  pack->pos_col = vision("pos_col");
  pack->vision = std::make_unique<PackedEncoderStack>(vision, config_.encoder_layers, d, config_.num_heads,
                                                      config_.gelu, block.layer_norm_eps, precision,
                                                      image_weights);
  const Tensor& tok = context("token_embed.weight");
  pack->context_embed = std::make_unique<Embedding>(tok.dim(0), tok.dim(1));
  pack->context_embed->weight.value = tok;
  pack->context_pos = context("pos_embed");
  pack->context = std::make_unique<PackedEncoderStack>(context, config_.context_layers, d, config_.num_heads,
                                                       config_.gelu, block.layer_norm_eps, precision);
  const int slots = config_.fusion == FusionKind::Concat ? 1 : 2;
  pack->kv.resize(static_cast<size_t>(decoder_->layers()));
  for (int l = 0; l < decoder_->layers(); ++l)
    for (int s = 0; s < slots; ++s) {
      const MultiHeadAttention& a = decoder_->block(l).fusion().slot_attention(s);
      pack->kv[static_cast<size_t>(l)][static_cast<size_t>(s)] = std::make_unique<PackedLinear>(
          a.in_proj_weight.value.data() + d * d, a.in_proj_bias.value.data() + d, 2 * d, d, precision);
    }
  if (step == StepPacking::Always || precision == Precision::Bf16 || fp32_packs_use_panel_kernel())
    pack->decoder_step = std::make_unique<DecoderStepPack>(decoder_->pack_step(precision));
  pack_ = std::move(pack);
}

void CaptionModel::drop_inference_pack() { pack_.reset(); }

Precision CaptionModel::inference_precision() const {
  return pack_ ? pack_->precision : Precision::Fp32;
}

Bf16Weights CaptionModel::image_encoder_bf16_weights() const {
  return pack_ ? pack_->patch_embed->bf16_weights() : Bf16Weights::Rounded;
}

const DecoderStepPack* CaptionModel::decoder_step_pack() const {
  return pack_ ? pack_->decoder_step.get() : nullptr;
}

void CaptionModel::encode_images_packed(const Tensor& patches, int64_t batch, Tensor& image_memory) const {
  const InferencePack& p = *pack_;
  const int64_t grid = vit_->grid_side(), N = grid * grid, d = config_.d_model;
  check_finite(patches, "VitEncoder", "patches");
  thread_local Tensor embedded;
  p.patch_embed->apply(patches, embedded);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < grid; ++r)
      for (int64_t c = 0; c < grid; ++c)
        RowVecMap(embedded.data() + (b * N + r * grid + c) * d, d) +=
            ConstRowVecMap(p.pos_row.data() + r * d, d) + ConstRowVecMap(p.pos_col.data() + c * d, d);
  p.vision->apply(embedded, batch, N, nullptr, image_memory);
}

void CaptionModel::encode_context_packed(const ModelInputs& in, Tensor& memory) const {
  const InferencePack& p = *pack_;
  const int64_t B = in.batch, L = in.context_len, d = config_.d_model;
  if (L == 0) {
    memory.resize({0, d});
    return;
  }
  thread_local Tensor embedded;
  p.context_embed->forward(in.context_ids, B * L, embedded);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < L; ++t)
      RowVecMap(embedded.data() + (b * L + t) * d, d) += ConstRowVecMap(p.context_pos.data() + t * d, d);
  p.context->apply(embedded, B, L, in.context_padding, memory);
}

}  // namespace glimpse::model
