// glimpse::Model and glimpse::Encoding (glimpse.h): a loaded checkpoint that encodes pictures
// once and decodes or scores captions from those encodings any number of times.
#include <limits>
#include <map>
#include <mutex>

#include "api_convert.h"
#include "api_model_card.h"
#include "api_results.h"
#include "glimpse/core/error.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/core/threads.h"
#include "glimpse/glimpse.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
#include "glimpse/model/input_batch.h"
#include "glimpse/model/memory_batch.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse {

const char* fusion_name(FusionStrategy f) {
  switch (f) {
    case FusionStrategy::Concat: return "concat";
    case FusionStrategy::Separate: return "separate";
    case FusionStrategy::Parallel: return "parallel";
    case FusionStrategy::Hierarchical: return "hierarchical";
    case FusionStrategy::Gated: return "gated";
  }
  return "unknown";
}

struct Encoding::Impl {
  const Model::Impl* owner = nullptr;  // decode() refuses another model's encoding
  model::EncodedMemories memories;     // one picture; memories.image (the ViT's output)
                                       // is what with_context() starts from
  PatchGrid grid;
  std::string context;
  std::vector<std::string> context_tokens;
  int64_t context_dropped_tokens = 0;
};

Encoding::Encoding() = default;
Encoding::Encoding(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
const Encoding::Impl& Encoding::impl() const {
  check(impl_ != nullptr, "Encoding", "empty encoding (default-constructed)");
  return *impl_;
}
const PatchGrid& Encoding::grid() const { return impl().grid; }
const std::string& Encoding::context() const { return impl().context; }
const std::vector<std::string>& Encoding::context_tokens() const { return impl().context_tokens; }
int64_t Encoding::context_dropped_tokens() const { return impl().context_dropped_tokens; }

struct Model::Impl {
  model::Checkpoint checkpoint;
  text::Vocabulary vocabulary;
  ModelCard card;
  // The encoder layers keep per-call activations inside the layer objects, so one encode()
  // at a time per model. Decoding reads const weights with per-call buffers: no lock.
  mutable std::mutex encoder_mutex;

  const model::ModelConfig& config() const { return checkpoint.model->config(); }

  model::DecodeOptions options(const DecodeSettings& s, const DecodeControl& c) const {
    model::DecodeOptions o;
    o.beam = s.beam;
    o.length_penalty = s.length_penalty;
    o.max_len = s.max_words;
    o.min_len = s.min_words;
    o.no_repeat_ngram = s.no_repeat_ngram;
    o.top_k = s.top_k;
    o.cancel = c.cancel;
    o.on_step = c.on_step;
    model::validate(o);
    return o;
  }

  const model::EncodedMemories& memories_of(const Encoding& e) const {
    const Encoding::Impl& impl = e.impl();
    check(impl.owner == this, "Model", "the encoding was made by another model");
    return impl.memories;
  }

  // Encodes the contexts of a batch whose image memory is known, and splits it per picture.
  std::vector<Encoding> finish(const Tensor& image_memory, const model::InputBatch& batch,
                               const std::vector<std::string>& contexts) const {
    model::EncodedMemories all;
    {
      std::lock_guard<std::mutex> lock(encoder_mutex);
      checkpoint.model->encode(image_memory, batch.inputs(), all);
    }
    std::vector<Encoding> out;
    for (int64_t i = 0; i < batch.batch; ++i) {
      auto e = std::make_shared<Encoding::Impl>();
      e->owner = this;
      const text::EncodedText& ctx = batch.contexts[static_cast<size_t>(i)];
      e->memories = model::slice_memories(all, i, static_cast<int64_t>(ctx.ids.size()));
      e->grid = api::to_public(batch.grids[static_cast<size_t>(i)]);
      e->context = contexts.empty() ? "" : contexts[static_cast<size_t>(i)];
      for (int32_t id : ctx.ids) e->context_tokens.push_back(vocabulary.token(id));
      e->context_dropped_tokens = ctx.dropped_tokens;
      out.emplace_back(std::move(e));
    }
    return out;
  }

  CaptionResult result_of(const Encoding& e, std::vector<model::DecodedCaption> hyps) const {
    const Encoding::Impl& impl = e.impl();
    CaptionResult r;
    r.grid = impl.grid;
    r.context_tokens = impl.context_tokens;
    r.context_dropped_tokens = impl.context_dropped_tokens;
    r.fusion = card.fusion;
    for (int l = 0; l < config().decoder_layers; ++l)
      for (float g : checkpoint.model->decoder().block(l).fusion().gate_values()) r.gates.push_back(g);
    for (const auto& h : hyps)
      r.hypotheses.push_back(api::to_caption(h, config(), impl.memories.image_len,
                                             impl.memories.context_len, vocabulary));
    return r;
  }
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

std::shared_ptr<const Model> Model::load(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->checkpoint = model::load_checkpoint(path);
  impl->vocabulary = text::Vocabulary::from_json(impl->checkpoint.vocabulary_json, path);
  const int64_t v = impl->config().vocab_size;
  check(impl->vocabulary.size() == v, "model '" + path + "'",
        "vocabulary has " + std::to_string(impl->vocabulary.size()) + " tokens, the config " +
            std::to_string(v));
  impl->card = api::make_model_card(path, impl->checkpoint, impl->vocabulary);
  // The weights are constant from here on: pack the encoders' matmuls once, in the precision
  // --precision / $GLIMPSE_PRECISION asks for (fp32 unless told otherwise).
  impl->checkpoint.model->prepare_inference(resolve_precision(default_precision_request()));
  return std::shared_ptr<const Model>(new Model(std::move(impl)));
}

const ModelCard& Model::card() const { return impl_->card; }

std::vector<Encoding> Model::encode(const std::vector<const Image*>& images,
                                    const std::vector<std::string>& contexts) const {
  adopt_thread_count();
  check(!images.empty(), "Model::encode", "no images");
  check(contexts.empty() || contexts.size() == images.size(), "Model::encode",
        std::to_string(contexts.size()) + " contexts for " + std::to_string(images.size()) + " images");
  std::vector<vision::Image> pictures;
  pictures.reserve(images.size());
  for (const Image* im : images) {
    check(im != nullptr, "Model::encode", "null image");
    pictures.push_back(api::to_vision(*im));
  }
  std::vector<const vision::Image*> ptrs;
  ptrs.reserve(pictures.size());
  for (const auto& p : pictures) ptrs.push_back(&p);
  const model::InputBatch batch = model::make_input_batch(ptrs, contexts, impl_->vocabulary, impl_->config());
  Tensor image_memory;
  {
    std::lock_guard<std::mutex> lock(impl_->encoder_mutex);
    impl_->checkpoint.model->encode_images(batch.patches, batch.batch, image_memory);
  }
  return impl_->finish(image_memory, batch, contexts);
}

Encoding Model::encode(const Image& image, const std::string& context) const {
  return encode(std::vector<const Image*>{&image}, std::vector<std::string>{context}).front();
}

Encoding Model::with_context(const Encoding& e, const std::string& context) const {
  adopt_thread_count();
  const Encoding::Impl& impl = e.impl();
  check(impl.owner == impl_.get(), "Model::with_context", "the encoding was made by another model");
  // Only the context half of an input batch: the image memory is reused as it is.
  model::InputBatch batch;
  batch.batch = 1;
  batch.grids = {api::to_vision(impl.grid)};
  batch.contexts = {impl_->vocabulary.encode(context, impl_->config().max_context_len)};
  batch.context_len = static_cast<int64_t>(batch.contexts[0].ids.size());
  batch.context_ids = batch.contexts[0].ids;
  batch.context_padding.assign(batch.context_ids.size(), 0);
  return impl_->finish(impl.memories.image, batch, {context}).front();
}

std::vector<CaptionResult> Model::decode(const std::vector<Encoding>& encodings,
                                         const DecodeSettings& settings,
                                         const DecodeControl& control) const {
  adopt_thread_count();
  const model::DecodeOptions o = impl_->options(settings, control);
  const model::CaptionModel& m = *impl_->checkpoint.model;
  std::vector<CaptionResult> out(encodings.size());
  // Encodings with the same memory layout (context length) decode together, in one batch.
  std::map<int64_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < encodings.size(); ++i)
    groups[impl_->memories_of(encodings[i]).context_len].push_back(i);
  for (const auto& [len, members] : groups) {
    std::vector<const model::EncodedMemories*> parts;
    for (size_t i : members) parts.push_back(&impl_->memories_of(encodings[i]));
    const model::EncodedMemories batch = model::concat_memories(parts);
    std::vector<std::vector<model::DecodedCaption>> hyps;
    if (o.beam == 1) {
      for (auto& c : model::greedy_decode(m, batch, o)) hyps.push_back({std::move(c)});
    } else {
      hyps = model::beam_decode_all(m, batch, o);
    }
    for (size_t k = 0; k < members.size(); ++k)
      out[members[k]] = impl_->result_of(encodings[members[k]], std::move(hyps[k]));
  }
  return out;
}

CaptionResult Model::decode(const Encoding& encoding, const DecodeSettings& settings,
                            const DecodeControl& control) const {
  return std::move(decode(std::vector<Encoding>{encoding}, settings, control).front());
}

namespace {
// Word ids as training reads a caption: unknown words (and spelled-out specials) are <unk>.
std::vector<int32_t> caption_ids(const text::Vocabulary& vocab, const std::string& caption) {
  return vocab.encode(caption, std::numeric_limits<int32_t>::max()).ids;
}
}  // namespace

std::vector<std::string> Model::tokenize(const std::string& caption) const {
  std::vector<std::string> out;
  for (int32_t id : caption_ids(impl_->vocabulary, caption)) out.push_back(impl_->vocabulary.token(id));
  return out;
}

CaptionResult Model::score(const Encoding& encoding, const std::string& caption,
                           const DecodeSettings& settings, const DecodeControl& control) const {
  adopt_thread_count();
  model::DecodeOptions o = impl_->options(settings, control);
  const std::vector<int32_t> ids = caption_ids(impl_->vocabulary, caption);
  check(!ids.empty(), "Model::score", "the caption has no words");
  auto decoded = model::teacher_force(*impl_->checkpoint.model, impl_->memories_of(encoding), {ids}, o);
  return impl_->result_of(encoding, std::move(decoded));
}

}  // namespace glimpse
