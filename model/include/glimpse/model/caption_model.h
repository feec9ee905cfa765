// The captioning model: ViT patch encoder + context-text encoder + decoder with switchable
// fusion, composed from the engine's layers. One type for training (teacher-forced forward and
// backward) and inference (encode once, then cached decode steps; see decoding.h).
//
// Parameter names (documented in docs/model-format.md):
//   vision.*   (patch_embed, pos_row, pos_col, layers.{i}.*, norm.*)
//   context.*  (token_embed, pos_embed, layers.{i}.*, norm.*)
//   decoder.*  (token_embed, pos_embed, layers.{i}.*, norm.*, output_bias[, output.weight])
//   modality_image, modality_context   (concat fusion only)
//   object_head.{weight,bias}           (config.object_classes > 0: a training aid)
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "glimpse/core/linear.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/core/text_decoder.h"
#include "glimpse/model/model_config.h"
#include "glimpse/text/context_encoder.h"
#include "glimpse/vision/vit_encoder.h"

namespace glimpse::model {

// One batch of B images with their context tokens (padded to one length; may be 0).
struct ModelInputs {
  int64_t batch = 0;
  const Tensor* patches = nullptr;           // [B*N, 3*P*P]
  const int32_t* context_ids = nullptr;      // [B*Lc]
  const uint8_t* context_padding = nullptr;  // [B*Lc], non-zero = padding
  int64_t context_len = 0;
};

// What the decoder reads for a batch of images, computed once per image: the memories and
// every decoder layer's cross-attention K/V for each memory slot.
struct EncodedMemories {
  int64_t images = 0;
  int64_t image_len = 0, context_len = 0;
  Tensor image, context, joint;                 // [n*len, d]
  std::vector<uint8_t> context_padding, joint_padding;
  int slots = 0;                                // 1 (concat: joint) or 2 (image, context)
  int64_t slot_len[2] = {0, 0};
  std::vector<std::array<Tensor, 2>> kv;        // kv[layer][slot]: [n*len, 2d]

  // Key padding of slot s, [n*len] (null = none).
  const uint8_t* padding(int s) const {
    if (slots == 1) return joint_padding.empty() ? nullptr : joint_padding.data();
    return s == 1 && context_len > 0 ? context_padding.data() : nullptr;
  }
};

class CaptionModel {
 public:
  explicit CaptionModel(const ModelConfig& config, uint64_t seed = 0);

  const ModelConfig& config() const { return config_; }
  // Every parameter, in a fixed order, under its checkpoint name.
  const ParameterList& parameters() const { return params_; }

  // Teacher forcing: caption_ids [B*T] are the decoder inputs (<bos> w1 ... w_{T-1}); writes
  // logits [B*T, V].
  void forward(const ModelInputs& in, const int32_t* caption_ids, int64_t caption_len,
               Tensor& logits, bool training);
  // After forward(): the object head's logits for every patch of the batch, [B*N, classes]
  // (config.object_classes > 0).
  void object_logits(Tensor& out) const;
  bool has_object_head() const { return object_head_ != nullptr; }
  // Inference: how sure the object head is that each class appears in each image of
  // `memories` (encode()): the largest, over the image's patches, of the patch's softmax
  // probability of the class. [images, object_classes]; class 0 is background.
  void object_presence(const EncodedMemories& memories, Tensor& out) const;
  // Accumulates every parameter's gradient. d_object_logits (same shape as object_logits())
  // adds the gradient of a loss on the object head; null when there is none.
  void backward(const Tensor& d_logits, const Tensor* d_object_logits = nullptr);

  // Runs both encoders (eval mode) and precomputes the decoder's cross-attention K/V.
  void encode(const ModelInputs& in, EncodedMemories& out);
  // The image half alone: the ViT's memory of `batch` images, [batch*N, d] (eval mode).
  void encode_images(const Tensor& patches, int64_t batch, Tensor& image_memory);
  // The rest of encode() for an image memory from encode_images(): the context encoder on
  // in.context_* (in.patches is not read), the memories and the K/V. A new context for the
  // same pictures costs the context encoder and the K/V projections, not the ViT.
  void encode(const Tensor& image_memory, const ModelInputs& in, EncodedMemories& out);

  // Inference pack: both encoders, the cross-attention K/V projections and (see StepPacking)
  // every projection of the decoder's per-token step (packed_decoder.h) as pre-packed oneDNN
  // matmuls (packed_linear.h) in `precision`; encode(), encode_images() and decoding use it
  // while it exists. It is a snapshot of the weights: forward() and backward() (training, teacher
  // forcing) drop it, and so must anyone who writes parameters() after preparing
  // (drop_inference_pack()). Not thread-safe against a concurrent encode: prepare once after
  // loading, before sharing the model.
  //
  // The step is packed in bf16 (half the weight bytes a token reads) but not in fp32, unless
  // asked (Always: tests). In fp32 a packed step reads the same bytes as the layers' GEMV and
  // pays a oneDNN call per projection: on the AMD EPYC a batch-1 caption took 4.05-4.92 ms
  // with it against 3.85-4.35 ms without (1 thread), and gained ~5 % at batch 32, which is not
  // worth captions that would then depend on the batch size (a row-count switch would give
  // batch 1 other rounding than batch 8; `glimpse caption --batch` promises the same bytes).
  // Where fp32 packs run the panel kernel (fp32_packs_use_panel_kernel(): CPUs without AVX-512)
  // the step is packed in fp32 too: there the layers' multi-row GEMMs are oneDNN's gemm:jit,
  // whose rounding depends on the row count and threads, and the panel kernel's does not
  // (AMD EPYC Zen 2, 1 thread: greedy 6.6 -> 6.9 ms, beam 3 10.5 -> 8.0 ms).
  enum class StepPacking { Auto, Always };
  void prepare_inference(Precision precision, StepPacking step = StepPacking::Auto);
  void drop_inference_pack();
  bool inference_packed() const { return pack_ != nullptr; }
  Precision inference_precision() const;  // fp32 when there is no pack
  // How a bf16 pack holds the image encoder's weights (hi+lo on AMX, see prepare_inference());
  // Rounded when there is no bf16 pack.
  Bf16Weights image_encoder_bf16_weights() const;
  // The decoder step's share of the pack, for TextDecoder::step; null when there is none.
  const DecoderStepPack* decoder_step_pack() const;

  // Decoder layer l's cross-attention that reads the image. In every strategy its first
  // num_patches() keys are the patches (concat's joint memory puts the image first).
  const MultiHeadAttention& image_attention(int layer) const {
    return decoder_->block(layer).fusion().slot_attention(0);
  }
  MultiHeadAttention& image_attention(int layer) { return decoder_->block(layer).fusion().slot_attention(0); }

  TextDecoder& decoder() { return *decoder_; }
  const TextDecoder& decoder() const { return *decoder_; }
  int64_t num_patches() const { return vit_->num_patches(); }

 private:
  void check_inputs(const ModelInputs& in) const;
  void check_context_inputs(const ModelInputs& in) const;
  // Runs the encoders and fills image/context/joint memories and slot descriptions.
  void run_encoders(const ModelInputs& in, EncodedMemories& m, bool training);
  // With m.image already set: the context encoder, the joint memory and the slots.
  void add_context(const ModelInputs& in, EncodedMemories& m, bool training);
  void fill_slots(EncodedMemories& m) const;
  // Every decoder layer's cross-attention K/V of each memory slot.
  void project_key_values(EncodedMemories& m);

  struct InferencePack;
  void encode_images_packed(const Tensor& patches, int64_t batch, Tensor& image_memory) const;
  void encode_context_packed(const ModelInputs& in, Tensor& memory) const;

  ModelConfig config_;
  std::shared_ptr<const InferencePack> pack_;  // null: the layers' own (unpacked) forward
  std::unique_ptr<vision::VitEncoder> vit_;
  std::unique_ptr<text::ContextEncoder> context_;
  std::unique_ptr<TextDecoder> decoder_;
  Parameter modality_image_, modality_context_;  // [d], concat fusion
  std::unique_ptr<Linear> object_head_;          // config.object_classes > 0
  ParameterList params_;
  // Training state of the last forward.
  EncodedMemories train_;
  MemorySlot slots_[2];
  Tensor d_slot_[2], d_image_, d_context_, d_image_from_head_;
};

}  // namespace glimpse::model
